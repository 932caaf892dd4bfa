import { expect } from 'chai';
import mongoose from 'mongoose';
import { createClient } from 'redis';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { DISPLAY_NAMESPACE, DISPLAY_UPDATE, type DisplayPayload } from '../../src/modules/analytics/display/gateway.js';
import { seedDirectory } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { until } from '../inbox/live.js';
import {
  requireRedisServer,
  said,
  startRedis,
  startSuara,
  stopAll,
  waitUntil,
  type SuaraProcess,
} from '../inbox/processes.js';
import { survey } from '../surveys/fixtures.js';

/**
 * Two Suara processes (src/server.ts as people run it) sharing the database and Redis: a hall screen connected to
 * one process hears of a survey answered through the other.
 */
describe('The hall display across two processes (Redis)', () => {
  useTestDatabase();
  let a: SuaraProcess;
  let b: SuaraProcess;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  const sockets: ClientSocket[] = [];

  before(async function () {
    this.timeout(120_000);
    requireRedisServer(this);
    await seedDirectory();
    redis = await startRedis();
    const database = new URL(process.env.TEST_MONGODB_URI!);
    database.pathname = `/${mongoose.connection.name}`;
    const env = {
      MONGODB_URI: database.toString(),
      REDIS_URL: redis.url,
      SESSION_SECRET: 'two-processes-one-display-'.padEnd(48, 'x'),
      DATA_ENCRYPTION_KEY: 'a1'.repeat(32),
    };
    [a, b] = await Promise.all([startSuara('process A', env), startSuara('process B', env)]);
    // Both processes listen for the display namespace's server-side messages before anything is sent.
    const probe = createClient({ url: redis.url });
    await probe.connect();
    try {
      await waitUntil('both processes to subscribe in Redis', 30_000, redis.child, async () => {
        const counts = await probe.pubSubNumSub('socket.io-request#/display#');
        return Number(Object.values(counts)[0]) >= 2 ? true : undefined;
      });
    } finally {
      probe.destroy();
    }
  });
  after(async function () {
    this.timeout(30_000);
    for (const socket of sockets.splice(0)) socket.disconnect();
    await stopAll();
  });

  it('updates a screen connected to process B when a survey is answered through process A', async function () {
    this.timeout(30_000);
    const socket = connect(`${b.baseUrl}${DISPLAY_NAMESPACE}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { unitCode: 'JAMBI-DINKES' },
    });
    sockets.push(socket);
    const updates: DisplayPayload[] = [];
    socket.on(DISPLAY_UPDATE, (payload: DisplayPayload) => updates.push(payload));
    const first = await until(`the first figures from B${said(b.child)}`, 10_000, () => updates[0]);

    await resetRateLimits();
    const response = await fetch(`${a.baseUrl}/api/v1/surveys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(survey()),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).to.equal(201);
    const updated = await until(`the new count at B${said(a.child)}${said(b.child)}`, 15_000, () =>
      updates.find((update) => update.todaySurveys === first.todaySurveys + 1),
    );
    expect(updated.unit.code).to.equal('JAMBI-DINKES');
  });
});
