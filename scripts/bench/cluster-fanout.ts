/**
 * `BENCH_ONLY=cluster-fanout`: the live fan-out across processes, as deployed (scripts/cluster.ts): nginx in front of
 * two Suara processes sharing one database and Redis.
 *
 * 1. Starts its own embedded database, seeds the demo into it, then the cluster on it (nginx, Redis, Suara A and B).
 * 2. Signs in the head of JAMBI-DINKES and connects BENCH_CLUSTER_SOCKETS staff sockets, half directly to A and half
 *    directly to B, so that every ticket reaches sockets on the process that took it and on the other one (through
 *    the Redis adapter).
 * 3. Files tickets to JAMBI-PKM-KEBUNHANDIL through nginx (least connections over A and B) in an open loop at
 *    BENCH_CLUSTER_RATE a second for BENCH_CLUSTER_SECONDS, each from its own X-Forwarded-For address (the cluster
 *    runs with TRUST_PROXY=2: the bench plays an outer load balancer), after a warm-up at the same rate.
 * 4. Each description starts with a marker (sequence, send time); each socket measures receipt − send. Lost = for
 *    each ticket answered 201, the sockets that had not received it once nothing new arrived for 5 s.
 *
 * Runs in this process (the sockets and the clock are here); it stops everything it started, also on error.
 * Settings: BENCH_CLUSTER_SOCKETS (20), BENCH_CLUSTER_RATE (20 tickets/s), BENCH_CLUSTER_SECONDS (20),
 * BENCH_CLUSTER_WARMUP_SECONDS (3); BENCH_LOG_LEVEL for the Suara processes (warn). Skipped, saying why, without
 * nginx or redis-server.
 */
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import mongoose from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed.js';
import { setEncryptionKey } from '../../src/platform/crypto.js';
import { connectMongoose } from '../../src/platform/db.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/embedded-db.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { missingTools, startCluster, type Cluster } from '../cluster.js';
import { FANOUT_LISTENING_UNIT, FANOUT_UNIT } from './fanout.js';
import { Histogram, marker, nowUs, readMarker } from './fanout-protocol.js';
import { DATA_ENCRYPTION_KEY } from './scenarios.js';
import { positive } from './settings.js';

export const CLUSTER_FANOUT_NAME = 'cluster-fanout';
const STALL_MS = 5000;
const DRAIN_MS = 30_000;

export interface ClusterFanoutResult {
  skipped?: string;
  sockets: number;
  ratePerSecond: number;
  seconds: number;
  tickets: { sent: number; accepted: number; refused: Record<string, number>; postLatencyMs: Quantiles };
  deliveries: { expected: number; received: number; lost: number; latencyMs: Quantiles };
  /** Per process the sockets were connected to: every ticket reaches both, one of them through Redis. */
  byProcess: Record<string, Quantiles & { received: number }>;
}

interface Quantiles {
  p50: number;
  p99: number;
  max: number;
}

const quantiles = (histogram: Histogram): Quantiles => ({
  p50: round(histogram.at(0.5)),
  p99: round(histogram.at(0.99)),
  max: round(histogram.max),
});
const round = (ms: number) => Math.round(ms * 10) / 10;

const DESCRIPTION =
  'antrean di loket pendaftaran tidak bergerak hampir dua jam dan tidak ada petugas yang menjelaskan apa pun.';

