import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import type { Express } from 'express';
import { ConfigError, loadConfig } from '../../src/config.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { registerPressureSource } from '../../src/platform/backpressure.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { signIn, testApp } from '../helpers/app.js';
import { seedSurveyDirectory, survey } from '../surveys/fixtures.js';

const complaint = () => ({
  kind: 'complaint',
  unitCode: 'PKM-KEBUNHANDIL',
  category: 'waiting_time',
  description: 'Antrean di loket pendaftaran tidak bergerak selama dua jam.',
  reporter: { email: 'warga@contoh.id' },
  privacy: 'anonymous',
  consent: true,
});

/** A refusal for overload: 503 at once, Retry-After in seconds, and the usual error shape naming the wait. */
function expectOverloaded(response: request.Response, language: 'id' | 'en' = 'id') {
  expect(response.status).to.equal(503);
  const seconds = Number(response.headers['retry-after']);
  expect(seconds).to.be.within(5, 10);
  expect(response.body.error.code).to.equal('overloaded');
  expect(response.body.error.message).to.equal(
    language === 'en'
      ? `Too many submissions are arriving right now. Please send it again in ${seconds} seconds.`
      : `Kiriman sedang sangat banyak. Coba kirim lagi dalam ${seconds} detik.`,
  );
}

describe('Backpressure: public intake answers 503 with Retry-After when the process cannot keep up', () => {
  useTestDatabase();
  let app: Express;
  let overloaded = false;
  let unregister: () => void;
  before(async () => {
    app = await testApp();
    await seedSurveyDirectory();
    unregister = registerPressureSource('spec backlog', () => overloaded);
  });
  after(() => unregister());
  beforeEach(async () => {
    overloaded = false;
    await resetRateLimits();
    await Ticket.deleteMany({});
    await SurveyResponse.deleteMany({});
  });

  it('refuses a new ticket and a survey answer while a projector reports its backlog past its bound, storing nothing', async () => {
    overloaded = true;
    const started = Date.now();
    expectOverloaded(await request(app).post('/api/v1/tickets').send(complaint()), 'id');
    expectOverloaded(await request(app).post('/api/v1/surveys?lang=en').send(survey()), 'en');
    expect(Date.now() - started).to.be.below(2_000);
    expect(await Ticket.countDocuments()).to.equal(0);
    expect(await SurveyResponse.countDocuments()).to.equal(0);
  });

  it('stores exactly one ticket when the citizen retries with the same Idempotency-Key after the pressure clears', async () => {
    overloaded = true;
    const send = () => request(app).post('/api/v1/tickets').set('Idempotency-Key', 'retry-me-1').send(complaint());
    expectOverloaded(await send());
    overloaded = false;
    const accepted = await send().expect(201);
    const replayed = await send().expect(200);
    expect(replayed.body.code).to.equal(accepted.body.code);
    expect(await Ticket.countDocuments()).to.equal(1);
  });

  it('sheds the public form posts too, saying on the page when to try again', async () => {
    const citizen = request.agent(app);
    const page = await citizen.get('/u/PKM-KEBUNHANDIL').expect(200);
    const csrf = /_csrf=([\w-]+)/.exec(page.text)![1]!;
    overloaded = true;
    const form = await citizen
      .post(`/u/PKM-KEBUNHANDIL?_csrf=${csrf}`)
      .field('kind', 'complaint')
      .field('category', 'waiting_time')
      .field('description', 'Antrean di loket pendaftaran tidak bergerak selama dua jam.')
      .field('privacy', 'anonymous')
      .field('consent', 'on')
      .expect(503);
    // The form comes back with what was typed and when to try again, not a dead-end page.
    const seconds = form.headers['retry-after'];
    expect(form.text).to.include(`Coba kirim lagi dalam ${seconds} detik.`);
    expect(form.text).to.include('Isian dan lampiran Anda tetap tersimpan');
    expect(form.text).to.include('Antrean di loket pendaftaran tidak bergerak selama dua jam.');
    const survey = await citizen
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ _csrf: csrf, answer1: '4' })
      .expect(503);
    expect(survey.text).to.include('Jawaban Anda tetap tersimpan');
    expect(await Ticket.countDocuments()).to.equal(0);
    expect(await SurveyResponse.countDocuments()).to.equal(0);
  });

  it('goes on serving reads, the citizen following a ticket, and staff work while intake is shed', async () => {
    const filed = (await request(app).post('/api/v1/tickets').send(complaint()).expect(201)).body;
    overloaded = true;
    await request(app).get('/api/v1/units').expect(200);
    await request(app).get(`/api/v1/tickets/${filed.code}`).set('X-Access-Token', filed.accessToken).expect(200);
    await request(app)
      .post(`/api/v1/tickets/${filed.code}/replies`)
      .set('X-Access-Token', filed.accessToken)
      .send({ body: 'Ada kabar terbaru?' })
      .expect(200);
    const head = request.agent(app);
    const csrf = await signIn(head, 'kepala.kebunhandil@suara.test');
    await head.get('/api/v1/inbox').expect(200);
    // A unit head entering a complaint taken by phone is staff work, not public intake.
    await head.post('/api/v1/tickets').set('X-CSRF-Token', csrf).send(complaint()).expect(201);
    expect(await Ticket.countDocuments()).to.equal(2);
  });
});

