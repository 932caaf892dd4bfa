import { expect } from 'chai';
import mongoose from 'mongoose';
import { createClient } from 'redis';
import type { Notice, PresenceUpdate, Reply, TicketBroadcast } from '../../src/modules/inbox/events.js';
import { seedDirectory } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import {
  ask,
  closeSockets,
  connected,
  fileTicket,
  record,
  signIn,
  signedInClient,
  staffClient,
  until,
} from './live.js';
import {
  requireRedisServer,
  said,
  startRedis,
  startSuara,
  stopAll,
  waitUntil,
  type SuaraProcess,
} from './processes.js';

/**
 * Two Suara processes behind one (imaginary) load balancer, sharing the database and Debian's Redis: whatever
 * happens on one reaches the staff connected to the other, through the Socket.IO Redis adapter.
 */
describe('Two processes serving one live inbox through Redis', () => {
  useTestDatabase();
  let a: SuaraProcess;
  let b: SuaraProcess;

  let redis: Awaited<ReturnType<typeof startRedis>>;

  /** Both processes subscribed to the staff namespace's channels: only then can a broadcast cross over. */
  async function bothSubscribed() {
    const probe = createClient({ url: redis.url });
    await probe.connect();
    try {
      await waitUntil('both processes to subscribe in Redis', 30_000, redis.child, async () => {
        // Broadcasts ride a pattern subscription and requests a channel one; after a reconnect they come back one
        // after the other, and a ticket filed between the two would miss the process still without its pattern.
        const counts = await probe.pubSubNumSub('socket.io-request#/staff#');
        const patterns = await probe.pubSubNumPat();
        return Number(Object.values(counts)[0]) >= 2 && patterns >= 2 ? true : undefined;
      });
    } finally {
      probe.destroy();
    }
  }

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
      SESSION_SECRET: 'two-processes-one-inbox-'.padEnd(48, 'x'),
      DATA_ENCRYPTION_KEY: 'a1'.repeat(32),
    };
    [a, b] = await Promise.all([startSuara('process A', env), startSuara('process B', env)]);
    await bothSubscribed();
  });
  beforeEach(resetRateLimits);
  afterEach(closeSockets);
  after(async function () {
    this.timeout(30_000);
    await stopAll();
  });

  it('a head connected to process B hears of a complaint filed through process A', async () => {
    const { socket } = await signedInClient(b.baseUrl, 'kepala.dinkes@suara.test');
    const received = record<TicketBroadcast>(socket, 'ticket:created');
    const code = await fileTicket(a.baseUrl);
    const event = await until(`the ticket at B${said(a.child)}${said(b.child)}`, 10_000, () =>
      received.find((e) => e.ticket.code === code),
    );
    expect(event.ticket).to.include({ code, unitCode: 'PKM-KEBUNHANDIL' });
  });

  it('shows presence across processes: a head on A and a head on B see each other on one ticket', async () => {
    const { socket: onA } = await signedInClient(a.baseUrl, 'kepala.dinkes@suara.test');
    const { socket: onB } = await signedInClient(b.baseUrl, 'kepala.kebunhandil@suara.test');
    const created = record<TicketBroadcast>(onA, 'ticket:created');
    const code = await fileTicket(b.baseUrl);
    const { ticket } = await until('the ticket at A', 10_000, () => created.find((e) => e.ticket.code === code));
    const seenOnA = record<PresenceUpdate>(onA, 'presence:update');
    const seenOnB = record<PresenceUpdate>(onB, 'presence:update');

    expect(await ask<Reply>(onA, 'ticket:watch', { ticketId: ticket.id })).to.deep.equal({ ok: true });
    expect(await ask<Reply>(onB, 'ticket:watch', { ticketId: ticket.id })).to.deep.equal({ ok: true });
    expect(await ask<Reply>(onB, 'ticket:typing', { ticketId: ticket.id, typing: true })).to.deep.equal({ ok: true });
    const both = ['kepala.dinkes', 'kepala.kebunhandil (typing)'];
    const names = (updates: PresenceUpdate[]) =>
      updates.at(-1)?.viewers.map((viewer) => `${viewer.name}${viewer.typing ? ' (typing)' : ''}`);
    await until('A to see both, B typing', 10_000, () =>
      JSON.stringify(names(seenOnA)) === JSON.stringify(both) ? true : undefined,
    );
    await until('B to see both', 10_000, () =>
      JSON.stringify(names(seenOnB)) === JSON.stringify(both) ? true : undefined,
    );

    onB.disconnect();
    await until('A to see B leave', 10_000, () =>
      JSON.stringify(names(seenOnA)) === JSON.stringify(['kepala.dinkes']) ? true : undefined,
    );
  });

  it('signing out through process A cuts off that session’s socket on process B within a second', async () => {
    const session = await signIn(a.baseUrl, 'kepala.dinkes@suara.test');
    const onB = staffClient(b.baseUrl, session);
    await connected(onB);
    const notices = record<Notice>(onB, 'notice');
    const started = Date.now();
    const gone = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`B still connected after 5 s${said(b.child)}`)), 5000);
      onB.once('disconnect', () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      });
    });
    const signOut = await fetch(`${a.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrfToken, Accept: 'application/json' },
    });
    expect(signOut.status).to.equal(204);
    expect(await gone).to.be.below(1000);
    expect(notices.map((notice) => notice.kind)).to.deep.equal(['session_ended']);
  });

  it('keeps serving while Redis is down, and delivers across processes again once it is back', async function () {
    this.timeout(60_000);
    redis.child.process.kill('SIGKILL');
    await until('Redis to be gone', 5000, () => redis.child.exit);

    const { socket: onA } = await signedInClient(a.baseUrl, 'kepala.dinkes@suara.test');
    const atA = record<TicketBroadcast>(onA, 'ticket:created');
    const during = await fileTicket(a.baseUrl);
    await until(`A's own socket to hear of it${said(a.child)}`, 10_000, () =>
      atA.find((e) => e.ticket.code === during),
    );

    redis = await startRedis(redis.port);
    await bothSubscribed();
    const { socket: onB } = await signedInClient(b.baseUrl, 'kepala.dinkes@suara.test');
    const atB = record<TicketBroadcast>(onB, 'ticket:created');
    // A's publishing connection comes back on its own backoff (up to about 2 s after the subscribers): what A files
    // before that stays within A, as designed. So file again until one crosses over, within 20 s.
    const deadline = Date.now() + 20_000;
    let heard: TicketBroadcast | undefined;
    while (!heard && Date.now() < deadline) {
      await resetRateLimits();
      const afterwards = await fileTicket(a.baseUrl);
      heard = await until(`B to hear of it again${said(a.child)}${said(b.child)}`, 3000, () =>
        atB.find((e) => e.ticket.code === afterwards),
      ).catch(() => undefined);
    }
    expect(heard, `B heard of a ticket filed on A after Redis came back${said(a.child)}${said(b.child)}`).to.exist;
    expect([a.child.exit, b.child.exit], 'neither process stopped').to.deep.equal([undefined, undefined]);
  });
});
