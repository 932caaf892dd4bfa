import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { calendarFor } from '../../src/modules/calendar/service.js';
import { escalateBreaches } from '../../src/modules/feedback/clocks.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { breachKey } from '../../src/modules/feedback/statuses.js';
import { clock } from '../../src/platform/clock.js';
import { subscribe, type DomainEvents } from '../../src/platform/events.js';
import { useTestClock } from '../helpers/clock.js';
import { fileComplaint, PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

/**
 * Every path of an open ticket reaches the resolution clock (docs/domain.md#clocks): a ticket reopened by the citizen
 * or by staff, and one whose unit asked the citizen something before its first answer, get a follow-up deadline, then
 * a resolution deadline at the next public answer; a breach of either is escalated, and climbs while it lasts. The
 * escalation job runs at the test clock's time, moved on past the deadlines (as the scheduler passes its run's start).
 * Puskesmas Kebun Handil (WIB) sits under Dinas Kesehatan under Provinsi Jambi.
 */
const JAMBI = { agencyCode: 'JAMBI', timeZone: 'Asia/Jakarta' };
const config = { publicUrl: 'https://suara.jambiprov.go.id' };
const MINUTE = 60_000;

describe('Clocks: a reopened ticket, or one that asked the citizen first, still gets a deadline and is escalated', function () {
  this.timeout(60_000);
  useTestDatabase();
  const time = useTestClock();
  let app: Express;
  let head: request.Agent;
  let headCsrf: string;
  const ids: Record<string, string> = {};
  let notices: DomainEvents['user.notice'][] = [];
  let unsubscribe: () => void;

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'sekda@jambiprov.go.id',
      name: 'Sekretaris Daerah Provinsi Jambi',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'JAMBI',
    });
    for (const email of ['kepala.dinkes@suara.test', 'sekda@jambiprov.go.id'])
      ids[email] = String((await User.findOne({ email }).lean())!._id);
    unsubscribe = subscribe('user.notice', (notice) => void notices.push(notice));
  });
  after(() => unsubscribe());
  beforeEach(async () => {
    notices = [];
    await resetRateLimits();
    head = request.agent(app);
    headCsrf = await signIn(head, 'kepala.dinkes@suara.test');
  });

  const ticket = async (code: string) => (await Ticket.findOne({ code }).lean<TicketDoc>())!;
  const noticesFor = (code: string) => notices.filter((n) => n.ticketCode === code).map((n) => n.userId);
  const dueAfter = async (from: Date, workingDays: number) =>
    (await calendarFor(JAMBI)).dueAfterWorkingDays(from, workingDays);
  const lastAt = (doc: TicketDoc, action: string) => doc.history.filter((entry) => entry.action === action).at(-1)!.at;
  /** The test clock moved on to `instant`, and the escalation job run then. */
  const runJobAt = async (instant: Date) => {
    time.advance(instant.getTime() - clock.now());
    return escalateBreaches(config, new Date(clock.now()));
  };

  async function file() {
    const { code, accessToken } = await fileComplaint(app);
    return { code, token: accessToken };
  }
  const act = async (code: string, body: Record<string, unknown>) =>
    head
      .patch(`/api/v1/tickets/${code}`)
      .set('X-CSRF-Token', headCsrf)
      .send({ revision: (await ticket(code)).revision, ...body })
      .expect(200);
  const answer = async (code: string) =>
    head
      .post(`/api/v1/tickets/${code}/replies`)
      .set('X-CSRF-Token', headCsrf)
      .send({ revision: (await ticket(code)).revision, body: 'Surat Anda sedang kami proses, mohon ditunggu.' })
      .expect(201);
  const citizen = (code: string, token: string, action: string, body: Record<string, unknown> = {}) =>
    request(app).post(`/api/v1/tickets/${code}/${action}`).set('X-Access-Token', token).send(body).expect(200);

  /** Filed, verified, answered and resolved: the ticket waits for the citizen. */
  async function resolvedTicket() {
    const filed = await file();
    await act(filed.code, { action: 'verify' });
    await answer(filed.code);
    await act(filed.code, { action: 'resolve', body: 'Surat sudah bisa diambil di loket 1.' });
    expect(await ticket(filed.code)).to.include({ status: 'resolved', dueClock: 'autoClose' });
    return filed;
  }

  /**
   * The ticket's next public answer starts the 14-day resolution clock, and its breach goes to the Dinas head at the
   * deadline and to the province's two working days later.
   */
  async function expectResolutionClockAndClimb(code: string) {
    await answer(code);
    const answered = await ticket(code);
    expect(answered).to.include({ status: 'in_progress', dueClock: 'resolve' });
    const dueAt = answered.dueAt!;
    expect(dueAt.toISOString()).to.equal((await dueAfter(lastAt(answered, 'reply'), 14)).toISOString());
    expect(answered.due!.resolve!.toISOString()).to.equal(dueAt.toISOString());

    expect((await runJobAt(new Date(dueAt.getTime() - MINUTE))).escalated).to.equal(0);
    await runJobAt(new Date(dueAt.getTime() + MINUTE));
    expect((await ticket(code)).escalated).to.include(breachKey('resolve', dueAt));
    expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test']]);

    await runJobAt(new Date((await dueAfter(dueAt, 2)).getTime() + MINUTE));
    const climbed = await ticket(code);
    expect(climbed.escalated).to.include.members([breachKey('resolve', dueAt), breachKey('resolve', dueAt, 2)]);
    expect(climbed.history.at(-1)).to.deep.include({ action: 'escalated', from: 'resolve', to: 'JAMBI' });
    expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test'], ids['sekda@jambiprov.go.id']]);
  }

  it('a ticket the citizen reopens gets a follow-up deadline, then a resolution deadline that is escalated', async () => {
    const { code, token } = await resolvedTicket();
    await citizen(code, token, 'reopen', { body: 'Suratnya ternyata salah nama, mohon diperbaiki.' });
    const reopened = await ticket(code);
    expect(reopened).to.include({ status: 'in_progress', dueClock: 'followUp' });
    expect(reopened.dueAt!.toISOString()).to.equal((await dueAfter(lastAt(reopened, 'reopened'), 5)).toISOString());

    await expectResolutionClockAndClimb(code);
  });

  it('a ticket staff reopen is escalated while its follow-up is missed, then runs on the resolution clock', async () => {
    const { code } = await resolvedTicket();
    await act(code, { action: 'close' });
    await act(code, { action: 'reopen' });
    const reopened = await ticket(code);
    expect(reopened).to.include({ status: 'in_progress', dueClock: 'followUp' });
    const followUpDue = reopened.dueAt!;
    expect(followUpDue.toISOString()).to.equal((await dueAfter(lastAt(reopened, 'status'), 5)).toISOString());

    // Nobody answers the reopened ticket in time: the missed follow-up is escalated.
    await runJobAt(new Date(followUpDue.getTime() + MINUTE));
    expect((await ticket(code)).escalated).to.deep.equal([breachKey('followUp', followUpDue)]);
    expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test']]);
    notices = [];

    // The late answer still meets the follow-up and starts the resolution clock, a new deadline with its own climb.
    await expectResolutionClockAndClimb(code);
  });

  it('a ticket whose unit asked the citizen before its first answer pauses, resumes, and reaches the resolution clock', async () => {
    const { code, token } = await file();
    await act(code, { action: 'verify' });
    await act(code, { action: 'ask', body: 'Mohon sebutkan tanggal Anda mengajukan surat.' });
    const asked = await ticket(code);
    expect(asked).to.include({ status: 'awaiting_citizen', dueClock: 'followUp' });

    // While the unit waits for the citizen the clock stands still: nothing is escalated, however long.
    expect((await runJobAt(new Date(asked.dueAt!.getTime() + 30 * 24 * 60 * MINUTE))).escalated).to.equal(0);
    expect((await ticket(code)).escalated).to.deep.equal([]);

    await citizen(code, token, 'replies', { body: 'Saya mengajukan pada tanggal 2 bulan ini.' });
    const resumed = await ticket(code);
    expect(resumed).to.include({ status: 'in_progress', dueClock: 'followUp' });
    expect(resumed.dueAt!.getTime()).to.be.at.least(asked.dueAt!.getTime());

    await expectResolutionClockAndClimb(code);
  });

  it('climbs at the pace the agency set: one working day between levels instead of two', async () => {
    const admin = request.agent(app);
    const csrf = await signIn(admin, 'admin.jambi@suara.test');
    const put = (clockLengths: object) =>
      admin.put('/api/v1/agencies/JAMBI/settings').set('X-CSRF-Token', csrf).send({ clockLengths }).expect(200);
    await put({ escalateAgainWorkingDays: 1 });
    try {
      const { code } = await file();
      await act(code, { action: 'verify' });
      await answer(code);
      const dueAt = (await ticket(code)).dueAt!;
      await runJobAt(new Date(dueAt.getTime() + MINUTE));
      await runJobAt(new Date((await dueAfter(dueAt, 1)).getTime() + MINUTE));
      expect((await ticket(code)).escalated).to.deep.equal([
        breachKey('resolve', dueAt),
        breachKey('resolve', dueAt, 2),
      ]);
      expect(noticesFor(code)).to.deep.equal([ids['kepala.dinkes@suara.test'], ids['sekda@jambiprov.go.id']]);
    } finally {
      await put({ escalateAgainWorkingDays: 2 });
    }
  });
});
