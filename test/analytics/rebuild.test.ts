import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { User } from '../../src/modules/accounts/model.js';
import { ContributionState, RollupCheckpoint, TicketRollup } from '../../src/modules/analytics/rollups/model.js';
import { rebuildCheckpoint, rebuildRollups } from '../../src/modules/analytics/rollups/rebuild.js';
import { eventsSettled } from '../../src/platform/events.js';
import { Officer } from '../../src/modules/directory/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { expectSameRollups, fileTicket, postSurveys, rowsFor, snapshotRollups } from './rollups-helpers.js';

describe('Rebuilding the analytics rollups', () => {
  useTestDatabase();
  let app: Express;
  let live: Awaited<ReturnType<typeof snapshotRollups>>;

  before(async function () {
    this.timeout(120_000);
    app = await testApp();
    await seedDirectory();
    const head = request.agent(app);
    const csrf = await signIn(head, 'kepala.dinkes@suara.test');
    const handlerId = String((await User.findOne({ email: 'petugas@suara.test' }).lean())!._id);
    const siti = (await Officer.findOne({ nip: '198503152010012001' }).lean())!;
    const act = async (code: string, body: Record<string, unknown>) => {
      const { ticket } = (await head.get(`/api/v1/tickets/${code}`).expect(200)).body;
      await head
        .patch(`/api/v1/tickets/${code}`)
        .set('X-CSRF-Token', csrf)
        .send({ revision: ticket.revision, ...body })
        .expect(200);
    };
    await resetRateLimits();
    // Tickets at every stage, through the real API: each change publishes its event and the live path counts it.
    const received = await fileTicket(app, { waitMinutes: 12, serviceCode: 'POLI-UMUM' });
    void received;
    const verified = await fileTicket(app, { waitMinutes: 95 });
    await act(verified.code, { action: 'verify' });
    const rejected = await fileTicket(app, { category: 'other' });
    await act(rejected.code, { action: 'reject', reason: 'spam' });
    const resolved = await fileTicket(app, { waitMinutes: 200, serviceCode: 'POLI-UMUM' });
    await act(resolved.code, { action: 'verify' });
    await act(resolved.code, { action: 'assign', assigneeId: handlerId });
    await act(resolved.code, { action: 'resolve', body: 'Sudah ditangani.' });
    await request(app)
      .post(`/api/v1/tickets/${resolved.code}/rating`)
      .set('X-Access-Token', resolved.accessToken)
      .send({ score: 3 })
      .expect(200);
    const reopened = await fileTicket(app);
    await act(reopened.code, { action: 'verify' });
    await act(reopened.code, { action: 'resolve', body: 'Selesai.' });
    await request(app)
      .post(`/api/v1/tickets/${reopened.code}/reopen`)
      .set('X-Access-Token', reopened.accessToken)
      .send({})
      .expect(200);
    const forwarded = await fileTicket(app);
    await act(forwarded.code, { action: 'forward', unitCode: 'PKM-PUTRIAYU' });
    const conduct = await fileTicket(app, { category: 'officer_conduct', officerRef: siti.ref });
    await act(conduct.code, { action: 'verify' });
    const { ticket } = (await head.get(`/api/v1/tickets/${conduct.code}`).expect(200)).body;
    await head
      .post(`/api/v1/tickets/${conduct.code}/findings`)
      .set('X-CSRF-Token', csrf)
      .send({ revision: ticket.revision, officerRef: siti.ref, outcome: 'partially_substantiated', note: 'Sebagian.' })
      .expect(201);
    await fileTicket(app, {
      kind: 'compliment',
      category: undefined,
      officerRef: siti.ref,
      description: 'Pelayanan Bu Siti ramah dan cepat sekali.',
    });
    await postSurveys(app, rowsFor([30, 29, 28, 32, 30, 31, 30, 29, 32], 8), { serviceCode: 'POLI-UMUM' });
    await postSurveys(app, rowsFor([9, 10, 11, 12, 9, 10, 11, 12, 9], 3), { officerRef: siti.ref });
    await eventsSettled();
    live = await snapshotRollups();
  });

  it('gives the same rollups as the live path (tickets at every stage, surveys)', async () => {
    expect(live.tickets.length).to.be.greaterThan(3);
    expect(live.surveys.length).to.equal(2);
    const lines: string[] = [];
    const result = await rebuildRollups({ progress: (line) => lines.push(line) });
    expect(result).to.include({ tickets: 8, surveys: 11, finished: true, resumed: false });
    expectSameRollups(await snapshotRollups(), live);
    expect(lines.some((line) => /^tickets: 8\/8 \(100%\), \d+\/s, ETA \d+s$/.test(line))).to.equal(true);
    expect(lines.at(-1)).to.match(/^done: 8 tickets, 11 survey answers in /);
    expect(await ContributionState.countDocuments()).to.equal(8); // one per ticket
  });

  it('repairs rollups that drifted (an event lost while the database was away)', async () => {
    await TicketRollup.collection.updateMany({}, { $inc: { 'n.received': 5 } });
    await SurveyResponse.collection.updateOne({}, { $set: { serviceCode: 'POLI-UMUM' } }); // same shape, no change
    await rebuildRollups();
    expectSameRollups(await snapshotRollups(), live);
  });

  it('resumes after a crash from the checkpoint without counting anything twice', async () => {
    const first = await rebuildRollups({ batchSize: 3, stopAfterBatches: 2 });
    expect(first.finished).to.equal(false);
    const checkpoint = await rebuildCheckpoint();
    expect(checkpoint).to.include({ phase: 'tickets', done: 6 });
    const resumed = await rebuildRollups({ batchSize: 3, resume: true });
    expect(resumed).to.include({ resumed: true, finished: true });
    expectSameRollups(await snapshotRollups(), live);
    // Stopped in the middle of the survey phase this time.
    await rebuildRollups({ batchSize: 3, stopAfterBatches: 4 });
    expect(await rebuildCheckpoint()).to.include({ phase: 'surveys' });
    await rebuildRollups({ batchSize: 3, resume: true });
    expectSameRollups(await snapshotRollups(), live);
    expect((await RollupCheckpoint.findById('rebuild').lean())!.phase).to.equal('done');
  });

  it('resumes a segment stopped half written, skipping the chunks already committed, with other sizes this time', async () => {
    const first = await rebuildRollups({ batchSize: 100, chunkSize: 2, stopAfterChunks: 3 });
    expect(first.finished).to.equal(false);
    const checkpoint = await rebuildCheckpoint();
    expect(checkpoint).to.include({ phase: 'tickets', done: 0 });
    expect(checkpoint!.writing).to.deep.equal({ until: 8, chunks: 3, chunkSize: 2 });
    // Some rollup documents are written already: counting them again would show as a difference from the live path.
    expect(await TicketRollup.countDocuments()).to.be.greaterThan(0);
    const resumed = await rebuildRollups({ batchSize: 5, chunkSize: 7, resume: true });
    expect(resumed).to.include({ resumed: true, finished: true, tickets: 8, surveys: 11 });
    expectSameRollups(await snapshotRollups(), live);
    expect(await ContributionState.countDocuments()).to.equal(8);
  });

  it('keeps counting live events after a rebuild, from the states it stored', async () => {
    await rebuildRollups();
    const before = await snapshotRollups();
    await fileTicket(app);
    await eventsSettled();
    const after = await snapshotRollups();
    const received = (snapshot: typeof before) =>
      snapshot.tickets.reduce((sum, doc) => sum + Number((doc.n as { received?: number })?.received ?? 0), 0);
    expect(received(after)).to.equal(received(before) + 1);
    await rebuildRollups();
    expectSameRollups(await snapshotRollups(), after);
  });
});
