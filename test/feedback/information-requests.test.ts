import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { calendarFor } from '../../src/modules/calendar/service.js';
import { escalateBreaches } from '../../src/modules/feedback/clocks.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { configureMailTransport, processOutboxOnce } from '../../src/modules/notifications/worker.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { useTestClock } from '../helpers/clock.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { TestMailServer } from '../helpers/mail-server.js';

/**
 * Information requests (UU 14/2008): their own answer clock of 10 working days from receipt, one extension of 7 with
 * a reason the requester is told, and the objection (keberatan) to the unit above with its own 30-working-day clock.
 * Real database, real SMTP server; the platform clock is the spec's (test/helpers/clock.ts) where time must pass.
 */
const DAY = 24 * 3600 * 1000;
const config = { publicUrl: 'http://localhost' };

describe('Information requests: the answer clock, its one extension and the objection', () => {
  useTestDatabase();
  const time = useTestClock();
  let app: Express;
  let mail: TestMailServer;
  let siteHead: request.Agent;
  let siteCsrf: string;
  let dinkesHead: request.Agent;
  let dinkesCsrf: string;

  before(async () => {
    mail = await TestMailServer.start();
    app = await testApp({ SMTP_URL: mail.url });
    configureMailTransport({ smtpUrl: mail.url, mailFrom: 'Suara <no-reply@suara.test>', dataDir: '/nonexistent' });
    await seedDirectory();
    siteHead = request.agent(app);
    siteCsrf = await signIn(siteHead, 'kepala.kebunhandil@suara.test');
    dinkesHead = request.agent(app);
    dinkesCsrf = await signIn(dinkesHead, 'kepala.dinkes@suara.test');
  });
  after(() => mail.close());
  beforeEach(resetRateLimits);

  async function requestInformation(kind = 'information_request') {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind,
        unitCode: 'PKM-KEBUNHANDIL',
        ...(kind === 'complaint' ? { category: 'waiting_time' } : {}),
        description: 'Mohon salinan laporan realisasi anggaran puskesmas tahun 2025.',
        reporter: { email: 'pemohon@contoh.id' },
        privacy: 'confidential',
        consent: true,
      })
      .expect(201);
    return { code: body.code as string, token: body.accessToken as string };
  }
  const ticketOf = async (code: string) => (await Ticket.findOne({ code }).lean<TicketDoc>())!;
  const act = async (agent: request.Agent, csrf: string, code: string, body: Record<string, unknown>) =>
    agent
      .patch(`/api/v1/tickets/${code}`)
      .set('X-CSRF-Token', csrf)
      .send({ revision: (await ticketOf(code)).revision, ...body });
  const citizen = (code: string, token: string) => request(app).get(`/api/v1/tickets/${code}`).query({ token });
  const object = (code: string, token: string, body = 'Permintaan saya tidak dijawab sampai batas waktu.') =>
    request(app).post(`/api/v1/tickets/${code}/objection`).set('X-Access-Token', token).send({ body });

  it('is due 10 working days after receipt and keeps that clock through verification and assignment', async () => {
    const { code } = await requestInformation();
    const ticket = await ticketOf(code);
    const calendar = await calendarFor(ticket);
    const due = calendar.dueAfterWorkingDays(ticket.createdAt, 10);
    expect(ticket.dueClock).to.equal('inform');
    expect(ticket.dueAt!.toISOString()).to.equal(due.toISOString());
    await (
      await act(siteHead, siteCsrf, code, { action: 'verify' })
    ).body;
    const verified = await ticketOf(code);
    expect(verified.status).to.equal('verified');
    expect(verified.dueClock).to.equal('inform');
    expect(verified.dueAt!.toISOString()).to.equal(due.toISOString());
  });

  it('is extended once by 7 working days with a reason the requester reads and is mailed; a second is refused', async () => {
    const { code, token } = await requestInformation();
    const before = await ticketOf(code);
    const missing = await act(siteHead, siteCsrf, code, { action: 'extend' });
    expect(missing.status).to.equal(400);
    const reason = 'Dokumen masih dikumpulkan dari bendahara dinas.';
    expect((await act(siteHead, siteCsrf, code, { action: 'extend', reason })).status).to.equal(200);
    const extended = await ticketOf(code);
    const calendar = await calendarFor(extended);
    expect(extended.dueAt!.toISOString()).to.equal(calendar.dueAfterWorkingDays(before.dueAt!, 7).toISOString());
    expect(extended.extension!.reason).to.equal(reason);

    const view = (await citizen(code, token).expect(200)).body;
    expect(view.information.extension.reason).to.equal(reason);
    const page = await request(app).get(`/track/${code}`).query({ token }).expect(200);
    expect(page.text).to.contain(reason);

    await processOutboxOnce(50);
    await mail.waitFor(2); // the receipt and the extension
    const told = mail.received.find((message) => message.text.includes(reason));
    expect(told?.envelopeTo).to.include('pemohon@contoh.id');

    const second = await act(siteHead, siteCsrf, code, { action: 'extend', reason: 'Butuh waktu lebih lama lagi.' });
    expect(second.status).to.equal(409);
    expect(second.body.error.message).to.match(/sekali/);
    expect((await ticketOf(code)).dueAt!.toISOString()).to.equal(extended.dueAt!.toISOString());
  });

  it('the staff ticket page offers the extension once, and the unit above the answer to an objection', async () => {
    const { code, token } = await requestInformation();
    const page = await siteHead.get(`/inbox/tickets/${code}`).expect(200);
    expect(page.text).to.contain('value="extend"').and.to.contain('jawaban permintaan informasi');
    const form = await siteHead
      .post(`/inbox/tickets/${code}/act`)
      .type('form')
      .send({
        _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1],
        revision: (await ticketOf(code)).revision,
        action: 'extend',
        reason: 'Dokumen masih dikumpulkan dari bendahara dinas.',
      });
    expect(form.status).to.equal(303);
    const after = await siteHead.get(`/inbox/tickets/${code}`).expect(200);
    expect(after.text).not.to.contain('value="extend"');
    await act(siteHead, siteCsrf, code, { action: 'reject', reason: 'other' }).then((r) =>
      expect(r.status).to.equal(200),
    );
    await object(code, token).expect(200);
    const above = await dinkesHead.get(`/inbox/tickets/${code}`).expect(200);
    expect(above.text).to.contain('value="answer_objection"').and.not.to.contain('value="resolve"');
    const english = await request(app).get(`/track/${code}`).query({ token, lang: 'en' }).set('Accept-Language', 'en');
    expect(english.text).to.contain('Your objection is being reviewed');
  });

  it('has no extension for a complaint', async () => {
    const { code } = await requestInformation('complaint');
    const refused = await act(siteHead, siteCsrf, code, { action: 'extend', reason: 'Alasan yang cukup panjang.' });
    expect(refused.status).to.equal(409);
  });

  it('a breached request is escalated to the unit above like any clock', async () => {
    const { code } = await requestInformation();
    const ticket = await ticketOf(code);
    const { escalated } = await escalateBreaches(config, new Date(ticket.dueAt!.getTime() + 60_000));
    expect(escalated).to.be.at.least(1);
    const after = await ticketOf(code);
    expect(after.history.some((entry) => entry.action === 'escalated' && entry.from === 'inform')).to.equal(true);
  });

  it('an objection waits for grounds, then goes to the unit above with its own 30-working-day clock', async () => {
    const { code, token } = await requestInformation();
    const early = await object(code, token).expect(409);
    expect(early.body.error.message).to.match(/tidak dijawab tepat waktu/);
    // Not answered in time: 20 calendar days on, the 10 working days have passed.
    time.advance(20 * DAY);
    const offered = (await citizen(code, token).expect(200)).body;
    expect(offered.information).to.include({ mayObject: true, grounds: 'late' });
    const lodged = (await object(code, token).expect(200)).body;
    expect(lodged.status).to.equal('in_progress');
    const ticket = await ticketOf(code);
    expect(ticket.dueClock).to.equal('objection');
    expect(ticket.decisionUnitCode).to.equal('JAMBI-DINKES');
    const calendar = await calendarFor(ticket);
    expect(ticket.dueAt!.toISOString()).to.equal(calendar.dueAfterWorkingDays(ticket.objection!.at!, 30).toISOString());
    await object(code, token).expect(409);

    // An objection is answered with its outcome, not merely resolved.
    const resolved = await act(dinkesHead, dinkesCsrf, code, { action: 'resolve' });
    expect(resolved.status).to.equal(409);
    // The unit that missed the deadline does not decide the objection; the unit above does.
    const own = await act(siteHead, siteCsrf, code, {
      action: 'answer_objection',
      outcome: 'upheld',
      body: 'Diterima.',
    });
    expect(own.status).to.equal(403);
    const decided = await act(dinkesHead, dinkesCsrf, code, {
      action: 'answer_objection',
      outcome: 'upheld',
      body: 'Keberatan diterima; salinan laporan terlampir di balasan ini.',
    });
    expect(decided.status).to.equal(200);
    const after = await ticketOf(code);
    expect(after.status).to.equal('resolved');
    expect(after.objection!.outcome).to.equal('upheld');
    const view = (await citizen(code, token).expect(200)).body;
    expect(view.information.objection.outcome).to.equal('upheld');
  });

  it('a breached objection clock is escalated', async () => {
    const { code, token } = await requestInformation();
    await act(siteHead, siteCsrf, code, { action: 'reject', reason: 'other' }).then((r) =>
      expect(r.status).to.equal(200),
    );
    await object(code, token, 'Penolakan tidak beralasan menurut UU KIP.').expect(200);
    const ticket = await ticketOf(code);
    await escalateBreaches(config, new Date(ticket.dueAt!.getTime() + 60_000));
    const after = await ticketOf(code);
    expect(after.history.some((entry) => entry.action === 'escalated' && entry.from === 'objection')).to.equal(true);
  });

  it('an objection to a refusal is refused after the 30-working-day window', async () => {
    const { code, token } = await requestInformation();
    await act(siteHead, siteCsrf, code, { action: 'reject', reason: 'other' }).then((r) =>
      expect(r.status).to.equal(200),
    );
    time.advance(50 * DAY);
    const late = await object(code, token).expect(409);
    expect(late.body.error.message).to.match(/30 hari kerja/);
    const page = await request(app).get(`/track/${code}`).query({ token }).expect(200);
    expect(page.text).not.to.contain('objection-form');
  });

  it('the tracking page offers the objection form without JavaScript once a request is refused', async () => {
    const { code, token } = await requestInformation();
    await act(siteHead, siteCsrf, code, { action: 'reject', reason: 'other' }).then((r) =>
      expect(r.status).to.equal(200),
    );
    const agent = request.agent(app);
    const page = await agent.get(`/track/${code}`).query({ token }).expect(200);
    expect(page.text).to.contain('objection-form');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    await agent
      .post(`/track/${code}/objection`)
      .type('form')
      .send({ _csrf: csrf, token, body: 'Informasi ini bukan informasi yang dikecualikan.' })
      .expect(303);
    expect((await ticketOf(code)).objection!.grounds).to.equal('refused');
  });
});