describe('Backpressure signals measured by the process itself', () => {
  useTestDatabase();
  before(seedSurveyDirectory);
  beforeEach(resetRateLimits);

  it('sheds intake while more requests than BACKPRESSURE_MAX_IN_FLIGHT are in flight, and takes it again once they end', async () => {
    const app = await testApp({ BACKPRESSURE_MAX_IN_FLIGHT: '2' });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // Two sign-ins whose bodies have not finished arriving hold their place, as slow requests do under load.
      const held = [1, 2].map(() => {
        const slow = http.request({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/auth/login',
          headers: { 'Content-Type': 'application/json', 'Content-Length': '200' },
        });
        slow.on('error', () => undefined);
        slow.write('{"email":');
        return slow;
      });
      await sleep(200);
      expectOverloaded(await request(server).post('/api/v1/tickets').send(complaint()));
      await request(server).get('/api/v1/units').expect(200);
      for (const slow of held) slow.destroy();
      await sleep(200);
      await request(server).post('/api/v1/tickets').send(complaint()).expect(201);
    } finally {
      server.close();
    }
  });

  it('sheds intake while the event loop lags past BACKPRESSURE_MAX_LAG_MS, and takes it again once it recovers', async function () {
    this.timeout(20_000);
    const app = await testApp({ BACKPRESSURE_MAX_LAG_MS: '50' });
    // Work that holds the event loop 100 ms at a time for a second and a half: everything waits behind it.
    const until = Date.now() + 1_500;
    while (Date.now() < until) {
      const chunkEnd = Date.now() + 100;
      while (Date.now() < chunkEnd);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expectOverloaded(await request(app).post('/api/v1/tickets').send(complaint()));
    await sleep(1_500);
    await request(app).post('/api/v1/tickets').send(complaint()).expect(201);
  });

  it('takes intake right after one long synchronous task: a single stall is not a backlog', async () => {
    const app = await testApp({ BACKPRESSURE_MAX_LAG_MS: '50' });
    await sleep(600);
    const until = Date.now() + 1_200;
    while (Date.now() < until);
    await sleep(20);
    await request(app).post('/api/v1/tickets').send(complaint()).expect(201);
  });

  it('takes its bounds from the environment, with defaults, and stops the start on a wrong value', () => {
    expect(loadConfig({}).backpressure).to.deep.equal({
      maxEventLoopDelayMs: 200,
      maxInFlight: 200,
      retryAfterSeconds: 5,
      maxProjectorBacklog: 5000,
    });
    expect(
      loadConfig({
        BACKPRESSURE_MAX_LAG_MS: '0',
        BACKPRESSURE_MAX_IN_FLIGHT: '50',
        BACKPRESSURE_RETRY_AFTER: '30',
        BACKPRESSURE_MAX_BACKLOG: '0',
      }).backpressure,
    ).to.deep.equal({ maxEventLoopDelayMs: 0, maxInFlight: 50, retryAfterSeconds: 30, maxProjectorBacklog: 0 });
    expect(() => loadConfig({ BACKPRESSURE_MAX_IN_FLIGHT: 'lots' }))
      .to.throw(ConfigError)
      .with.property('variable', 'BACKPRESSURE_MAX_IN_FLIGHT');
  });
});
