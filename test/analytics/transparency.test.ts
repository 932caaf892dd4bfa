import { expect } from 'chai';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { eventsSettled } from '../../src/platform/events.js';
import { useTestDatabase, resetRateLimits } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { insertWorkedExample } from './pages-helpers.js';

const PHONE = '081298765432';
const EMAIL = 'rahmat.hidayat@contoh.id';
const NIK = '1571010101900001';
const NAME = 'Rahmat Hidayat';

describe('"You said, we did" moderation and the public transparency page', function () {
  this.timeout(90_000); // many requests each; the shared machine can be slow
  useTestDatabase();
  let app: Express;
  let head: request.Agent;
  let csrf: string;

  /** Files a ticket as a citizen and, unless told otherwise, verifies and resolves it as the unit head. */
  async function ticket(options: { privacy?: string; kind?: string; resolve?: boolean } = {}) {
    await resetRateLimits();
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: options.kind ?? 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: `Antrean pendaftaran pagi sangat lama, dua jam. Hubungi saya ${PHONE} atau ${EMAIL}, NIK ${NIK}.`,
        reporter: { name: NAME, email: EMAIL, phone: PHONE },
        privacy: options.privacy ?? 'public',
        consent: true,
      })
      .expect(201);
    const code = filed.body.code as string;
    if (options.resolve === false) return code;
    const act = async (body: Record<string, unknown>) => {
      const { ticket: current } = (await head.get(`/api/v1/tickets/${code}`).expect(200)).body;
      await head
        .patch(`/api/v1/tickets/${code}`)
        .set('X-CSRF-Token', csrf)
        .send({ revision: current.revision, ...body })
        .expect(200);
    };
    await act({ action: 'verify' });
    await act({
      action: 'resolve',
      body: `Loket pagi kini dibuka pukul 07.00. Kabari kami di ${PHONE} bila masih lama.`,
    });
    return code;
  }

  before(async () => {
    app = await testApp();
    await seedDirectory();
    await insertWorkedExample('PKM-KEBUNHANDIL', new Date(Date.now() - 3 * 3600_000));
    head = request.agent(app);
    csrf = await signIn(head, 'kepala.kebunhandil@suara.test');
  });

  const everywhere = async () => {
    const [page, english, json, display] = await Promise.all([
      request(app).get('/transparansi').expect(200),
      request(app).get('/transparency?lang=en').expect(200),
      request(app).get('/api/v1/transparency').expect(200),
      request(app).get('/display/PKM-KEBUNHANDIL').expect(200),
    ]);
    return { page: page.text, english: english.text, json: JSON.stringify(json.body), display: display.text };
  };

  it('shows per unit the IKM and grade, tickets received and resolved, without sign-in, in both languages, small', async () => {
    const code = await ticket();
    await eventsSettled(); // rollups follow the ticket's events after the answer has gone out
    const { body } = await request(app).get('/api/v1/transparency').expect(200);
    const unit = body.units.find((entry: { code: string }) => entry.code === 'PKM-KEBUNHANDIL');
    expect(unit).to.deep.include({ name: 'Puskesmas Kebun Handil', ikm: 91.48, grade: 'A', received: 1, resolved: 1 });
    expect(body).to.have.keys('units', 'youSaidWeDid');
    expect(unit).to.include.keys(
      'code',
      'name',
      'agencyCode',
      'ikm',
      'grade',
      'label',
      'respondents',
      'received',
      'resolved',
      'answeredInTimeShare',
      'medianResolveHours',
    );
    const page = await request(app).get('/transparansi').expect(200);
    expect(page.text).to.include('Transparansi layanan publik');
    // A card per unit on phones: every figure carries its label; the index in the page's number format, beside its
    // respondents and the minimum sample (unknown here: the unit has no yearly service users on file).
    const row = /<tr[^>]*>\s*<th scope="row">Puskesmas Kebun Handil<\/th>[\s\S]*?<\/tr>/.exec(page.text)?.[0] ?? '';
    expect(row).to.include('data-label="IKM">91,48</td>');
    expect(row).to.include('A · Sangat Baik');
    expect(row).to.include('data-label="Jumlah responden">29</td>');
    expect(row).to.include('data-label="Diterima">1</td>');
    expect(row).to.include('data-label="Selesai">1</td>');
    expect(page.text).not.to.include('/api/v1/transparency');
    expect(Buffer.byteLength(page.text)).to.be.below(60 * 1024);
    expect(page.text).not.to.include('<script');
    const english = await request(app).get('/transparency').set('Accept-Language', 'en').expect(200);
    expect(english.text).to.include('Public service transparency');
    expect(english.text).to.include('Median time to resolve');
    // One agency at a time (the page stays small at national scale; the JSON has the same filter).
    const ambon = await request(app).get('/transparansi?unitCode=AMBON').expect(200);
    expect(ambon.text).to.include('<th scope="row">Disdukcapil Kota Ambon</th>');
    expect(ambon.text).not.to.include('<th scope="row">Puskesmas Kebun Handil</th>');
    expect(ambon.text).to.include('<option value="AMBON" selected>');
    const ambonJson = await request(app).get('/api/v1/transparency?unitCode=AMBON').expect(200);
    expect(ambonJson.body.units.map((entry: { code: string }) => entry.code)).to.deep.equal(['AMBON', 'AMB-DUKCAPIL']);
    await request(app).get('/transparansi?unitCode=NOPE-UNIT').expect(404);
    const home = await request(app).get('/').expect(200);
    expect(home.text).to.include('href="/transparansi"');
    // Before moderation nothing of the ticket is public.
    const before = await everywhere();
    for (const text of Object.values(before)) {
      expect(text).not.to.include('Antrean pendaftaran pagi');
      expect(text).not.to.include(code);
    }
  });

  it('keeps no session for a visitor: the public pages set no cookie and store nothing; a page with a form does', async () => {
    const sessions = () => mongoose.connection.collection('sessions').countDocuments();
    const before = await sessions();
    for (const path of ['/transparansi', '/transparency?lang=en', '/display/PKM-KEBUNHANDIL', '/']) {
      const response = await request(app).get(path).expect(200);
      expect(response.headers['set-cookie'] ?? [], path).not.to.satisfy((lines: string[]) =>
        lines.some((line) => line.startsWith('suara.sid=')),
      );
      expect(response.headers['cache-control'] ?? '', path).not.to.include('private');
    }
    expect(await sessions()).to.equal(before);
    // The sign-in form needs a token, so that page alone starts a session (the login specs post with its token).
    const login = await request(app).get('/login').expect(200);
    expect(String(login.headers['set-cookie'])).to.match(/^suara\.sid=/);
    expect(login.text).to.match(/name="_csrf" value="[\w-]{20,}"/);
    expect(await sessions()).to.equal(before + 1);
  });

  it('publishes only what a unit head approved, scrubbed of contact data, and takes it down when withdrawn', async () => {
    const code = await ticket();
    const { body } = await head.get('/api/v1/analytics/showcase?unitCode=PKM-KEBUNHANDIL').expect(200);
    const candidate = body.items.find((item: { code: string }) => item.code === code);
    expect(candidate.suggestedYouSaid).to.include('Antrean pendaftaran pagi sangat lama');
    expect(candidate.suggestedYouSaid).to.include('[telepon]');
    expect(candidate.suggestedWeDid).to.include('Loket pagi kini dibuka pukul 07.00.');
    expect(JSON.stringify(candidate)).not.to.include(PHONE);
    expect(JSON.stringify(candidate)).not.to.include(EMAIL);

    // The head pastes text that still carries contact data: it is scrubbed on the way in.
    const approved = await head
      .post('/api/v1/analytics/showcase')
      .set('X-CSRF-Token', csrf)
      .send({
        ticketCode: code,
        youSaid: `Antrean pendaftaran pagi terlalu lama (${PHONE}, ${EMAIL}, ${NIK}).`,
        weDid: 'Loket pendaftaran kini dibuka pukul 07.00 dengan dua petugas.',
      })
      .expect(201);
    expect(approved.body).to.deep.include({ kind: 'you_said_we_did', unitCode: 'PKM-KEBUNHANDIL' });
    expect(approved.body).not.to.have.property('ticketCode');
    expect(await AuditEntry.countDocuments({ action: 'showcase.approve', target: code })).to.equal(1);

    const after = await everywhere();
    expect(after.page).to.include('Loket pendaftaran kini dibuka pukul 07.00 dengan dua petugas.');
    expect(after.english).to.include('We did:');
    expect(after.json).to.include('Loket pendaftaran kini dibuka pukul 07.00');
    expect(after.display).to.include('Loket pendaftaran kini dibuka pukul 07.00');
    for (const text of Object.values(after)) {
      expect(text).not.to.include(PHONE);
      expect(text).not.to.include(EMAIL);
      expect(text).not.to.include(NIK);
      expect(text).not.to.include(NAME);
      expect(text).not.to.include(code);
    }

    await head.post(`/api/v1/analytics/showcase/${approved.body.id}/withdraw`).set('X-CSRF-Token', csrf).expect(200);
    const withdrawn = await everywhere();
    for (const text of Object.values(withdrawn)) expect(text).not.to.include('Loket pendaftaran kini dibuka');
  });

  it('refuses anonymous, confidential and unresolved tickets, other roles and bad input', async () => {
    const anonymous = await ticket({ privacy: 'anonymous' });
    const confidential = await ticket({ privacy: 'confidential' });
    const open = await ticket({ resolve: false });
    const send = (agent: request.Agent, token: string, body: Record<string, unknown>) =>
      agent.post('/api/v1/analytics/showcase').set('X-CSRF-Token', token).send(body);
    const pair = { youSaid: 'Antrean terlalu lama.', weDid: 'Loket dibuka lebih pagi.' };
    const refusedAnonymous = await send(head, csrf, { ticketCode: anonymous, ...pair })
      .set('Accept-Language', 'en')
      .expect(400);
    expect(refusedAnonymous.body.error.fields.ticketCode).to.equal(
      'Only tickets with public privacy can be published.',
    );
    await send(head, csrf, { ticketCode: confidential, ...pair }).expect(400);
    const refusedOpen = await send(head, csrf, { ticketCode: open, ...pair }).expect(400);
    expect(refusedOpen.body.error.fields.ticketCode).to.equal('Hanya tiket yang sudah selesai yang dapat ditampilkan.');
    const list = (await head.get('/api/v1/analytics/showcase').expect(200)).body.items.map(
      (item: { code: string }) => item.code,
    );
    expect(list).not.to.include.members([anonymous, confidential, open]);

    const resolved = await ticket();
    await send(head, csrf, { ticketCode: resolved, youSaid: 'x' }).expect(400); // too short, and no "we did"
    await send(head, csrf, { ticketCode: 'SRA-NOPE', ...pair }).expect(404);
    const handler = request.agent(app);
    const handlerCsrf = await signIn(handler, 'petugas@suara.test');
    await send(handler, handlerCsrf, { ticketCode: resolved, ...pair }).expect(403);
    await handler.get('/analytics/showcase').expect(403);
    const admin = request.agent(app);
    const adminCsrf = await signIn(admin, 'admin.jambi@suara.test');
    await send(admin, adminCsrf, { ticketCode: resolved, ...pair }).expect(403);
    await request(app)
      .post('/api/v1/analytics/showcase')
      .send({ ticketCode: resolved, ...pair })
      .expect(401);
  });

  it('works as a page: a form per resolved public ticket, posted with the CSRF token', async () => {
    const code = await ticket();
    const page = await head.get('/analytics/showcase?unitCode=PKM-KEBUNHANDIL').expect(200);
    expect(page.text).to.include(`id="t-${code}"`);
    expect(page.text).not.to.include(PHONE);
    const saved = await head
      .post('/analytics/showcase')
      .type('form')
      .send({
        _csrf: csrf,
        unitCode: 'PKM-KEBUNHANDIL',
        ticketCode: code,
        youSaid: 'Ruang tunggu panas.',
        weDid: 'Dua kipas angin dipasang.',
      })
      .expect(303);
    expect(saved.headers.location).to.equal('/analytics/showcase?unitCode=PKM-KEBUNHANDIL');
    await head.post('/analytics/showcase').type('form').send({ ticketCode: code, youSaid: 'Tanpa token.' }).expect(403);
    const refused = await head
      .post('/analytics/showcase')
      .type('form')
      .send({ _csrf: csrf, unitCode: 'PKM-KEBUNHANDIL', ticketCode: code, youSaid: 'Ruang tunggu panas.' })
      .expect(400);
    expect(refused.text).to.include('Wajib diisi.');
    const published = await request(app).get('/transparansi').expect(200);
    expect(published.text).to.include('Dua kipas angin dipasang.');
  });
});
