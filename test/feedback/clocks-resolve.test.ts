import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import type { Actor } from '../../src/platform/access.js';
import { calendarFor } from '../../src/modules/calendar/service.js';
import { saveService } from '../../src/modules/directory/service.js';
import { clockJobs, escalateBreaches } from '../../src/modules/feedback/clocks.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { breachKey } from '../../src/modules/feedback/statuses.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { subscribe, type DomainEvents } from '../../src/platform/events.js';
import { Scheduler } from '../../src/platform/scheduler.js';
import { fileComplaint, PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

/**
 * The resolution clock (docs/domain.md#clocks): the first public answer gives the unit 14 working days to resolve
 * the ticket, fewer where its service promises fewer; a breach climbs the unit tree one level each two working days
 * while it lasts. Puskesmas Kebun Handil (WIB) sits under Dinas Kesehatan under Provinsi Jambi.
 */
const JAMBI = { agencyCode: 'JAMBI', timeZone: 'Asia/Jakarta' };
const config = { publicUrl: 'https://suara.jambiprov.go.id' };
const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;

describe('Clocks: a ticket answered once must still be resolved in time, and its breach climbs the tree', () => {
  useTestDatabase();
  let app: Express;
  let admin: Actor;
  let head: request.Agent;
  let headCsrf: string;
  let handler: request.Agent;
  let handlerCsrf: string;
  let handlerId: string;
  const ids: Record<string, string> = {};
  let notices: DomainEvents['user.notice'][] = [];
  const unsubscribe: (() => void)[] = [];

  before(async () => {
    app = await testApp();
    ({ admin } = await seedDirectory());
    await createUser(admin, {
      email: 'sekda@jambiprov.go.id',
      name: 'Sekretaris Daerah Provinsi Jambi',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'JAMBI',
    });
    await saveService(admin, 'PKM-KEBUNHANDIL', {
      code: 'SURAT-SEHAT',
      name: 'Surat Keterangan Sehat',
      targetWaitMinutes: 30,
      targetCompletionDays: 3,
    });
    await saveService(admin, 'PKM-KEBUNHANDIL', {
      code: 'RUJUKAN',
      name: 'Surat Rujukan',
      targetWaitMinutes: 30,
      targetCompletionDays: 30,
    });
    for (const email of ['kepala.dinkes@suara.test', 'sekda@jambiprov.go.id', 'kepala.kebunhandil@suara.test'])
      ids[email] = String((await User.findOne({ email }).lean())!._id);
    head = request.agent(app);
    headCsrf = await signIn(head, 'kepala.dinkes@suara.test');
    handler = request.agent(app);
    handlerCsrf = await signIn(handler, 'petugas@suara.test');
    handlerId = String((await User.findOne({ email: 'petugas@suara.test' }).lean())!._id);
    unsubscribe.push(subscribe('user.notice', (notice) => void notices.push(notice)));
  });
  after(() => unsubscribe.forEach((stop) => stop()));
  beforeEach(async () => {
    notices = [];
    await resetRateLimits();
  });

  const ticket = async (code: string) => (await Ticket.findOne({ code }).lean<TicketDoc>())!;
  const noticesFor = (code: string) => notices.filter((n) => n.ticketCode === code).map((n) => n.userId);
  const escalationMails = (code: string) => Outbox.countDocuments({ template: 'staff.escalation', reference: code });

  const file = (extra: Record<string, unknown> = {}) => fileComplaint(app, extra);

  const act = async (agent: request.Agent, csrf: string, code: string, body: Record<string, unknown>) =>
    (
      await agent
        .patch(`/api/v1/tickets/${code}`)
        .set('X-CSRF-Token', csrf)
        .send({ revision: (await ticket(code)).revision, ...body })
        .expect(200)
    ).body;

  const answer = async (code: string, body = 'Surat Anda sedang kami proses, mohon maaf atas keterlambatannya.') =>
    handler
      .post(`/api/v1/tickets/${code}/replies`)
      .set('X-CSRF-Token', handlerCsrf)
      .send({ revision: (await ticket(code)).revision, body })
      .expect(201);

  /** Verified by the Dinas head, assigned to the handler and answered by them for the first time, now. */
  async function fileAndAnswer(extra: Record<string, unknown> = {}) {
    const filed = await file(extra);
    await act(head, headCsrf, filed.code, { action: 'verify' });
    await act(head, headCsrf, filed.code, { action: 'assign', assigneeId: handlerId });
    await answer(filed.code);
    const answered = await ticket(filed.code);
    const answeredAt = answered.history.find((entry) => entry.action === 'reply')!.at;
    return { ...filed, answered, answeredAt };
  }

  /** Files a complaint, then arranges the past: first answered at `answeredAt`, due 14 working days later. */
  async function answeredAt(answered: Date) {
    const { code } = await file();
    const dueAt = (await calendarFor(JAMBI)).dueAfterWorkingDays(answered, 14);
    await Ticket.collection.updateOne(
      { code },
      {
        $set: {
          status: 'in_progress',
          assignee: { userId: new mongoose.Types.ObjectId(handlerId), name: 'petugas' },
          dueAt,
          dueClock: 'resolve',
          'due.resolve': dueAt,
        },
      },
    );
    return { code, dueAt };
  }

  describe('starting the resolution clock', () => {
    it('gives the unit 14 working days to resolve from its first answer, and a second answer leaves that time', async () => {
      const { code, answered, answeredAt } = await fileAndAnswer();
      const calendar = await calendarFor(JAMBI);
      expect(answered).to.include({ status: 'in_progress', dueClock: 'resolve' });
      expect(answered.dueAt!.toISOString()).to.equal(calendar.dueAfterWorkingDays(answeredAt, 14).toISOString());
      expect(answered.due!.resolve!.toISOString()).to.equal(answered.dueAt!.toISOString());
      expect(answered.due!.followUp).to.be.an.instanceOf(Date); // the follow-up clock it met stays on record

      await answer(code, 'Surat sudah ditandatangani kepala puskesmas, tinggal dicap.');
      const again = await ticket(code);
      expect(again.dueAt!.toISOString()).to.equal(answered.dueAt!.toISOString());
      expect(again.dueClock).to.equal('resolve');
    });

    it("uses the service's standard of 3 working days, shorter than the law's, and never a longer one of 30", async () => {
      const calendar = await calendarFor(JAMBI);
      const short = await fileAndAnswer({ serviceCode: 'SURAT-SEHAT' });
      expect(short.answered.dueAt!.toISOString()).to.equal(
        calendar.dueAfterWorkingDays(short.answeredAt, 3).toISOString(),
      );
      const long = await fileAndAnswer({ serviceCode: 'RUJUKAN' });
      expect(long.answered.dueAt!.toISOString()).to.equal(
        calendar.dueAfterWorkingDays(long.answeredAt, 14).toISOString(),
      );
      // A service without a completion standard (0 in the directory) leaves the national limit.
      const none = await fileAndAnswer({ serviceCode: 'POLI-UMUM' });
      expect(none.answered.dueAt!.toISOString()).to.equal(
        calendar.dueAfterWorkingDays(none.answeredAt, 14).toISOString(),
      );
    });

    it('moves the resolution time on by the working days the ticket waited for the citizen', async () => {
      const { code, accessToken, answered } = await fileAndAnswer();
      await act(handler, handlerCsrf, code, { action: 'ask', body: 'Mohon kirim foto KTP Anda.' });
      // The question went out a week before the answer comes back: five working days at least stood still.
      const pausedAt = new Date(Date.now() - 7 * 24 * 60 * MINUTE);
      await Ticket.collection.updateOne({ code }, { $set: { pausedAt } });
      await request(app)
        .post(`/api/v1/tickets/${code}/replies`)
        .set('X-Access-Token', accessToken)
        .send({ body: 'Foto KTP sudah saya kirim lewat surel ke puskesmas.' })
        .expect(200);

      const resumed = await ticket(code);
      const resumedAt = resumed.history.find((entry) => entry.action === 'citizen_reply')!.at;
      const extended = (await calendarFor(JAMBI)).extendDue(answered.dueAt!, pausedAt, resumedAt);
      expect(extended.getTime()).to.be.greaterThan(answered.dueAt!.getTime());
      expect(resumed).to.include({ status: 'in_progress', dueClock: 'resolve' });
      expect(resumed.dueAt!.toISOString()).to.equal(extended.toISOString());
    });
  });

  describe('a resolution breach climbing the tree', () => {
    // First answered Monday 2 March 2026, 10:00 WIB. 18–24 March are Nyepi, Idul Fitri and cuti bersama, so the
    // fourteenth working day is Friday 27 March: due at its end, 16:59:59.999 UTC.
    const answered = at('2026-03-02T10:00:00+07:00');
    const dueIso = '2026-03-27T16:59:59.999Z';
    // Two working days late (Monday 30 and Tuesday 31 March ended): Wednesday 1 April, 00:00 WIB.
    const twoDaysLate = at('2026-03-31T17:00:30Z');

    it('goes to Dinas Kesehatan when the 14 days run out, to the province two working days later, then stops', async () => {
      const { code, dueAt } = await answeredAt(answered);
      expect(dueAt.toISOString()).to.equal(dueIso);

      expect((await escalateBreaches(config, at('2026-03-27T16:59:00Z'))).escalated).to.equal(0);
      await escalateBreaches(config, at('2026-03-28T01:00:00Z')); // Saturday morning
      const first = await ticket(code);
      expect(first.escalated).to.deep.equal([breachKey('resolve', dueAt)]);
      expect(first.history.at(-1)).to.deep.include({
        action: 'escalated',
        from: 'resolve',
        to: 'JAMBI-DINKES',
        public: false,
      });
      expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test']]);

      // Within the two working days, every run finds nothing more to do.
      await escalateBreaches(config, at('2026-03-30T03:00:00Z'));
      await escalateBreaches(config, at('2026-03-31T16:59:00Z'));
      expect((await ticket(code)).escalated).to.have.length(1);

      await escalateBreaches(config, twoDaysLate);
      const second = await ticket(code);
      expect(second.escalated).to.deep.equal([breachKey('resolve', dueAt), breachKey('resolve', dueAt, 2)]);
      expect(second.history.at(-1)).to.deep.include({ action: 'escalated', from: 'resolve', to: 'JAMBI' });
      expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test'], ids['sekda@jambiprov.go.id']]);

      // The province is the agency: weeks later there is nobody above it to tell.
      await escalateBreaches(config, at('2026-04-20T03:00:00Z'));
      expect((await ticket(code)).escalated).to.have.length(2);
      expect((await ticket(code)).history.filter((entry) => entry.action === 'escalated')).to.have.length(2);
      expect(await escalationMails(code)).to.equal(2);
      expect(noticesFor(code)).not.to.include(ids['kepala.kebunhandil@suara.test']);
    });

    it('stops climbing once the unit resolves the ticket', async () => {
      const { code } = await answeredAt(answered);
      await escalateBreaches(config, at('2026-03-28T01:00:00Z'));
      await act(handler, handlerCsrf, code, { action: 'resolve', body: 'Surat sudah bisa diambil di loket 1.' });
      const resolved = await ticket(code);
      expect(resolved).to.include({ status: 'resolved', dueClock: 'autoClose' });

      await escalateBreaches(config, twoDaysLate);
      expect((await ticket(code)).escalated).to.have.length(1);
      expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test']]);
    });

    it('escalates each level exactly once when two processes run the job, and when three runs overlap', async () => {
      const { code, dueAt } = await answeredAt(answered);
      let time = at('2026-03-28T01:00:00Z');
      const job = clockJobs(config).find((candidate) => candidate.name === 'feedback.escalate_breaches')!;
      const web1 = new Scheduler({ owner: 'web-1', now: () => time });
      const web2 = new Scheduler({ owner: 'web-2', now: () => time });
      web1.register(job);
      web2.register(job);
      const tickBoth = async () => {
        const started = await Promise.all([web1.tick(), web2.tick()]);
        await Promise.all([web1.idle(), web2.idle()]);
        return started.flat();
      };

      expect(await tickBoth()).to.have.length(1);
      time = new Date(time.getTime() + MINUTE);
      expect(await tickBoth()).to.have.length(1);
      expect((await ticket(code)).escalated).to.deep.equal([breachKey('resolve', dueAt)]);

      // The second level, claimed by three runs at once (a lapsed lease): one wins.
      await Promise.all([
        escalateBreaches(config, twoDaysLate),
        escalateBreaches(config, twoDaysLate),
        escalateBreaches(config, twoDaysLate),
      ]);
      time = new Date(twoDaysLate.getTime() + MINUTE);
      await tickBoth();

      const after = await ticket(code);
      expect(after.escalated).to.deep.equal([breachKey('resolve', dueAt), breachKey('resolve', dueAt, 2)]);
      expect(after.history.filter((entry) => entry.action === 'escalated').map((entry) => entry.to)).to.deep.equal([
        'JAMBI-DINKES',
        'JAMBI',
      ]);
      expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test'], ids['sekda@jambiprov.go.id']]);
      expect(await escalationMails(code)).to.equal(2);
    });
  });
});
