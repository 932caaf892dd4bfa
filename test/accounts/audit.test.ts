import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { AUDIT_PAGE_SIZE } from '../../src/modules/audit/service.js';
import { AuditEntry, recordAudit } from '../../src/platform/audit-log.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { findUnitByCode } from '../../src/modules/directory/service.js';
import { plainJpeg } from '../helpers/files.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

interface Row {
  at: string;
  when: string;
  who: { name: string; email: string } | null;
  action: string;
  actionLabel: string;
  target: string | null;
  targetHref: string | null;
  reason: string | null;
  ip: string | null;
}
interface Log {
  page: number;
  hasNext: boolean;
  entries: Row[];
}

const SITI = '198503152010012001'; // Puskesmas Kebun Handil, Jambi

describe('The audit log for the inspectorate (/admin/audit, GET /api/v1/audit)', () => {
  useTestDatabase();
  let app: Express;
  let jambiCode: string;
  let ambonCode: string;
  let attachmentId: string;
  const agents: Record<string, request.Agent> = {};

  const agentOf = async (email: string) => {
    if (!agents[email]) {
      agents[email] = request.agent(app);
      (agents[email] as request.Agent & { csrf?: string }).csrf = await signIn(agents[email]!, email);
    }
    return agents[email] as request.Agent & { csrf: string };
  };
  const log = async (email: string, query: Record<string, string> = {}) =>
    (await (await agentOf(email)).get('/api/v1/audit').query(query).expect(200)).body as Log;

  async function file(unitCode: string) {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .field('kind', 'complaint')
      .field('unitCode', unitCode)
      .field('category', 'officer_conduct')
      .field('description', 'Petugas loket berkata kasar kepada ibu saya ketika mengurus berkas.')
      .field('reporter[name]', 'Rahmat Hidayat')
      .field('reporter[email]', 'rahmat@contoh.id')
      .field('privacy', 'confidential')
      .field('consent', 'true')
      .attach('attachments', plainJpeg(), { filename: 'foto.jpg', contentType: 'image/jpeg' })
      .expect(201);
    return body.code as string;
  }

  async function reveal(email: string, code: string, reason: string) {
    const agent = await agentOf(email);
    await agent.post(`/api/v1/tickets/${code}/contact`).set('X-CSRF-Token', agent.csrf).send({ reason }).expect(200);
  }

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    const account = (email: string, name: string, role: 'viewer' | 'unit_head' | 'coach', unitCode: string) =>
      createUser(admin, { email, name, password: PASSWORD, role, unitCode });
    await account('inspektorat.jambi@suara.test', 'Inspektorat Jambi', 'viewer', 'JAMBI');
    await account('inspektorat.ambon@suara.test', 'Inspektorat Ambon', 'viewer', 'AMBON');
    await account('kepala.dukcapil@suara.test', 'Kepala Dukcapil', 'unit_head', 'AMB-DUKCAPIL');
    await account('pembina.dinkes@suara.test', 'Pembina Dinkes', 'coach', 'JAMBI-DINKES');

    // More than a page of older changes on a Jambi unit, for paging.
    const putriAyu = await findUnitByCode('PKM-PUTRIAYU');
    for (let i = 0; i < AUDIT_PAGE_SIZE + 5; i++)
      await recordAudit(admin, 'unit.update', `PAGE-${String(i).padStart(2, '0')}`, null, null, {
        unitPath: putriAyu!.path,
      });

    jambiCode = await file('PKM-KEBUNHANDIL');
    ambonCode = await file('AMB-DUKCAPIL');
    await reveal('kepala.kebunhandil@suara.test', jambiCode, 'verification');
    await reveal('kepala.dukcapil@suara.test', ambonCode, 'follow_up');
    await request(app)
      .post('/api/v1/auth/login')
      .send({ email: 'penyusup@contoh.id', password: 'tebak-tebakan' })
      .expect(401);
    const head = await agentOf('kepala.kebunhandil@suara.test');
    attachmentId = (await head.get(`/api/v1/tickets/${jambiCode}`).expect(200)).body.attachments[0].id;
    await head.get(`/inbox/tickets/${jambiCode}/attachments/${attachmentId}`).expect(200);
    const coach = await agentOf('pembina.dinkes@suara.test');
    await coach.get(`/api/v1/officers/${SITI}/record`).expect(200);
  });
  beforeEach(resetRateLimits);

  it('shows a Jambi inspector who revealed a Jambi complainant’s contact, why, when and from where, and nothing of Ambon', async () => {
    const { entries } = await log('inspektorat.jambi@suara.test');
    const reveal = entries.find((row) => row.action === 'contact.view');
    expect(reveal).to.deep.include({
      who: { name: 'kepala.kebunhandil', email: 'kepala.kebunhandil@suara.test' },
      actionLabel: 'Membuka kontak pelapor',
      target: jambiCode,
      targetHref: `/inbox/tickets/${jambiCode}`,
      reason: 'Verifikasi laporan',
    });
    expect(reveal!.ip).to.match(/127\.0\.0\.1$/);
    expect(reveal!.when).to.match(/ WIB$/);
    const wire = JSON.stringify(entries);
    expect(wire).not.to.include(ambonCode);
    expect(wire).not.to.include('Tindak lanjut');
    // A failed sign-in concerns no unit: only a grant everywhere reads it.
    expect(entries.map((row) => row.action)).not.to.include('auth.failed');
  });

  it('shows the Ambon inspector Ambon’s entries only, in Ambon’s time (WIT)', async () => {
    const { entries } = await log('inspektorat.ambon@suara.test');
    const reveal = entries.find((row) => row.action === 'contact.view');
    expect(reveal).to.include({ target: ambonCode, reason: 'Tindak lanjut' });
    expect(reveal!.when).to.match(/ WIT$/);
    expect(JSON.stringify(entries)).not.to.include(jambiCode);
  });

  it('shows the platform administrator failed sign-ins (with the address tried) and every agency', async () => {
    const { entries } = await log('root@suara.test', { action: 'auth.failed' });
    expect(entries).to.have.length(1);
    expect(entries[0]).to.deep.include({
      who: null,
      actionLabel: 'Gagal masuk',
      target: 'penyusup@contoh.id',
    });
    expect(entries[0]!.ip).to.match(/127\.0\.0\.1$/);
    const reveals = await log('root@suara.test', { action: 'contact.view' });
    expect(reveals.entries.map((row) => row.target).sort()).to.deep.equal([jambiCode, ambonCode].sort());
  });

  it('logs every attachment a staff member downloads, on the ticket’s unit', async () => {
    const { entries } = await log('inspektorat.jambi@suara.test', { action: 'attachment.download' });
    expect(entries).to.have.length(1);
    expect(entries[0]).to.include({
      actionLabel: 'Mengunduh lampiran tiket',
      target: jambiCode,
      targetHref: `/inbox/tickets/${jambiCode}`,
    });
    expect(await log('inspektorat.ambon@suara.test', { action: 'attachment.download' })).to.have.property('entries')
      .that.is.empty;
  });

  it('shows a coach’s reading of an officer’s record to the inspectorate of the officer’s agency only', async () => {
    const jambi = await log('inspektorat.jambi@suara.test', { nip: SITI });
    const read = jambi.entries.find((row) => row.action === 'coaching.record.read');
    expect(read).to.deep.include({
      who: { name: 'Pembina Dinkes', email: 'pembina.dinkes@suara.test' },
      actionLabel: 'Membaca rekam jejak pegawai',
      // The inspectorate reads tickets, not coaching records: no link that would answer 403.
      targetHref: null,
    });
    expect((await log('inspektorat.ambon@suara.test', { nip: SITI })).entries).to.be.empty;
  });

  it('filters by person, ticket code, kind of action and dates, and each filter narrows what is shown', async () => {
    const byPerson = await log('root@suara.test', { person: 'kepala.dukcapil@suara.test' });
    expect(byPerson.entries.length).to.be.greaterThan(0);
    expect(byPerson.entries.every((row) => row.who?.email === 'kepala.dukcapil@suara.test')).to.equal(true);
    const byName = await log('root@suara.test', { person: 'Pembina', action: 'coaching.record.read' });
    expect(byName.entries).to.have.length(1);

    // A code as a person types it, in lower case with a space, is the same code.
    const byTicket = await log('root@suara.test', { ticket: jambiCode.toLowerCase().replace('-', ' ') });
    expect(byTicket.entries.map((row) => row.target)).to.satisfy((targets: string[]) =>
      targets.every((target) => target === jambiCode),
    );
    expect(byTicket.entries.map((row) => row.action)).to.include.members(['contact.view', 'attachment.download']);

    const today = new Date().toISOString().slice(0, 10);
    expect((await log('root@suara.test', { from: '2020-01-01', to: '2020-12-31' })).entries).to.be.empty;
    expect((await log('root@suara.test', { from: '2020-01-01', action: 'contact.view' })).entries).to.have.length(2);
    expect((await log('root@suara.test', { to: today, ticket: ambonCode })).entries.length).to.be.greaterThan(0);
  });

  it('pages fifty entries at a time, newest first', async () => {
    const first = await log('inspektorat.jambi@suara.test', { action: 'unit.update' });
    expect(first.entries).to.have.length(AUDIT_PAGE_SIZE);
    expect(first.hasNext).to.equal(true);
    expect(first.entries[0]!.target).to.equal('PAGE-54');
    const second = await log('inspektorat.jambi@suara.test', { action: 'unit.update', page: '2' });
    expect(second.entries.map((row) => row.target)).to.deep.equal([
      'PAGE-04',
      'PAGE-03',
      'PAGE-02',
      'PAGE-01',
      'PAGE-00',
    ]);
    expect(second.hasNext).to.equal(false);
  });

  it('logs each reading of the log itself, where the reader’s superiors can see it', async () => {
    await log('inspektorat.jambi@suara.test', { ticket: jambiCode });
    const root = await log('root@suara.test', { action: 'audit.read', person: 'inspektorat.jambi@suara.test' });
    expect(root.entries.length).to.be.greaterThan(0);
    expect(root.entries[0]).to.include({ actionLabel: 'Membaca log audit' });
    const own = await log('inspektorat.jambi@suara.test', { action: 'audit.read' });
    expect(own.entries.some((row) => row.who?.email === 'inspektorat.jambi@suara.test')).to.equal(true);
    expect(own.entries.some((row) => row.who?.email === 'inspektorat.ambon@suara.test')).to.equal(false);
  });

  it('refuses unit heads, handlers and coaches, and people not signed in', async () => {
    for (const email of ['kepala.dinkes@suara.test', 'petugas@suara.test', 'pembina.dinkes@suara.test']) {
      await (await agentOf(email)).get('/api/v1/audit').expect(403);
      await (await agentOf(email)).get('/admin/audit.csv').expect(403);
    }
    await request(app).get('/api/v1/audit').expect(401);
    await request(app).get('/admin/audit').expect(303).expect('Location', '/login?next=%2Fadmin%2Faudit');
  });

  it('answers bad filters with 400 in the reader’s language, and logs no reading', async () => {
    const before = await AuditEntry.countDocuments({ action: 'audit.read' });
    const agent = await agentOf('inspektorat.jambi@suara.test');
    const english = await agent
      .get('/api/v1/audit')
      .set('Accept-Language', 'en')
      .query({ from: '2026-12-31', to: '2026-01-01', nip: '1234', ticket: 'not a code!' })
      .expect(400);
    expect(english.body.error).to.deep.include({ code: 'validation' });
    expect(english.body.error.fields).to.include({
      ticket: 'A ticket code has 8 letters and digits, e.g. K7PQ-4XQ2.',
      nip: 'Wrong format.',
    });
    const order = await agent.get('/api/v1/audit').query({ from: '2026-12-31', to: '2026-01-01' }).expect(400);
    expect(order.body.error.fields).to.deep.equal({ to: 'Tanggal awal harus sebelum tanggal akhir.' });
    const page = await agent.get('/admin/audit').query({ from: '2026-02-30' }).expect(400);
    expect(page.text).to.include('Formatnya tidak sesuai.');
    expect(await AuditEntry.countDocuments({ action: 'audit.read' })).to.equal(before);
  });

  it('renders the page without JavaScript in both languages, with labels, links and the next page', async () => {
    const agent = await agentOf('inspektorat.jambi@suara.test');
    const id = (await agent.get('/admin/audit').query({ action: 'contact.view' }).expect(200)).text;
    expect(id).to.include('<h1>Log audit</h1>');
    expect(id).to.include('Membuka kontak pelapor');
    expect(id).to.include(`<a href="/inbox/tickets/${jambiCode}">${jambiCode}</a>`);
    expect(id).to.include('Verifikasi laporan');
    expect(id).not.to.include('<script');
    const en = (await agent.get('/admin/audit').query({ lang: 'en', action: 'unit.update' }).expect(200)).text;
    expect(en).to.include('<h1>Audit log</h1>');
    expect(en).to.include('Changed a unit');
    // Handlebars writes = and & as entities; a browser reads them back.
    const links = [...en.matchAll(/href="([^"]+)"/g)].map((match) =>
      match[1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'),
    );
    expect(links).to.include.members(['/admin/audit?action=unit.update&page=2', '/admin/audit.csv?action=unit.update']);
  });

  it('exports the same filters as CSV, every value in the reader’s language', async () => {
    const agent = await agentOf('inspektorat.jambi@suara.test');
    const csv = await agent
      .get('/admin/audit.csv')
      .query({ ticket: jambiCode, lang: 'en' })
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      })
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const lines = (csv.body as string)
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).to.equal('When,Who,E-mail,Action,Ticket / officer / object,Reason,Network address');
    const reveal = lines.find((line) => line.includes('Revealed the reporter’s contact'))!;
    expect(reveal).to.include(
      `kepala.kebunhandil,kepala.kebunhandil@suara.test,Revealed the reporter’s contact,${jambiCode},Verifying the report,`,
    );
    expect(reveal).to.match(/^"\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2} WIB",/); // the time in Jambi's zone
    expect(lines.slice(1).every((line) => line.includes(jambiCode))).to.equal(true);
    const api = await agent.get('/api/v1/audit').query({ format: 'csv', ticket: ambonCode }).expect(200);
    expect(
      api.text
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n'),
    ).to.have.length(1); // Ambon's: header only
    expect(
      await AuditEntry.countDocuments({ action: 'audit.read', 'details.format': 'csv', 'details.ticket': jambiCode }),
    ).to.equal(1);
  });
});
