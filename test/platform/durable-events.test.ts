import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { checkDrift, reconcile } from '../../src/drift.js';
import { TicketRollup, SurveyRollup } from '../../src/modules/analytics/rollups/model.js';
import { FeedItem } from '../../src/modules/coaching/record/feed-model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import {
  EventRecord,
  ProjectorRunner,
  projectorBacklog,
  startProjectors,
  stopProjectors,
  type StoredEvent,
} from '../../src/platform/event-log.js';
import { eventsSettled } from '../../src/platform/events.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

const DAY_MS = 86_400_000;
const CLIENTS = 40;
const COMPLAINTS_EACH = 4;

const complaint = (client: number, index: number) => ({
  kind: 'complaint',
  unitCode: 'PKM-KEBUNHANDIL',
  serviceCode: 'POLI-UMUM',
  category: index % 2 ? 'waiting_time' : 'facilities',
  description: `Warga ${client} menunggu lama di loket pendaftaran, kunjungan ke-${index + 1}.`,
  waitMinutes: 20 + client + index,
  // Half of them leave an address: the receipt mail is written in the same transaction.
  reporter: client % 2 ? { name: `Warga ${client}`, email: `warga${client}.${index}@contoh.id` } : {},
  privacy: 'confidential',
  consent: true,
});

const survey = (officerRef: string, client: number) => ({
  unitCode: 'PKM-KEBUNHANDIL',
  serviceCode: 'POLI-UMUM',
  officerRef,
  answers: [4, 3, 3, 4, 3, (client % 4) + 1, ((client + 1) % 4) + 1, 3, 3],
  respondent: {
    gender: client % 2 ? 'female' : 'male',
    ageBand: '30_39',
    education: 'sma',
    occupation: 'self_employed',
  },
});

const window = () => ({ from: new Date(Date.now() - 2 * DAY_MS), to: new Date(Date.now() + DAY_MS) });

async function receivedAtKebunHandil(): Promise<number> {
  const [total] = await TicketRollup.aggregate<{ n: number }>([
    { $match: { kind: { $in: ['complaint', 'compliment'] } } },
    { $group: { _id: null, n: { $sum: '$n.received' } } },
  ]);
  return total?.n ?? 0;
}

async function respondents(): Promise<number> {
  const [total] = await SurveyRollup.aggregate<{ n: number }>([{ $group: { _id: null, n: { $sum: '$respondents' } } }]);
  return total?.n ?? 0;
}

