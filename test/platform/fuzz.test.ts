import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { unseal } from '../../src/platform/crypto.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn } from '../helpers/app.js';
import {
  fieldsOfSchemas,
  fixedPlans,
  requestPlan,
  routesOf,
  sendPlan,
  urlOf,
  type KnownValues,
  type RequestPlan,
  type RouteEntry,
} from '../helpers/fuzz.js';

/** FUZZ_SEED and FUZZ_RUNS reproduce a failure or search longer; the defaults keep the suite quick and repeatable. */
const seed = Number(process.env.FUZZ_SEED ?? 20261206);
const numRuns = Number(process.env.FUZZ_RUNS ?? 6);

const app = createApp({
  config: loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'suara-test-data-')) }),
  sessionSecret: 'test-secret-'.padEnd(40, 'x'),
});
const routes = routesOf(app);
const signsOut = (route: RouteEntry) => /logout$/.test(route.path);

interface Caller {
  agent: request.Agent;
  csrfToken: string;
}

/** What an answer must look like whatever was sent: below 500, the usual error shape, and no stack trace. */
function expectHandled(route: RouteEntry, plan: RequestPlan, response: request.Response): void {
  const what = `${route.method.toUpperCase()} ${urlOf(route, plan).slice(0, 300)} (${plan.encoding}) answered ${response.status}`;
  if (response.status >= 500) throw new Error(`${what}: ${response.text.slice(0, 500)} (FUZZ_SEED=${seed})`);
  expect(response.text, what).not.to.match(/at \w+ \(\/|node_modules\//);
  if (response.status === 400 && route.path.startsWith('/api/')) {
    const error = (response.body as { error?: Record<string, unknown> }).error;
    expect(error, what).to.be.an('object');
    expect(error!.code, what).to.equal('validation');
    expect(error!.message, what).to.be.a('string').and.not.equal('');
    expect(error!.fields, what).to.be.an('object');
  }
}

describe('No 5xx from input: every route, fuzzed (FUZZ_SEED, FUZZ_RUNS)', function () {
  this.timeout(180_000);
  useTestDatabase();
  let fields: Awaited<ReturnType<typeof fieldsOfSchemas>>;
  let known: KnownValues;
  const callers: Record<'citizen' | 'unitHead', Caller> = {} as never;

  before(async () => {
    await ensureReferenceData();
    await seedDirectory();
    fields = await fieldsOfSchemas();
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Saya menunggu tiga jam di loket pendaftaran tanpa kejelasan antrean.',
        reporter: { email: 'warga@contoh.id' },
        privacy: 'confidential',
        consent: true,
      })
      .expect(201);
    const { code, accessToken } = filed.body as { code: string; accessToken: string };
    known = {
      strings: [
        'PKM-KEBUNHANDIL',
        'JAMBI-DINKES',
        'JAMBI',
        'POLI-UMUM',
        'L1',
        '198503152010012001',
        code,
        accessToken,
        'warga@contoh.id',
        'Pelayanan di loket sangat lambat dan petugas tidak ramah.',
        'waiting_time',
        'officer_conduct',
        'complaint',
        'anonymous',
        '2026-12-01',
        '1',
        '4',
        'id',
        'en',
      ],
      byParam: {
        code: [code, 'PKM-KEBUNHANDIL', 'JAMBI'],
        unitCode: ['PKM-KEBUNHANDIL', 'JAMBI-DINKES'],
        agencyCode: ['JAMBI'],
        nip: ['198503152010012001'],
      },
    };

    // The citizen opens the form (which gives the session its CSRF token), so that form posts are processed too.
    const citizen = request.agent(app);
    const form = await citizen.get('/u/PKM-KEBUNHANDIL').expect(200);
    callers.citizen = { agent: citizen, csrfToken: /_csrf=([\w-]+)/.exec(form.text)![1]! };
    const head = request.agent(app);
    callers.unitHead = { agent: head, csrfToken: await signIn(head, 'kepala.dinkes@suara.test') };
  });

  const fuzz = (route: RouteEntry, who: keyof typeof callers) => async () => {
    const caller = callers[who];
    const fieldNames = [...fields.keys()].filter((name) => /^\w+$/.test(name));
    const send = async (plan: RequestPlan) => {
      await resetRateLimits();
      const url = urlOf(route, plan);
      const test = caller.agent[route.method](url).set('X-CSRF-Token', caller.csrfToken).timeout(20_000);
      expectHandled(route, plan, await sendPlan(test, plan));
    };
    await fc.assert(fc.asyncProperty(requestPlan(route, fields, known), send), {
      seed,
      numRuns,
      examples: fixedPlans(route, known, fieldNames).map((plan) => [plan]),
    });
  };

  for (const route of routes) {
    const title = `${route.method.toUpperCase()} ${route.path}`;
    it(`${title} answers an anonymous citizen's hostile requests below 500`, fuzz(route, 'citizen'));
    if (!signsOut(route))
      it(`${title} answers a signed-in unit head's hostile requests below 500`, fuzz(route, 'unitHead'));
  }
});

describe('Contact details sent as JSON text in a multipart filing', () => {
  useTestDatabase();
  before(async () => {
    await ensureReferenceData();
    await seedDirectory();
  });
  beforeEach(resetRateLimits);

  const multipartComplaint = (reporter: string) =>
    request(app)
      .post('/api/v1/tickets?lang=en')
      .field('kind', 'complaint')
      .field('unitCode', 'PKM-KEBUNHANDIL')
      .field('category', 'waiting_time')
      .field('description', 'Antrean di loket pendaftaran tidak bergerak selama dua jam.')
      .field('privacy', 'confidential')
      .field('consent', 'true')
      .field('reporter', reporter);

  it('files the ticket with the contact details the JSON text carries', async () => {
    const { body } = await multipartComplaint(JSON.stringify({ name: 'Rahmat', email: 'rahmat@contoh.id' })).expect(
      201,
    );
    const stored = await Ticket.findOne({ code: body.code }).lean();
    expect(unseal(stored!.reporter!.email as never)).to.equal('rahmat@contoh.id');
  });

  it('answers text that is not JSON ("{bad") with 400 naming the reporter field, and stores nothing', async () => {
    const before = await Ticket.countDocuments();
    const response = await multipartComplaint('{bad').expect(400);
    expect(response.body.error).to.deep.equal({
      code: 'validation',
      message: 'Some of the data sent is not right.',
      fields: { reporter: 'Must be an object.' },
    });
    expect(await Ticket.countDocuments()).to.equal(before);
  });
});
