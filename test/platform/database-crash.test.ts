import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { checkDrift } from '../../src/drift.js';
import { TicketRollup } from '../../src/modules/analytics/rollups/model.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { connectMongoose } from '../../src/platform/db.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/embedded-db.js';
import { projectorBacklog } from '../../src/platform/event-log.js';
import { eventsSettled } from '../../src/platform/events.js';
import { SharedAnswers } from '../../src/platform/shared-answers.js';
import { seedDirectory, testApp } from '../helpers/app.js';

const DAY_MS = 86_400_000;
const CLIENTS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The embedded database of its own (not the run's shared one), killed with SIGKILL while 20 citizens file
 * complaints; it restarts by itself and the app reconnects.
 */
describe('the database killed with kill -9 in the middle of a burst of complaints', () => {
  let storage: string;
  let db: EmbeddedDatabase;
  let server: Server;

  before(async function () {
    this.timeout(120_000);
    if (process.env.TEST_MONGODB_URI && !process.env.TEST_MONGODB_URI.includes('127.0.0.1')) this.skip();
    storage = await mkdtemp(path.join(os.tmpdir(), 'suara-crash-'));
    db = await startEmbeddedDatabase({ storagePath: path.join(storage, 'db') });
    if (mongoose.connection.readyState !== 0) await mongoose.disconnect();
    await connectMongoose(db.uri, 'suara_crash');
    SharedAnswers.forgetAll();
    server = createServer(await testApp({ TRUST_PROXY: '1' })).listen(0);
    await seedDirectory();
  });

  after(async function () {
    this.timeout(60_000);
    server?.close();
    await eventsSettled().catch(() => undefined);
    await mongoose.disconnect();
    await db?.stop();
    if (storage) await rm(storage, { recursive: true, force: true, maxRetries: 5 });
  });

  it('loses no acknowledged complaint, and the rollups equal a recomputation from the tickets afterwards', async function () {
    this.timeout(240_000);
    const api = request(server);
    const acknowledged: { code: string; accessToken: string }[] = [];
    const refused: number[] = [];
    let killedAt = 0;
    let recoveredAt = 0;
    let attempt = 0;

    const citizen = async (client: number) => {
      // Each citizen keeps filing until the database has been back for a moment.
      for (let index = 0; !recoveredAt || Date.now() < recoveredAt + 1500; index++) {
        const response = await api
          .post('/api/v1/tickets')
          .set('X-Forwarded-For', `10.9.${client}.${(index % 250) + 1}`)
          .send({
            kind: 'complaint',
            unitCode: 'PKM-KEBUNHANDIL',
            category: 'waiting_time',
            description: `Warga ${client} menunggu lama di loket, pengaduan ke-${index + 1}.`,
            waitMinutes: 30 + index,
            reporter: index % 2 ? { email: `warga${client}.${index}@contoh.id` } : {},
            privacy: 'anonymous',
            consent: true,
          })
          .timeout(30_000)
          .catch((error: { status?: number }) => ({ status: error.status ?? 0, body: {} }));
        attempt++;
        if (response.status === 201) acknowledged.push(response.body as { code: string; accessToken: string });
        else refused.push(response.status);
        if (index > 400) break;
        await sleep(50);
      }
    };
    const killer = (async () => {
      while (acknowledged.length < CLIENTS) await sleep(20);
      const pid = db.pid;
      process.kill(pid, 'SIGKILL');
      killedAt = Date.now();
      while (db.pid === pid) await sleep(50);
      for (;;) {
        const ready = await api.get('/readyz').catch(() => ({ status: 0 }));
        if (ready.status === 200) break;
        await sleep(100);
      }
      recoveredAt = Date.now();
    })();
    await Promise.all([killer, ...Array.from({ length: CLIENTS }, (_, client) => citizen(client))]);
    expect(killedAt, 'the database was killed').to.be.greaterThan(0);
    expect(refused.length, 'requests failed while the database was away').to.be.greaterThan(0);
    expect(refused.every((status) => status >= 500 || status === 0)).to.equal(true);
    expect(attempt).to.equal(acknowledged.length + refused.length);

    // Every complaint the citizen got a code for is there, and they can read it with their token.
    for (const [index, receipt] of acknowledged.entries()) {
      // Each citizen from their own address, as they would be (the tracking page has a rate limit per address).
      const response = await api
        .get(`/api/v1/tickets/${receipt.code}`)
        .set('X-Forwarded-For', `10.8.${index % 250}.${Math.floor(index / 250) + 1}`)
        .set('X-Access-Token', receipt.accessToken);
      expect(response.status, receipt.code).to.equal(200);
    }
    await eventsSettled();
    expect(await projectorBacklog()).to.equal(0);
    const saved = await Ticket.countDocuments();
    expect(saved).to.be.at.least(acknowledged.length);
    const [received] = await TicketRollup.aggregate<{ n: number }>([
      { $group: { _id: null, n: { $sum: '$n.received' } } },
    ]);
    expect(received!.n).to.equal(saved);
    const drift = await checkDrift({ from: new Date(Date.now() - 2 * DAY_MS), to: new Date(Date.now() + DAY_MS) });
    for (const collection of drift.collections)
      expect(collection, collection.collection).to.include({ differences: 0 });
  });
});
