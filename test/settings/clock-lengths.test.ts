import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { createUser } from '../../src/modules/accounts/service.js';
import { calendarFor } from '../../src/modules/calendar/service.js';
import { saveService } from '../../src/modules/directory/service.js';
import { Category } from '../../src/modules/feedback/categories.js';
import { ClockSettings, clockLengthsFor } from '../../src/modules/feedback/clock-settings.js';
import { useTestClock } from '../helpers/clock.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { unseal } from '../../src/platform/crypto.js';
import { wallClockLabel } from '../../src/platform/calendar.js';
import { fileComplaint, PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

/**
 * Clock lengths as an agency setting (docs/domain.md#clocks): an admin shortens the legal clocks of their agency on
 * the settings page or its JSON twin, never past the regulation's maximum; tickets filed or moved on from then on get
 * the shorter deadlines, those already running keep theirs, and a category or a service promising less still wins.
 */
const NATIONAL = {
  verifyWorkingDays: 3,
  followUpWorkingDays: 5,
  resolveWorkingDays: 14,
  autoCloseWorkingDays: 10,
  escalateAgainWorkingDays: 2,
};
const JAMBI = { agencyCode: 'JAMBI', timeZone: 'Asia/Jakarta' };

describe('Clock lengths: an agency shortens its legal clocks, within the law, for deadlines set from then on', function () {
  this.timeout(60_000);
  useTestDatabase();
  let app: Express;
  interface Signed {
    agent: request.Agent;
    csrf: string;
  }
  let jambi: Signed;
  let head: Signed;

  const as = async (email: string): Promise<Signed> => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  const put = (who: Signed, agency: string, body: object, lang = 'id') =>
    who.agent
      .put(`/api/v1/agencies/${agency}/settings`)
      .set('X-CSRF-Token', who.csrf)
      .set('Accept-Language', lang)
      .send(body);
  const post = (who: Signed, url: string, body: Record<string, string>, lang = 'id') =>
    who.agent
      .post(url)
      .type('form')
      .set('Accept-Language', lang)
      .send({ _csrf: who.csrf, ...body });
  const lengthsOf = async () =>
    (await jambi.agent.get('/api/v1/agencies/JAMBI/settings').expect(200)).body.clockLengths;
  const ticket = async (code: string) => (await Ticket.findOne({ code }).lean<TicketDoc>())!;
  const due = async (from: Date, workingDays: number) =>
    (await calendarFor(JAMBI)).dueAfterWorkingDays(from, workingDays).toISOString();
  const lastAt = (doc: TicketDoc, action: string, to?: string) =>
    doc.history.filter((entry) => entry.action === action && (to === undefined || entry.to === to)).at(-1)!.at;

  const file = async (extra: Record<string, unknown> = {}) => (await fileComplaint(app, extra)).code;
  const act = async (who: Signed, code: string, body: Record<string, unknown>) =>
    who.agent
      .patch(`/api/v1/tickets/${code}`)
      .set('X-CSRF-Token', who.csrf)
      .send({ revision: (await ticket(code)).revision, ...body })
      .expect(200);
  const answer = async (code: string) =>
    head.agent
      .post(`/api/v1/tickets/${code}/replies`)
      .set('X-CSRF-Token', head.csrf)
      .send({ revision: (await ticket(code)).revision, body: 'Surat Anda sedang kami proses hari ini.' })
      .expect(201);

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'admin.ambon@suara.test',
      name: 'Admin Ambon',
      password: PASSWORD,
      role: 'admin',
      unitCode: 'AMBON',
    });
    await saveService(admin, 'PKM-KEBUNHANDIL', {
      code: 'SURAT-SEHAT',
      name: 'Surat Keterangan Sehat',
      targetWaitMinutes: 30,
      targetCompletionDays: 3,
    });
  });
  beforeEach(async () => {
    await resetRateLimits();
    jambi = await as('admin.jambi@suara.test');
    head = await as('kepala.dinkes@suara.test');
  });

  it('shows the national lengths with their bounds and says a change applies to deadlines set from then on', async () => {
    expect(await lengthsOf()).to.deep.equal(NATIONAL);
    const page = await jambi.agent.get('/admin/settings/JAMBI').expect(200);
    expect(page.text).to.include('Batas waktu penanganan laporan');
    expect(page.text).to.include('batas waktu laporan yang sudah berjalan tidak berubah');
    expect(page.text).to.include('name="resolveWorkingDays" type="number" inputmode="numeric" min="1" max="14"');
    expect(page.text).to.include('1–14 hari kerja, bawaan 14');
    const english = await jambi.agent.get('/admin/settings/JAMBI').set('Accept-Language', 'en').expect(200);
    expect(english.text).to.include('deadlines of tickets already running stay as they are');
  });

  it('saves shorter clocks from the page without JavaScript, audited, and new deadlines use them', async () => {
    const before = await file();
    const beforeDoc = await ticket(before);

    await post(jambi, '/admin/settings/JAMBI/clocks', {
      verifyWorkingDays: '2',
      followUpWorkingDays: '3',
      resolveWorkingDays: '7',
      autoCloseWorkingDays: '5',
      escalateAgainWorkingDays: '1',
    })
      .expect(303)
      .expect('location', '/admin/settings/JAMBI');
    const shorter = {
      verifyWorkingDays: 2,
      followUpWorkingDays: 3,
      resolveWorkingDays: 7,
      autoCloseWorkingDays: 5,
      escalateAgainWorkingDays: 1,
    };
    expect(await lengthsOf()).to.deep.equal(shorter);
    const [entry] = await AuditEntry.find({ action: 'feedback.clock_lengths', target: 'JAMBI' }).lean();
    expect(entry!.details).to.deep.equal({ before: NATIONAL, after: shorter });
    expect(String(entry!.actorId)).to.be.a('string');

    // The ticket filed before keeps its deadline.
    expect((await ticket(before)).dueAt!.toISOString()).to.equal(beforeDoc.dueAt!.toISOString());
    expect(beforeDoc.dueAt!.toISOString()).to.equal(await due(beforeDoc.createdAt, 3));

    // A new one runs on the agency's lengths, clock after clock.
    const code = await file({ reporter: { email: 'warga.jambi@contoh.id' } });
    const filed = await ticket(code);
    expect(filed.dueAt!.toISOString()).to.equal(await due(filed.createdAt, 2));
    // The receipt tells the citizen that due time, not the national "3 working days".
    const receipt = (await Outbox.findOne({ template: 'ticket.receipt', reference: code }).lean())!;
    expect(JSON.parse(unseal(receipt.dataSealed!))).to.include({
      dueLabel: wallClockLabel(filed.dueAt!, filed.timeZone, 'id'),
      answerDue: false,
    });
    await act(head, code, { action: 'verify' });
    const verified = await ticket(code);
    expect(verified).to.include({ dueClock: 'followUp' });
    expect(verified.dueAt!.toISOString()).to.equal(await due(lastAt(verified, 'status', 'verified'), 3));
    await answer(code);
    const answered = await ticket(code);
    expect(answered).to.include({ dueClock: 'resolve' });
    expect(answered.dueAt!.toISOString()).to.equal(await due(lastAt(answered, 'reply'), 7));
    await act(head, code, { action: 'resolve', body: 'Surat sudah bisa diambil.' });
    const resolved = await ticket(code);
    expect(resolved).to.include({ status: 'resolved', dueClock: 'autoClose' });
    expect(resolved.dueAt!.toISOString()).to.equal(await due(resolved.resolvedAt!, 5));
    // The citizen is told the agency's auto-close length, not the national one.
    const mail = (await Outbox.findOne({ template: 'ticket.resolved', reference: code }).lean())!;
    expect(JSON.parse(unseal(mail.dataSealed!))).to.include({ autoCloseDays: 5 });
  });

  it('lets a category or a service that promises less still win over the agency’s length', async () => {
    await put(jambi, 'JAMBI', { clockLengths: { verifyWorkingDays: 3, resolveWorkingDays: 7 } }).expect(200);
    await Category.updateOne({ code: 'slow_processing' }, { $set: { verifyWorkingDays: 1 } });
    try {
      const code = await file({ serviceCode: 'SURAT-SEHAT' });
      const filed = await ticket(code);
      expect(filed.dueAt!.toISOString()).to.equal(await due(filed.createdAt, 1));
      await act(head, code, { action: 'verify' });
      await answer(code);
      const answered = await ticket(code);
      expect(answered.dueAt!.toISOString()).to.equal(await due(lastAt(answered, 'reply'), 3));
    } finally {
      await Category.updateOne({ code: 'slow_processing' }, { $set: { verifyWorkingDays: null } });
    }
  });

  it('refuses a clock longer than the law or outside its bounds, in both languages, and changes nothing', async () => {
    await put(jambi, 'JAMBI', { clockLengths: NATIONAL }).expect(200);
    const audits = await AuditEntry.countDocuments({ action: 'feedback.clock_lengths' });
    const longer = await put(jambi, 'JAMBI', { clockLengths: { resolveWorkingDays: 15 } }).expect(400);
    expect(longer.body.error.fields.resolveWorkingDays).to.equal(
      'Batas waktu penyelesaian harus 1 sampai 14 hari kerja (batas PermenPANRB 62/2018).',
    );
    const english = await put(jambi, 'JAMBI', { clockLengths: { verifyWorkingDays: 4 } }, 'en').expect(400);
    expect(english.body.error.fields.verifyWorkingDays).to.equal(
      'Verification must take 1 to 3 working days (the limit of PermenPANRB 62/2018).',
    );
    for (const hostile of [
      { followUpWorkingDays: 0 },
      { followUpWorkingDays: -1 },
      { followUpWorkingDays: 2.5 },
      { followUpWorkingDays: '<script>alert(1)</script>' },
      { followUpWorkingDays: 'x'.repeat(50_000) },
      { followUpWorkingDays: [1, 2] },
      { followUpWorkingDays: { $gt: 1 } },
      { autoCloseWorkingDays: 4 },
      { autoCloseWorkingDays: 31 },
      { escalateAgainWorkingDays: 11 },
      { escalateAgainWorkingDays: '1e309' },
    ]) {
      const refused = await put(jambi, 'JAMBI', { clockLengths: hostile });
      expect(refused.status, JSON.stringify(hostile).slice(0, 60)).to.equal(400);
    }
    await put(jambi, 'JAMBI', { clockLengths: 'fourteen' }).expect(400);
    // One bad field refuses the whole change: the good one beside it is not saved either.
    await put(jambi, 'JAMBI', { clockLengths: { verifyWorkingDays: 1, resolveWorkingDays: 30 } }).expect(400);

    const page = await post(
      jambi,
      '/admin/settings/JAMBI/clocks',
      {
        ...Object.fromEntries(Object.entries(NATIONAL).map(([key, value]) => [key, String(value)])),
        resolveWorkingDays: '20',
      },
      'en',
    ).expect(400);
    expect(page.text).to.include('Resolution must take 1 to 14 working days (the limit of PermenPANRB 62/2018).');
    expect(page.text).to.include(
      'name="resolveWorkingDays" type="number" inputmode="numeric" min="1" max="14" step="1" required value="20"',
    );

    // Another form of the page refused keeps the clock lengths shown as saved.
    const other = await post(jambi, '/admin/settings/JAMBI/retention', { contactDays: '5' }).expect(400);
    expect(other.text).to.include(
      'name="verifyWorkingDays" type="number" inputmode="numeric" min="1" max="3" step="1" required value="3"',
    );

    expect(await lengthsOf()).to.deep.equal(NATIONAL);
    expect(await AuditEntry.countDocuments({ action: 'feedback.clock_lengths' })).to.equal(audits);
  });

  it('refuses another agency’s admin and a unit head, and leaves the other agency on the national lengths', async () => {
    await put(jambi, 'JAMBI', { clockLengths: { resolveWorkingDays: 10 } }).expect(200);
    const ambon = await as('admin.ambon@suara.test');
    await put(ambon, 'JAMBI', { clockLengths: { resolveWorkingDays: 1 } }).expect(403);
    await post(ambon, '/admin/settings/JAMBI/clocks', { ...NATIONAL, resolveWorkingDays: '1' } as never).expect(403);
    await put(head, 'JAMBI', { clockLengths: { resolveWorkingDays: 1 } }).expect(403);
    await put(jambi, 'PKM-KEBUNHANDIL', { clockLengths: { resolveWorkingDays: 1 } }).expect(404);
    expect((await lengthsOf()).resolveWorkingDays).to.equal(10);
    expect((await ambon.agent.get('/api/v1/agencies/AMBON/settings').expect(200)).body.clockLengths).to.deep.equal(
      NATIONAL,
    );
  });

  describe('another process', () => {
    const time = useTestClock();

    it('sees a change made by another process within 5 seconds (the kept lookup’s age)', async () => {
      await put(jambi, 'JAMBI', { clockLengths: { followUpWorkingDays: 5 } }).expect(200);
      expect((await clockLengthsFor('JAMBI')).followUpWorkingDays).to.equal(5);
      // Another process writes past this one's models: this one does not count the write.
      await ClockSettings.collection.updateOne({ _id: 'JAMBI' as never }, { $set: { followUpWorkingDays: 2 } });
      expect((await clockLengthsFor('JAMBI')).followUpWorkingDays).to.equal(5);
      time.advance(5_001);
      expect((await clockLengthsFor('JAMBI')).followUpWorkingDays).to.equal(2);
      await put(jambi, 'JAMBI', { clockLengths: { followUpWorkingDays: 5 } }).expect(200);
    });
  });
});
