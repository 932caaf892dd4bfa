import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import {
  attachDisplayGateway,
  DISPLAY_NAMESPACE,
  DISPLAY_UPDATE,
  type DisplayGateway,
  type DisplayPayload,
} from '../../src/modules/analytics/display/gateway.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory } from '../helpers/app.js';
import { signIn, until } from '../inbox/live.js';
import { survey } from '../surveys/fixtures.js';
import { insertWorkedExample } from './pages-helpers.js';

/** The app and the display gateway on one real HTTP server, as src/server.ts runs them. */
async function startDisplayServer() {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'suara-display-')) });
  await ensureReferenceData();
  const http: HttpServer = createServer(createApp({ config, sessionSecret: 'display-test-secret-'.padEnd(48, 'x') }));
  const io = new Server(http, { serveClient: false });
  const gateway: DisplayGateway = attachDisplayGateway(io, { throttleMs: 300 });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      await gateway.close();
      const closing = io.close();
      http.closeAllConnections();
      await closing;
    },
  };
}

const PHONE = '081377788899';
const EMAIL = 'warga.ambon@contoh.id';

describe('The hall display (/display/<unitCode>): live over Socket.IO, public, nothing personal', function () {
  this.timeout(90_000); // many requests each; the shared machine can be slow
  useTestDatabase();
  let server: Awaited<ReturnType<typeof startDisplayServer>>;
  const sockets: ClientSocket[] = [];

  /** A screen: connects to /display for the unit and records every update it is sent. */
  async function screen(unitCode: string) {
    const socket = connect(`${server.baseUrl}${DISPLAY_NAMESPACE}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { unitCode },
    });
    sockets.push(socket);
    const updates: DisplayPayload[] = [];
    socket.on(DISPLAY_UPDATE, (payload: DisplayPayload) => updates.push(payload));
    await until(`the first update for ${unitCode}`, 5000, () => (updates.length ? true : undefined));
    return { socket, updates, last: () => updates.at(-1)! };
  }

  const json = async (url: string, init: RequestInit & { cookie?: string; csrf?: string } = {}) => {
    const response = await fetch(`${server.baseUrl}${url}`, {
      ...init,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.csrf ? { 'X-CSRF-Token': init.csrf } : {}),
      },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const submitSurvey = async () => {
    await resetRateLimits();
    const answered = await json('/api/v1/surveys', { method: 'POST', body: JSON.stringify(survey()) });
    expect(answered.status).to.equal(201);
  };

  before(async function () {
    this.timeout(30_000);
    await seedDirectory();
    await insertWorkedExample('PKM-KEBUNHANDIL', new Date(Date.now() - 2 * 3600_000));
    server = await startDisplayServer();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  after(async () => server?.close());

  it('serves a public page in large type with the figures, a meta refresh without JavaScript, and the live script', async () => {
    const page = await fetch(`${server.baseUrl}/display/pkm-kebunhandil`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include('<noscript><meta http-equiv="refresh" content="60"></noscript>');
    expect(html).to.match(/<script src="\/static\/vendor\/socket\.io\.min\.js\?v=[\w-]+" defer><\/script>/);
    expect(html).to.match(/<script src="\/static\/js\/display\.js\?v=[\w-]+" defer><\/script>/);
    expect(html).to.include('data-unit-code="PKM-KEBUNHANDIL"');
    expect(html).to.include('<p class="display-number" id="d-ikm">91,48</p>');
    expect(html).not.to.include('<nav'); // no staff menu, no sign-in link on a hall screen
    expect((await fetch(`${server.baseUrl}/display/NOPE-UNIT`)).status).to.equal(404);
    expect((await fetch(`${server.baseUrl}/display/%3Cscript%3E`)).status).to.equal(404);
    expect((await fetch(`${server.baseUrl}/static/js/display.js`)).status).to.equal(200);
  });

  it('sends fresh figures to the unit and every unit above it after a survey, and nothing to other units', async () => {
    const unit = await screen('PKM-KEBUNHANDIL');
    const dinas = await screen('JAMBI-DINKES');
    const ambon = await screen('AMB-DUKCAPIL');
    expect(unit.last()).to.deep.include({
      ikm: 91.48,
      ikmText: '91,48',
      grade: 'A',
      label: 'Sangat Baik',
      respondents: 29,
    });
    const before = unit.last().todaySurveys;
    const dinasBefore = dinas.last().todaySurveys;

    await submitSurvey();
    await until('the unit screen to count the new answer', 8000, () =>
      unit.last().todaySurveys === before + 1 ? true : undefined,
    );
    await until('the Dinas screen to count it too', 8000, () =>
      dinas.last().todaySurveys === dinasBefore + 1 ? true : undefined,
    );
    expect(unit.last().respondents).to.equal(30);
    expect(ambon.updates).to.have.length(1); // its first figures only

    // A burst of answers ends in the right count (updates are throttled per unit, the last change always sent).
    for (let index = 0; index < 3; index++) await submitSurvey();
    await until('the burst to be counted', 8000, () => (unit.last().todaySurveys === before + 4 ? true : undefined));
    // Every update was read once the answers counted everywhere: today's count and the quarter's respondents always
    // moved together (a screen refreshed between the unit's and the subtree's rollup writes would not).
    const gap = (update: DisplayPayload) => update.respondents - update.todaySurveys;
    expect(unit.updates.map(gap)).to.deep.equal(unit.updates.map(() => gap(unit.updates[0]!)));
  });

  it('refuses a screen for a unit that does not exist', async () => {
    const socket = connect(`${server.baseUrl}${DISPLAY_NAMESPACE}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { unitCode: 'NOPE-UNIT' },
    });
    sockets.push(socket);
    const error = await new Promise<Error & { data?: { code?: string } }>((resolve) =>
      socket.once('connect_error', resolve),
    );
    expect(error.data?.code).to.equal('not_found');
  });

  it('shows a newly approved "you said, we did" item live, scrubbed, and never any contact data', async () => {
    const hall = await screen('PKM-KEBUNHANDIL');
    const head = await signIn(server.baseUrl, 'kepala.kebunhandil@suara.test');
    await resetRateLimits();
    const filed = await json('/api/v1/tickets', {
      method: 'POST',
      body: JSON.stringify({
        kind: 'compliment',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'officer_conduct',
        description: `Perawat di poli umum sangat sabar. Terima kasih! (${PHONE}, ${EMAIL})`,
        reporter: { name: 'Warga', email: EMAIL, phone: PHONE },
        privacy: 'public',
        consent: true,
      }),
    });
    expect(filed.status).to.equal(201);
    const code = filed.body.code as string;
    for (const action of ['verify', 'resolve']) {
      const current = await json(`/api/v1/tickets/${code}`, { cookie: head.cookie });
      const revision = (current.body.ticket as { revision: number }).revision;
      const acted = await json(`/api/v1/tickets/${code}`, {
        method: 'PATCH',
        cookie: head.cookie,
        csrf: head.csrfToken,
        body: JSON.stringify({ revision, action }),
      });
      expect(acted.status).to.equal(200);
    }
    const approved = await json('/api/v1/analytics/showcase', {
      method: 'POST',
      cookie: head.cookie,
      csrf: head.csrfToken,
      body: JSON.stringify({ ticketCode: code, youSaid: `Perawat poli umum sangat sabar (${PHONE}).` }),
    });
    expect(approved.status).to.equal(201);
    const shown = await until('the compliment on the screen', 8000, () =>
      hall.last().compliments.length ? hall.last() : undefined,
    );
    expect(shown.compliments[0]!.youSaid).to.equal('Perawat poli umum sangat sabar ([telepon]).');
    for (const update of hall.updates) {
      const text = JSON.stringify(update);
      expect(text).not.to.include(PHONE);
      expect(text).not.to.include(EMAIL);
      expect(text).not.to.include(code);
      expect(Object.keys(update).sort()).to.deep.equal(
        [
          'at',
          'compliments',
          'grade',
          'ikm',
          'ikmText',
          'label',
          'period',
          'respondents',
          'todaySurveys',
          'unit',
          'youSaidWeDid',
        ].sort(),
      );
    }
    const page = await (await fetch(`${server.baseUrl}/display/PKM-KEBUNHANDIL`)).text();
    expect(page).to.include('Perawat poli umum sangat sabar ([telepon]).');
    expect(page).not.to.include(PHONE);
    expect(page).not.to.include(EMAIL);
  });
});