export async function runClusterFanout(say: (line: string) => void): Promise<ClusterFanoutResult> {
  const settings = {
    sockets: positive('BENCH_CLUSTER_SOCKETS', 20),
    rate: positive('BENCH_CLUSTER_RATE', 20),
    seconds: positive('BENCH_CLUSTER_SECONDS', 20),
    warmup: positive('BENCH_CLUSTER_WARMUP_SECONDS', 3),
  };
  const empty = (skipped: string): ClusterFanoutResult => ({
    skipped,
    sockets: settings.sockets,
    ratePerSecond: settings.rate,
    seconds: settings.seconds,
    tickets: { sent: 0, accepted: 0, refused: {}, postLatencyMs: { p50: NaN, p99: NaN, max: NaN } },
    deliveries: { expected: 0, received: 0, lost: 0, latencyMs: { p50: NaN, p99: NaN, max: NaN } },
    byProcess: {},
  });
  const missing = missingTools();
  if (missing.length) {
    say(`${CLUSTER_FANOUT_NAME}: skipped, it needs ${missing.join(' and ')}`);
    return empty(`needs ${missing.join(' and ')}`);
  }

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'suara-bench-cluster-'));
  let database: EmbeddedDatabase | undefined;
  let cluster: Cluster | undefined;
  const sockets: Socket[] = [];
  try {
    say(`${CLUSTER_FANOUT_NAME}: the database, the demo, then nginx + Redis + two Suara processes…`);
    database = await startEmbeddedDatabase({ storagePath: path.join(workDir, 'db') });
    const mongodbUri = `mongodb://127.0.0.1:${database.port}/suara_cluster?directConnection=true`;
    await connectMongoose(mongodbUri);
    setEncryptionKey(DATA_ENCRYPTION_KEY);
    await ensureReferenceData();
    const demo = await seedDemo(loadConfig({ DATA_DIR: path.join(workDir, 'seed'), LOG_LEVEL: 'error' }));
    await mongoose.disconnect();
    const head = demo.accounts.find((a) => a.role === 'unit_head' && a.unitCode === FANOUT_LISTENING_UNIT);
    if (!head) throw new Error(`the demo has no unit head of ${FANOUT_LISTENING_UNIT}`);

    cluster = await startCluster({
      mongodbUri,
      dataEncryptionKey: DATA_ENCRYPTION_KEY,
      env: { TRUST_PROXY: '2', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
      say: (line) => say(`  ${line}`),
    });
    const [a, b] = cluster.apps;

    // ── The head's sockets, half on each process ──
    const login = await fetch(`${cluster.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: head.email, password: head.password }),
    });
    if (login.status !== 200) throw new Error(`sign-in answered ${login.status}`);
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(';')[0]!)
      .find((pair) => pair.startsWith('suara.sid='))!;

    const histogram = new Histogram();
    const perProcess = { A: new Histogram(), B: new Histogram() };
    const received = new Map<number, number>(); // seq → sockets that got it (measured phase)
    let lastDelivery = performance.now();
    for (let i = 0; i < settings.sockets; i++) {
      const app = i % 2 === 0 ? a! : b!;
      const socket = connect(`${app.url}/staff`, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        extraHeaders: { cookie },
      });
      sockets.push(socket);
      const seen = new Set<number>();
      socket.on('ticket:created', (payload: { ticket?: { summary?: string } }) => {
        const at = nowUs();
        const found = readMarker(payload.ticket?.summary);
        if (!found || found.phase !== 'm' || seen.has(found.seq)) return;
        seen.add(found.seq);
        const ms = (at - found.sendUs) / 1000;
        histogram.add(ms);
        perProcess[app.name as 'A' | 'B'].add(ms);
        received.set(found.seq, (received.get(found.seq) ?? 0) + 1);
        lastDelivery = performance.now();
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    }
    say(`  ${settings.sockets} sockets of the head of ${FANOUT_LISTENING_UNIT} connected, half on A, half on B`);

    // ── Open loop through nginx ──
    const posts = new Histogram();
    const accepted = new Set<number>();
    const refused: Record<string, number> = {};
    let address = 1;
    const file = async (phase: 'w' | 'm', seq: number) => {
      const sendUs = nowUs();
      const n = address++;
      try {
        const response = await fetch(`${cluster!.url}/api/v1/tickets`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Forwarded-For': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          },
          body: JSON.stringify({
            kind: 'complaint',
            unitCode: FANOUT_UNIT,
            category: 'waiting_time',
            description: marker(phase, seq, sendUs) + DESCRIPTION,
            privacy: 'anonymous',
            consent: true,
          }),
          signal: AbortSignal.timeout(15_000),
        });
        await response.arrayBuffer();
        if (phase === 'w') return;
        posts.add((nowUs() - sendUs) / 1000);
        if (response.status === 201) accepted.add(seq);
        else refused[response.status] = (refused[response.status] ?? 0) + 1;
      } catch (error) {
        if (phase === 'm') refused[(error as Error).name] = (refused[(error as Error).name] ?? 0) + 1;
      }
    };
    const openLoop = async (phase: 'w' | 'm', seconds: number) => {
      const count = Math.round(seconds * settings.rate);
      const start = performance.now();
      const pending: Promise<void>[] = [];
      for (let seq = 0; seq < count; seq++) {
        const due = start + (seq * 1000) / settings.rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        pending.push(file(phase, seq));
      }
      await Promise.all(pending);
    };
    say(`  warm-up: ${settings.warmup} s at ${settings.rate}/s`);
    await openLoop('w', settings.warmup);
    say(`  measuring: ${settings.seconds} s at ${settings.rate}/s through nginx`);
    await openLoop('m', settings.seconds);

    // ── Drain: until every accepted ticket reached every socket, or nothing new for STALL_MS ──
    const expected = accepted.size * settings.sockets;
    const drainEnd = performance.now() + DRAIN_MS;
    while (histogram.count < expected && performance.now() < drainEnd && performance.now() - lastDelivery < STALL_MS)
      await new Promise((resolve) => setTimeout(resolve, 100));
    let delivered = 0;
    for (const seq of accepted) delivered += Math.min(received.get(seq) ?? 0, settings.sockets);

    return {
      sockets: settings.sockets,
      ratePerSecond: settings.rate,
      seconds: settings.seconds,
      tickets: {
        sent: Math.round(settings.seconds * settings.rate),
        accepted: accepted.size,
        refused,
        postLatencyMs: quantiles(posts),
      },
      deliveries: { expected, received: delivered, lost: expected - delivered, latencyMs: quantiles(histogram) },
      byProcess: Object.fromEntries(
        Object.entries(perProcess).map(([name, h]) => [name, { ...quantiles(h), received: h.count }]),
      ),
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await cluster?.stop();
    await mongoose.disconnect().catch(() => undefined);
    await database?.stop().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export function formatClusterFanout(result: ClusterFanoutResult): string {
  if (result.skipped) return `Cluster fan-out: skipped (${result.skipped})`;
  const { tickets, deliveries } = result;
  const refused = Object.entries(tickets.refused)
    .map(([why, count]) => `${count}× ${why}`)
    .join(', ');
  return [
    `Cluster fan-out (nginx → 2 Suara processes, Redis adapter): ${result.sockets} sockets, ` +
      `${result.ratePerSecond} tickets/s for ${result.seconds} s`,
    `  tickets: ${tickets.accepted} of ${tickets.sent} accepted${refused ? ` (refused: ${refused})` : ''}; ` +
      `POST p50 ${tickets.postLatencyMs.p50} ms, p99 ${tickets.postLatencyMs.p99} ms`,
    `  POST → socket: p50 ${deliveries.latencyMs.p50} ms, p99 ${deliveries.latencyMs.p99} ms, ` +
      `max ${deliveries.latencyMs.max} ms; lost ${deliveries.lost} of ${deliveries.expected}`,
    ...Object.entries(result.byProcess).map(
      ([name, q]) => `  sockets on ${name}: ${q.received} received, p50 ${q.p50} ms, p99 ${q.p99} ms`,
    ),
  ].join('\n');
}