describe('Exact figures from durable domain events', () => {
  useTestDatabase();
  let server: Server;
  let api: ReturnType<typeof request>;
  let sitiRef: string;

  before(async () => {
    server = createServer(await testApp({ TRUST_PROXY: '1' })).listen(0);
    api = request(server);
  });
  beforeEach(async () => {
    await eventsSettled();
    await clearCollections();
    await ensureReferenceData();
    await seedDirectory();
    sitiRef = (await Officer.findOne({ nip: '198503152010012001' }).lean())!.ref;
  });
  after(async () => {
    startProjectors(); // whatever a spec stopped, the next file finds running
    server.close();
  });

  /** One citizen on their own phone: complaints, a compliment naming Siti and a survey answer naming her. */
  async function citizen(client: number): Promise<{ tickets: string[]; compliment: string }> {
    const from = `10.0.${Math.floor(client / 200)}.${(client % 200) + 1}`;
    const tickets: string[] = [];
    for (let index = 0; index < COMPLAINTS_EACH; index++) {
      const filed = await api.post('/api/v1/tickets').set('X-Forwarded-For', from).send(complaint(client, index));
      expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
      tickets.push(filed.body.code);
    }
    const { body } = await api
      .post('/api/v1/tickets')
      .set('X-Forwarded-For', from)
      .send({
        kind: 'compliment',
        unitCode: 'PKM-KEBUNHANDIL',
        officerRef: sitiRef,
        description: `Bu Siti melayani warga ${client} dengan ramah dan cepat.`,
        reporter: {},
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    const answered = await api.post('/api/v1/surveys').set('X-Forwarded-For', from).send(survey(sitiRef, client));
    expect(answered.status, JSON.stringify(answered.body)).to.equal(201);
    return { tickets, compliment: body.code };
  }

  it('40 citizens filing complaints, compliments and survey answers at the same moment are all counted, exactly', async function () {
    this.timeout(240_000);
    const filed = await Promise.all(Array.from({ length: CLIENTS }, (_, client) => citizen(client)));
    // A unit head verifies every compliment at once: staff changes are events too, and compliments reach the record.
    const head = request.agent(server);
    const csrf = await signIn(head, 'kepala.kebunhandil@suara.test');
    await Promise.all(
      filed.map(async ({ compliment }) => {
        const { ticket } = (await head.get(`/api/v1/tickets/${compliment}`).expect(200)).body;
        await head
          .patch(`/api/v1/tickets/${compliment}`)
          .set('X-CSRF-Token', csrf)
          .send({ revision: ticket.revision, action: 'verify' })
          .expect(200);
      }),
    );
    await eventsSettled();

    const acknowledged = filed.flatMap((client) => [...client.tickets, client.compliment]);
    expect(acknowledged).to.have.length(CLIENTS * (COMPLAINTS_EACH + 1));
    expect(await Ticket.countDocuments({ code: { $in: acknowledged } })).to.equal(acknowledged.length);
    expect(await receivedAtKebunHandil()).to.equal(acknowledged.length);
    expect(await respondents()).to.equal(CLIENTS);
    expect(await FeedItem.countDocuments({ type: 'compliment' })).to.equal(CLIENTS);
    expect(await FeedItem.countDocuments({ type: 'survey' })).to.equal(CLIENTS);
    expect(await projectorBacklog()).to.equal(0);

    const drift = await checkDrift(window());
    expect(drift.sources).to.deep.include({ tickets: acknowledged.length, surveys: CLIENTS });
    expect(drift.collections.map((collection) => collection.collection)).to.include.members([
      'rollup_tickets',
      'rollup_surveys',
      'coaching_feed',
    ]);
    for (const collection of drift.collections)
      expect(collection, collection.collection).to.include({ differences: 0 });
    expect(
      drift.collections.find((collection) => collection.collection === 'rollup_tickets')!.checked,
    ).to.be.greaterThan(0);
  });

  it('a projector whose process dies after applying events, before marking them done, leaves the same exact figures once another process takes over', async function () {
    this.timeout(120_000);
    await stopProjectors(); // this process stops projecting: the events wait in the outbox
    const filed = await Promise.all(Array.from({ length: 8 }, (_, client) => citizen(client)));
    const acknowledged = filed.flatMap((client) => [...client.tickets, client.compliment]);
    expect(await receivedAtKebunHandil()).to.equal(0);
    expect(await projectorBacklog()).to.equal(acknowledged.length + 8);

    // Each projector's process claims a batch, applies it, and dies before saying it is done.
    const applied: Record<string, StoredEvent[]> = {};
    for (const projector of ['analytics.rollups', 'coaching.record']) {
      const dying = new ProjectorRunner({
        owner: `dying-${projector}`,
        only: [projector],
        leaseMs: 400,
        beforeDone: (name, events) => {
          applied[name] = events;
          throw new Error('killed');
        },
      });
      dying.start();
      await dying.stop();
    }
    expect(applied['analytics.rollups']).to.have.length(acknowledged.length + 8);
    expect(applied['coaching.record']).to.have.length(16); // the compliments and the surveys naming Siti
    // Applied but not done: still pending, leased by the dead owner.
    const stillPending = await EventRecord.countDocuments({
      pending: 'analytics.rollups',
      'leases.analytics_rollups.owner': 'dying-analytics.rollups',
    });
    expect(stillPending).to.equal(acknowledged.length + 8);
    expect(await receivedAtKebunHandil()).to.equal(acknowledged.length);

    // The restart: once the dead owner's lease has run out, the events are claimed and applied again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    startProjectors();
    await eventsSettled();
    expect(await projectorBacklog()).to.equal(0);
    expect(await receivedAtKebunHandil()).to.equal(acknowledged.length);
    expect(await respondents()).to.equal(8);
    expect(await FeedItem.countDocuments({ type: 'survey' })).to.equal(8);
    const drift = await checkDrift(window());
    for (const collection of drift.collections)
      expect(collection, collection.collection).to.include({ differences: 0 });
  });

  it('the drift check finds a rollup changed behind the projectors’ back, and the reconciliation repairs it', async function () {
    this.timeout(120_000);
    await citizen(1);
    await eventsSettled();
    await TicketRollup.collection.updateMany({}, { $inc: { 'n.received': 1 } });
    await FeedItem.deleteMany({ type: 'survey' });
    const drift = await checkDrift(window());
    const differing = Object.fromEntries(drift.collections.map((c) => [c.collection, c.differences]));
    expect(differing.rollup_tickets).to.be.greaterThan(0);
    expect(differing.coaching_feed).to.equal(1);
    const result = await reconcile(window());
    expect(result.repaired).to.equal(drift.differences);
    expect((await checkDrift(window())).differences).to.equal(0);
    expect(await receivedAtKebunHandil()).to.equal(COMPLAINTS_EACH + 1);
  });
});
