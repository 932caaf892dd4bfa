import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import type { Actor } from '../../src/platform/access.js';
import { calendarFor } from '../../src/modules/calendar/service.js';
import {
  autoCloseResolved,
  clockJobs,
  escalateBreaches,
  sendMorningDigests,
} from '../../src/modules/feedback/clocks.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { breachKey } from '../../src/modules/feedback/statuses.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { configureMailTransport, processOutboxOnce } from '../../src/modules/notifications/worker.js';
import { subscribe, type DomainEvents } from '../../src/platform/events.js';
import { Scheduler } from '../../src/platform/scheduler.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { TestMailServer } from '../helpers/mail-server.js';

/**
 * The scheduled side of the legal clocks, against the real database, real scheduler leases and a real SMTP server.
 * Tickets are filed through the API, then given the receipt or resolution time a spec needs; the due times come
 * from the agency's business calendar (national holidays of 2026 are seeded), and each spec states the expected
 * instant literally so that a calendar mistake fails here.
 */
const AMBON = { agencyCode: 'AMBON', timeZone: 'Asia/Jayapura' };
const JAMBI = { agencyCode: 'JAMBI', timeZone: 'Asia/Jakarta' };
const config = { publicUrl: 'https://suara.ambon.go.id' };
const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;

describe('Clocks: breaches escalate to the head of the parent unit, resolved tickets close themselves', () => {
  useTestDatabase();
  let app: Express;
  let mail: TestMailServer;
  let admin: Actor;
  const heads: Record<string, Actor> = {};
  let notices: DomainEvents['user.notice'][] = [];
  let updates: DomainEvents['ticket.updated'][] = [];
  const unsubscribe: (() => void)[] = [];

  before(async () => {
    mail = await TestMailServer.start();
    app = await testApp({ SMTP_URL: mail.url });
    configureMailTransport({ smtpUrl: mail.url, mailFrom: 'Suara <no-reply@suara.test>', dataDir: '/nonexistent' });
    ({ admin } = await seedDirectory());
    const head = (email: string, name: string, unitCode: string) =>
      createUser(admin, { email, name, password: PASSWORD, role: 'unit_head', unitCode });
    heads.ambon = await head('sekda@ambon.go.id', 'Sekretaris Daerah Kota Ambon', 'AMBON');
    heads.ambonDeputy = await head('asisten@ambon.go.id', 'Asisten Pemerintahan', 'AMBON');
    heads.dukcapil = await head('kadis.dukcapil@ambon.go.id', 'Kepala Disdukcapil', 'AMB-DUKCAPIL');
    // The deputy reads English: each head is written to in their own language.
    await User.updateOne({ email: 'asisten@ambon.go.id' }, { $set: { lang: 'en' } });
    unsubscribe.push(
      subscribe('user.notice', (notice) => void notices.push(notice)),
      subscribe('ticket.updated', (event) => void updates.push(event)),
    );
  });
  after(async () => {
    unsubscribe.forEach((stop) => stop());
    await mail.close();
  });
  beforeEach(async () => {
    notices = [];
    updates = [];
    await resetRateLimits();
  });

  /** Files a complaint through the API, then dates its receipt `receivedAt` with the verify clock that follows. */
  async function fileAt(unitCode: string, receivedAt: Date, calendar = AMBON) {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode,
        category: 'slow_processing',
        description: 'Pembuatan KTP elektronik sudah tiga minggu belum selesai, petugas hanya bilang tunggu.',
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    const verifyBy = (await calendarFor(calendar)).dueAfterWorkingDays(receivedAt, 3);
    // The driver's own update: createdAt is immutable to Mongoose, and this is the past being arranged.
    await Ticket.collection.updateOne(
      { code: body.code },
      { $set: { createdAt: receivedAt, 'history.0.at': receivedAt, dueAt: verifyBy, 'due.verify': verifyBy } },
    );
    return { code: body.code as string, accessToken: body.accessToken as string, dueAt: verifyBy };
  }

  /** The unit answered at `resolvedAt`: resolved, with the auto-close clock of 10 working days. */
  async function resolveAt(code: string, resolvedAt: Date, calendar = AMBON) {
    const autoClose = (await calendarFor(calendar)).dueAfterWorkingDays(resolvedAt, 10);
    await Ticket.collection.updateOne(
      { code },
      {
        $set: { status: 'resolved', resolvedAt, dueAt: autoClose, dueClock: 'autoClose', 'due.autoClose': autoClose },
        $push: {
          history: { at: resolvedAt, actor: { kind: 'staff' }, action: 'status', to: 'resolved', public: true },
        } as never,
      },
    );
    return autoClose;
  }

  const ticket = async (code: string) => (await Ticket.findOne({ code }).lean<TicketDoc>())!;
  const escalationMails = (code: string) => Outbox.find({ template: 'staff.escalation', reference: code }).lean();

  describe('escalating a breach', () => {
    it('counts a WIT complaint over Isra Mikraj and the weekend, and escalates it only once Wednesday has ended in Ambon', async () => {
      // Thursday 15 January 2026, 10:00 WIT; Friday 16 January is Isra Mikraj, then the weekend: the three working
      // days are Monday to Wednesday, so the verify clock runs out at the end of Wednesday 21 January, WIT.
      const { code, dueAt } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      expect(dueAt.toISOString()).to.equal('2026-01-21T14:59:59.999Z');

      // 23:59 on Wednesday in Ambon (21:59 in Jakarta): still within the limit.
      expect((await escalateBreaches(config, at('2026-01-21T14:59:00Z'))).escalated).to.equal(0);
      expect((await escalateBreaches(config, dueAt)).escalated).to.equal(0);
      expect((await ticket(code)).escalated).to.deep.equal([]);

      // 00:00:30 on Thursday in Ambon.
      const before = await ticket(code);
      expect((await escalateBreaches(config, at('2026-01-21T15:00:30Z'))).escalated).to.equal(1);
      const after = await ticket(code);
      expect(after.escalated).to.deep.equal([breachKey('verify', dueAt)]);
      expect(after.revision).to.equal(before.revision + 1);
      expect(after.status).to.equal('received'); // escalation tells people; it changes nothing else
      expect(after.history.at(-1)).to.deep.include({ action: 'escalated', from: 'verify', public: false });
      expect(after.history.at(-1)!.actor.kind).to.equal('system');
      expect(updates.filter((event) => event.code === code)).to.have.length(1);
      expect(updates.find((event) => event.code === code)).to.include({ change: 'escalated', public: false });
    });

    it("tells both heads of Kota Ambon live and by e-mail, each in their language, and not the late unit's own head", async () => {
      const { code } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      await escalateBreaches(config, at('2026-01-22T01:00:00Z'));

      expect(notices.filter((notice) => notice.ticketCode === code).map((notice) => notice.userId)).to.have.members([
        heads.ambon!.id,
        heads.ambonDeputy!.id,
      ]);
      const notice = notices.find((n) => n.userId === heads.ambon!.id && n.ticketCode === code)!;
      expect(notice.kind).to.equal('escalation');
      expect(notice.message).to.include(code).and.to.include('Disdukcapil Kota Ambon').and.to.include('verifikasi');
      expect((await escalationMails(code)).map((m) => m.dedupeKey)).to.have.length(2);

      await processOutboxOnce(50);
      const received = mail.received.filter((m) => m.text.includes(code));
      expect(received.map((m) => m.envelopeTo[0])).to.have.members(['sekda@ambon.go.id', 'asisten@ambon.go.id']);
      const inIndonesian = received.find((m) => m.envelopeTo.includes('sekda@ambon.go.id'))!;
      expect(inIndonesian.subject).to.equal(`Eskalasi ${code}: batas waktu verifikasi terlewati`);
      expect(inIndonesian.text).to.include('Disdukcapil Kota Ambon');
      expect(inIndonesian.text).to.include('Batas waktu: Rabu, 21 Januari 2026 pukul 23.59 WIT');
      expect(inIndonesian.text).to.include('Terlambat: kurang dari satu hari kerja');
      expect(inIndonesian.text).to.include(`https://suara.ambon.go.id/inbox/tickets/${code}`);
      expect(inIndonesian.html).to.include(`href="https://suara.ambon.go.id/inbox/tickets/${code}"`);
      const inEnglish = received.find((m) => m.envelopeTo.includes('asisten@ambon.go.id'))!;
      expect(inEnglish.subject).to.equal(`Escalation ${code}: verification deadline missed`);
      expect(inEnglish.text).to.include('Deadline: Wednesday, 21 January 2026 at 23:59 WIT');
      expect(mail.received.some((m) => m.envelopeTo.includes('kadis.dukcapil@ambon.go.id'))).to.equal(false);
    });

    it('says how many working days late a breach is when the scheduler finds it late', async () => {
      const { code } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      // Monday 26 January, 09:00 WIT: Thursday 22 and Friday 23 have ended since the deadline.
      await escalateBreaches(config, at('2026-01-26T09:00:00+09:00'));
      await processOutboxOnce(50);
      const message = mail.received.find((m) => m.text.includes(code) && m.envelopeTo.includes('sekda@ambon.go.id'))!;
      expect(message.text).to.include('Terlambat: 2 hari kerja');
    });

    it('escalates a breach at a puskesmas to the head of Dinas Kesehatan, and one at an agency to its own heads', async () => {
      const puskesmas = await fileAt('PKM-KEBUNHANDIL', at('2026-02-02T09:00:00+07:00'), JAMBI);
      const agency = await fileAt('AMBON', at('2026-02-02T09:00:00+09:00'));
      await escalateBreaches(config, at('2026-02-10T00:00:00Z'));

      const dinkes = await User.findOne({ email: 'kepala.dinkes@suara.test' }).lean();
      const kebunhandil = await User.findOne({ email: 'kepala.kebunhandil@suara.test' }).lean();
      const toPuskesmas = notices.filter((n) => n.ticketCode === puskesmas.code).map((n) => n.userId);
      expect(toPuskesmas).to.deep.equal([String(dinkes!._id)]);
      expect(toPuskesmas).not.to.include(String(kebunhandil!._id));
      expect(notices.filter((n) => n.ticketCode === agency.code).map((n) => n.userId)).to.have.members([
        heads.ambon!.id,
        heads.ambonDeputy!.id,
      ]);
    });

    it('escalates exactly once when two processes run the job at the same moment, and not again next period', async () => {
      const { code } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      let time = at('2026-01-22T02:00:00Z');
      const now = () => time;
      const job = clockJobs(config).find((candidate) => candidate.name === 'feedback.escalate_breaches')!;
      const web1 = new Scheduler({ owner: 'web-1', now });
      const web2 = new Scheduler({ owner: 'web-2', now });
      web1.register(job);
      web2.register(job);
      const tickBoth = async () => {
        const started = await Promise.all([web1.tick(), web2.tick()]);
        await Promise.all([web1.idle(), web2.idle()]);
        return started.flat();
      };

      expect(await tickBoth()).to.have.length(1);
      time = new Date(time.getTime() + MINUTE);
      expect(await tickBoth()).to.have.length(1); // the next period runs, and finds nothing new
      time = new Date(time.getTime() + 60 * MINUTE);
      expect(await tickBoth()).to.have.length(1);

      expect((await ticket(code)).escalated).to.have.length(1);
      expect((await ticket(code)).history.filter((entry) => entry.action === 'escalated')).to.have.length(1);
      expect(notices.filter((n) => n.ticketCode === code)).to.have.length(2); // one per head
      expect(await escalationMails(code)).to.have.length(2);
    });

    it('escalates exactly once when two runs overlap (a lapsed lease), each head mailed once', async () => {
      const { code } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      const now = at('2026-01-22T03:00:00Z');
      const runs = await Promise.all([
        escalateBreaches(config, now),
        escalateBreaches(config, now),
        escalateBreaches(config, now),
      ]);
      // Other specs' tickets may be escalated here too; this ticket is claimed by one run only.
      expect((await ticket(code)).escalated).to.have.length(1);
      expect((await ticket(code)).history.filter((entry) => entry.action === 'escalated')).to.have.length(1);
      expect(runs.map((run) => run.escalated).reduce((a, b) => a + b)).to.be.greaterThan(0);
      expect(notices.filter((n) => n.ticketCode === code)).to.have.length(2);
      expect(updates.filter((event) => event.code === code)).to.have.length(1);

      const sentBefore = mail.received.length;
      await processOutboxOnce(50);
      const received = mail.received.slice(sentBefore).filter((m) => m.text.includes(code));
      expect(received.map((m) => m.envelopeTo[0]).sort()).to.deep.equal(['asisten@ambon.go.id', 'sekda@ambon.go.id']);
    });

    it('never escalates a ticket waiting for the citizen: its clock is paused', async () => {
      const { code } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      await Ticket.collection.updateOne(
        { code },
        { $set: { status: 'awaiting_citizen', pausedAt: at('2026-01-19T10:00:00+09:00') } },
      );
      await escalateBreaches(config, at('2026-02-20T00:00:00Z'));
      expect((await ticket(code)).escalated).to.deep.equal([]);
      expect(notices.filter((n) => n.ticketCode === code)).to.deep.equal([]);
      expect(await escalationMails(code)).to.have.length(0);
    });

    it('does not escalate a resolved or closed ticket, whatever its stored due time', async () => {
      const resolved = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      await Ticket.collection.updateOne({ code: resolved.code }, { $set: { status: 'resolved' } });
      const closed = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      await Ticket.collection.updateOne({ code: closed.code }, { $set: { status: 'closed' } });
      await escalateBreaches(config, at('2026-02-20T00:00:00Z'));
      expect((await ticket(resolved.code)).escalated).to.deep.equal([]);
      expect((await ticket(closed.code)).escalated).to.deep.equal([]);
    });

    it('escalates a missed first follow-up as a new breach after a missed verification', async () => {
      const { code, dueAt } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      await escalateBreaches(config, at('2026-01-22T00:00:00Z'));
      // Verified and assigned on Thursday 22 January: five working days, to the end of Thursday 29 January WIT.
      const followUp = (await calendarFor(AMBON)).dueAfterWorkingDays(at('2026-01-22T10:00:00+09:00'), 5);
      expect(followUp.toISOString()).to.equal('2026-01-29T14:59:59.999Z');
      await Ticket.collection.updateOne(
        { code },
        { $set: { status: 'assigned', dueAt: followUp, dueClock: 'followUp', 'due.followUp': followUp } },
      );
      await escalateBreaches(config, at('2026-01-29T14:00:00Z'));
      expect((await ticket(code)).escalated).to.have.length(1);
      await escalateBreaches(config, at('2026-01-29T15:01:00Z'));
      expect((await ticket(code)).escalated).to.deep.equal([
        breachKey('verify', dueAt),
        breachKey('followUp', followUp),
      ]);
      expect(await escalationMails(code)).to.have.length(4); // two breaches, two heads
    });

    it('keeps the escalation out of what the citizen sees', async () => {
      const { code, accessToken } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      await escalateBreaches(config, at('2026-01-22T00:00:00Z'));
      const view = (await request(app).get(`/api/v1/tickets/${code}`).set('X-Access-Token', accessToken).expect(200))
        .body;
      expect(view.timeline.map((entry: { action: string }) => entry.action)).to.deep.equal(['created']);
    });
  });

  describe('closing resolved tickets nobody answered', () => {
    // Resolved on Tuesday 17 March 2026, 10:00 WIT, the week of Nyepi and Idul Fitri: 18–24 March are holidays
    // and cuti bersama, 3 April is Good Friday, so the tenth working day is Wednesday 8 April.
    const resolvedAt = at('2026-03-17T10:00:00+09:00');
    const autoCloseAt = '2026-04-08T14:59:59.999Z';

    it('closes a resolved ticket after 10 working days without reply, and not a minute before', async () => {
      const { code, accessToken } = await fileAt('AMB-DUKCAPIL', at('2026-03-10T10:00:00+09:00'));
      const due = await resolveAt(code, resolvedAt);
      expect(due.toISOString()).to.equal(autoCloseAt);

      await autoCloseResolved(at('2026-04-08T14:59:00Z'));
      expect((await ticket(code)).status).to.equal('resolved');
      const before = await ticket(code);

      const closingTime = at('2026-04-08T15:00:30Z');
      await autoCloseResolved(closingTime);
      const closed = await ticket(code);
      expect(closed).to.deep.include({ status: 'closed', dueAt: null, dueClock: null, revision: before.revision + 1 });
      expect(closed.closedAt!.toISOString()).to.equal(closingTime.toISOString());
      expect(closed.history.at(-1)).to.deep.include({ action: 'status', from: 'resolved', to: 'closed', public: true });
      expect(closed.history.at(-1)!.actor.kind).to.equal('system');
      expect(updates.filter((event) => event.code === code)).to.have.length(1);
      expect(updates.find((event) => event.code === code)).to.include({ status: 'closed', public: true });

      const view = (await request(app).get(`/api/v1/tickets/${code}`).set('X-Access-Token', accessToken).expect(200))
        .body;
      expect(view.status).to.equal('closed');
      expect(view.timeline.at(-1)).to.include({ action: 'status', status: 'closed', by: 'system' });

      await autoCloseResolved(at('2026-04-09T00:00:00Z'));
      expect((await ticket(code)).revision).to.equal(closed.revision); // a closed ticket is left alone
    });

    it('leaves open a resolved ticket the citizen answered after the resolution', async () => {
      const { code, accessToken } = await fileAt('AMB-DUKCAPIL', at('2026-03-10T10:00:00+09:00'));
      await resolveAt(code, at(new Date(Date.now() - 60 * MINUTE).toISOString()));
      await request(app)
        .post(`/api/v1/tickets/${code}/replies`)
        .set('X-Access-Token', accessToken)
        .send({ body: 'KTP saya belum juga jadi, mohon dicek lagi.' })
        .expect(200);
      await autoCloseResolved(new Date(Date.now() + 60 * 24 * 60 * MINUTE));
      expect((await ticket(code)).status).not.to.equal('closed');
    });

    it('gives one coherent result when the citizen confirms at the moment the clock closes the ticket', async () => {
      for (let round = 0; round < 5; round++) {
        await resetRateLimits();
        const { code, accessToken } = await fileAt('AMB-DUKCAPIL', at('2026-03-10T10:00:00+09:00'));
        await resolveAt(code, resolvedAt);
        const before = await ticket(code);
        const [confirm] = await Promise.all([
          request(app).post(`/api/v1/tickets/${code}/confirm`).set('X-Access-Token', accessToken),
          autoCloseResolved(at('2026-04-09T00:00:00Z')),
        ]);
        const after = await ticket(code);
        expect(after.status).to.equal('closed');
        expect(after.revision).to.equal(before.revision + 1);
        const closings = after.history.filter((entry) => entry.to === 'closed');
        expect(closings).to.have.length(1);
        if (confirm.status === 200) expect(closings[0]!.action).to.equal('confirmed');
        else {
          expect(confirm.status).to.equal(409); // the clock closed it first: the citizen is told, nothing is lost
          expect(closings[0]!.actor.kind).to.equal('system');
        }
      }
    });
  });

  describe('the morning digest', () => {
    // Friday 23 January 2026: 07:05 WIT is 22:05 UTC the day before (and 05:05 in Jambi, too early there).
    const fridayMorning = at('2026-01-22T22:05:00Z');

    it('writes once a working day, from 07:00 in Ambon, to each head with unfinished tickets', async () => {
      await processOutboxOnce(100); // what earlier specs queued
      const { code } = await fileAt('AMB-DUKCAPIL', at('2026-01-15T10:00:00+09:00'));
      expect((await sendMorningDigests(config, at('2026-01-22T21:55:00Z'))).queued).to.equal(0); // 06:55 WIT
      await sendMorningDigests(config, fridayMorning);
      await sendMorningDigests(config, new Date(fridayMorning.getTime() + 30 * MINUTE));
      const digests = await Outbox.find({ template: 'staff.digest' }).lean();
      expect(digests.map((digest) => digest.dedupeKey)).to.have.members([
        `digest:${heads.ambon!.id}:2026-01-23`,
        `digest:${heads.ambonDeputy!.id}:2026-01-23`,
        `digest:${heads.dukcapil!.id}:2026-01-23`,
      ]);

      const sentBefore = mail.received.length;
      await processOutboxOnce(50);
      const received = mail.received.slice(sentBefore);
      expect(received).to.have.length(3);
      const sekda = received.find((m) => m.envelopeTo.includes('sekda@ambon.go.id'))!;
      expect(sekda.subject).to.match(/^Ringkasan pagi Jumat, 23 Januari 2026: \d+ laporan terbuka, \d+ terlambat$/);
      expect(sekda.text).to.include(code);
      expect(sekda.text).to.include('https://suara.ambon.go.id/inbox');
      expect(sekda.text).to.match(/- melewati batas waktu: [1-9]\d*\n/);
      expect(sekda.text).to.include('verifikasi, batas Rabu, 21 Januari 2026 pukul 23.59 WIT');
      // Nobody in Jambi: it is five in the morning there.
      expect(received.some((m) => m.envelopeTo.some((to) => to.endsWith('@suara.test')))).to.equal(false);

      // Saturday morning: no digest.
      expect((await sendMorningDigests(config, at('2026-01-23T22:05:00Z'))).queued).to.equal(0);
    });
  });
});
