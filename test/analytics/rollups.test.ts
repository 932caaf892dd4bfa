import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { User } from '../../src/modules/accounts/model.js';
import { rollUpTicket } from '../../src/modules/analytics/rollups/projector.js';
import { eventsSettled } from '../../src/platform/events.js';
import { bucketOf, WAIT_MINUTES_BOUNDS } from '../../src/modules/analytics/shared/histogram.js';
import {
  ContributionState,
  SurveyRollup,
  SurveyTreeMonthRollup,
  SurveyTreeRollup,
  TicketRollup,
} from '../../src/modules/analytics/rollups/model.js';
import { ticketContribution } from '../../src/modules/analytics/rollups/contribution.js';
import { applySourceState } from '../../src/modules/analytics/rollups/writes.js';
import { ticketFactsOf } from '../../src/modules/feedback/index.js';
import { Officer, Unit } from '../../src/modules/directory/model.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { localDate } from '../../src/platform/calendar.js';
import { clearCollections, resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { fileTicket, PROFILE } from './rollups-helpers.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('Analytics rollups kept live from domain events', () => {
  useTestDatabase();
  let app: Express;
  let head: request.Agent;
  let csrf: string;
  let handlerId: string;
  let handler: request.Agent;
  let handlerCsrf: string;

  beforeEach(async () => {
    await clearCollections();
    app = await testApp();
    await seedDirectory();
    head = request.agent(app);
    csrf = await signIn(head, 'kepala.kebunhandil@suara.test');
    handler = request.agent(app);
    handlerCsrf = await signIn(handler, 'petugas@suara.test');
    handlerId = String((await User.findOne({ email: 'petugas@suara.test' }).lean())!._id);
    await resetRateLimits();
  });

  const today = () => localDate(new Date(), 'Asia/Jakarta');
  const ticketDocs = async () => (await TicketRollup.collection.find({}).toArray()) as Doc[];
  const sum = (docs: Doc[], read: (doc: Doc) => number | undefined) => docs.reduce((s, d) => s + (read(d) ?? 0), 0);
  const act = async (code: string, body: Record<string, unknown>, agent = head, token = csrf) => {
    const { ticket } = (await agent.get(`/api/v1/tickets/${code}`).expect(200)).body;
    return agent
      .patch(`/api/v1/tickets/${code}`)
      .set('X-CSRF-Token', token)
      .send({ revision: ticket.revision, ...body })
      .expect(200);
  };

  it('counts a complaint worked through the API on the local day of each step, with its waiting time', async () => {
    const { code, accessToken } = await fileTicket(app, { serviceCode: 'POLI-UMUM', waitMinutes: 45 });
    await eventsSettled();
    let docs = await ticketDocs();
    expect(docs).to.have.length(1);
    expect(docs[0]).to.deep.include({
      day: today(),
      serviceCode: 'POLI-UMUM',
      category: 'waiting_time',
      kind: 'complaint',
      waitSum: 45,
      waitCount: 1,
    });
    expect(docs[0]!.n).to.deep.equal({ received: 1 });
    expect(docs[0]!.h.wait).to.deep.equal({ [bucketOf(45, WAIT_MINUTES_BOUNDS)]: 1 });
    expect(docs[0]!.unitPath.map(String)).to.have.length(3);

    await act(code, { action: 'verify' });
    await act(code, { action: 'assign', assigneeId: handlerId });
    const { ticket } = (await handler.get(`/api/v1/tickets/${code}`).expect(200)).body;
    await handler
      .post(`/api/v1/tickets/${code}/replies`)
      .set('X-CSRF-Token', handlerCsrf)
      .send({ revision: ticket.revision, body: 'Kami sedang menata ulang antrean.' })
      .expect(201);
    await act(code, { action: 'resolve', body: 'Nomor antrean kini dipanggil lewat layar.' }, handler, handlerCsrf);
    await request(app)
      .post(`/api/v1/tickets/${code}/rating`)
      .set('X-Access-Token', accessToken)
      .send({ score: 4 })
      .expect(200);
    await eventsSettled();
    docs = await ticketDocs();
    expect(docs).to.have.length(1); // every step happened today
    expect(docs[0]!.n).to.deep.include({ received: 1, verified: 1, resolved: 1 });
    expect(docs[0]!.clock.verify).to.deep.equal({ n: 1, ok: 1 });
    expect(docs[0]!.clock.followUp).to.deep.equal({ n: 1, ok: 1 });
    expect(docs[0]!.rating).to.deep.equal({ sum: 4, count: 1 });
    expect(sum(Object.values(docs[0]!.h.verify) as never, (n) => n as never)).to.equal(1);
    expect(sum(Object.values(docs[0]!.h.followUp) as never, (n) => n as never)).to.equal(1);
    expect(sum(Object.values(docs[0]!.h.resolve) as never, (n) => n as never)).to.equal(1);

    // Reopened: the resolution no longer counts, the reopening does, and the follow-up leaves the in-time share.
    await request(app)
      .post(`/api/v1/tickets/${code}/reopen`)
      .set('X-Access-Token', accessToken)
      .send({ body: 'Masih lama.' })
      .expect(200);
    await eventsSettled();
    docs = await ticketDocs();
    expect(docs[0]!.n).to.deep.include({ received: 1, verified: 1, resolved: 0, reopened: 1 });
    expect(docs[0]!.clock.followUp).to.deep.equal({ n: 0, ok: 0 });
    const state = (await ContributionState.collection.findOne({})) as Doc;
    expect(state.revision).to.equal((await Ticket.findOne({ code }).lean())!.revision);
  });

  it('never counts one ticket twice when its events are handled at the same time', async () => {
    const { code } = await fileTicket(app);
    await eventsSettled();
    const ticket = (await Ticket.findOne({ code }).lean())!;
    await Promise.all(Array.from({ length: 8 }, () => rollUpTicket(String(ticket._id))));
    await act(code, { action: 'verify' });
    await Promise.all(Array.from({ length: 8 }, () => rollUpTicket(String(ticket._id))));
    await eventsSettled();
    const docs = await ticketDocs();
    expect(sum(docs, (doc) => doc.n?.received)).to.equal(1);
    expect(sum(docs, (doc) => doc.n?.verified)).to.equal(1);
  });

  it('ignores a contribution from an older revision than the one applied', async () => {
    const { code } = await fileTicket(app);
    await act(code, { action: 'verify' });
    await eventsSettled();
    const ticket = (await Ticket.findOne({ code }).lean())!;
    const older = ticketContribution(
      ticketFactsOf({ ...ticket, status: 'received', history: ticket.history.slice(0, 1) } as never),
    );
    expect(await applySourceState(ticket._id, ticket.revision - 1, older)).to.equal('current');
    expect(sum(await ticketDocs(), (doc) => doc.n?.verified)).to.equal(1);
  });

  it('keeps survey answers per day, unit and service, with profile and flags', async () => {
    const siti = (await Officer.findOne({ nip: '198503152010012001' }).lean())!;
    await request(app)
      .post('/api/v1/surveys')
      .send({
        unitCode: 'PKM-KEBUNHANDIL',
        serviceCode: 'POLI-UMUM',
        officerRef: siti.ref,
        answers: [4, 3, 3, 4, 3, 4, 4, 3, 3],
        respondent: PROFILE,
      })
      .expect(201);
    await eventsSettled();
    const doc = (await SurveyRollup.collection.findOne({})) as Doc;
    expect(doc).to.deep.include({ day: today(), serviceCode: 'POLI-UMUM', respondents: 1 });
    expect(doc.sums).to.deep.equal({ 0: 4, 1: 3, 2: 3, 3: 4, 4: 3, 5: 4, 6: 4, 7: 3, 8: 3 });
    expect(doc.profile).to.deep.equal({
      gender: { female: 1 },
      ageBand: { '30_39': 1 },
      education: { sma: 1 },
      occupation: { self_employed: 1 },
    });
    // An API answer without a device cookie carries the fresh-device flag: counted, never dropped.
    expect(doc.flagged).to.equal(1);
    expect(doc.flags.fresh_device).to.equal(1);
  });

  it('counts a survey answer once on the subtree documents of its unit and of every unit above it, by day and month', async () => {
    const post = (unitCode: string, serviceCode: string | undefined, answers: number[]) =>
      request(app)
        .post('/api/v1/surveys')
        .send({ unitCode, ...(serviceCode ? { serviceCode } : {}), answers, respondent: PROFILE })
        .expect(201);
    await post('PKM-KEBUNHANDIL', 'POLI-UMUM', [4, 4, 4, 4, 4, 4, 4, 4, 4]);
    await post('PKM-KEBUNHANDIL', undefined, [2, 2, 2, 2, 2, 2, 2, 2, 2]);
    await post('PKM-PUTRIAYU', undefined, [3, 3, 3, 3, 3, 3, 3, 3, 3]);
    await eventsSettled();
    const kebunhandil = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    const putriayu = (await Unit.findOne({ code: 'PKM-PUTRIAYU' }).lean())!;
    const month = `${today().slice(0, 7)}-01`;
    for (const [model, day] of [
      [SurveyTreeRollup, today()],
      [SurveyTreeMonthRollup, month],
    ] as const) {
      const docs = (await model.collection.find({}).toArray()) as Doc[];
      const of = (unitId: unknown) => docs.find((doc) => String(doc.unitId) === String(unitId));
      // One document per unit of either path (the agency and the dinas shared by both, each puskesmas), each summing
      // its subtree's answers across services: the same totals as the per-unit × service rollups under it.
      expect(docs).to.have.length(new Set([...kebunhandil.path, ...putriayu.path].map(String)).size);
      for (const doc of docs) expect(doc.day).to.equal(day);
      expect(of(kebunhandil._id)).to.deep.include({ respondents: 2 });
      expect(of(kebunhandil._id)!.sums['0']).to.equal(6);
      expect(of(kebunhandil._id)!.unitPath.map(String)).to.deep.equal(kebunhandil.path.map(String));
      expect(of(putriayu._id)).to.deep.include({ respondents: 1 });
      const dinas = kebunhandil.path.at(-2)!;
      expect(of(dinas)!.sums['8']).to.equal(9);
      expect(of(kebunhandil.path[0])!.respondents).to.equal(3);
      const perUnit = (await SurveyRollup.collection.find({ unitPath: dinas }).toArray()) as Doc[];
      expect(of(dinas)!.respondents).to.equal(sum(perUnit, (doc) => doc.respondents));
    }
  });
});
