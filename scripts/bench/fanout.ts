/**
 * The live fan-out figure of docs/benchmarks.md#targets: a new ticket reaches 500 connected staff sockets with
 * p99 under 100 ms at 100 tickets/s, losing none; and Suara's memory with 1,000 sockets connected.
 *
 * Against a Suara already running as the bench runs it (child process, production mode, the bench's database):
 * 1. Starts the socket workers (fanout-worker.ts, child processes), signs in once as the head of JAMBI-DINKES and
 *    has the workers open staff sockets on `/staff` with that session cookie; reads Suara's RSS (/proc VmRSS)
 *    before, at 500 and at 1,000 idle sockets, then closes back down to 500.
 * 2. Files tickets to JAMBI-PKM-KEBUNHANDIL (in that head's subtree) with POST /api/v1/tickets, open loop: a timer
 *    sends each request on schedule whatever the answers do, each from its own X-Forwarded-For address (the intake
 *    limit is 10 per address in 10 minutes). A warm-up at the same rate first, discarded.
 * 3. Each ticket's description starts with a marker holding its sequence number and its send time on the
 *    machine's monotonic clock; the `ticket:created` broadcast carries it in `summary`, so each worker measures
 *    receipt − send per socket and ticket without waiting for the POST's answer.
 * 4. Once every POST is answered (or timed out), the measured tickets that exist are those answered 201 and those
 *    in the database; lost = for each of them, the measured sockets that had not received it when the drain ended
 *    (all delivered, nothing new for 3 s, or 15 s). Duplicates and sockets that dropped are counted apart. Stops
 *    its workers at the end, on error and on stopFanout() (Ctrl-C).
 */
import { positive } from './settings.js';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import type { DemoAccount } from '../../src/demo/seed.js';
import {
  Histogram,
  marker,
  nowUs,
  readMarker,
  type ConnectAnswer,
  type Phase,
  type StatusAnswer,
  type WorkerAnswer,
  type WorkerReport,
  type WorkerRequest,
} from './fanout-protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const FANOUT_UNIT = 'JAMBI-PKM-KEBUNHANDIL';
/** The unit whose head listens: JAMBI-PKM-KEBUNHANDIL is in its subtree. */
export const FANOUT_LISTENING_UNIT = 'JAMBI-DINKES';
const TARGET_P99_MS = 100;
const POST_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 20_000;
/** After the last ticket is sent: how long to wait for the deliveries still under way, at most. */
const DRAIN_MS = 15_000;
/** …and how long without any new delivery before deciding the rest are lost. */
const STALL_MS = 5_000;
const SETTLE_MS = 2_000;

const DESCRIPTION =
  'Saya menunggu hampir dua jam di loket pendaftaran, nomor antrean tidak dipanggil berurutan dan petugas ' +
  'tidak menjelaskan apa pun kepada pasien yang menunggu.';

// ─── Settings ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface FanoutSettings {
  /** Measured seconds of tickets (BENCH_FANOUT_SECONDS, default 30). */
  seconds: number;
  /** Tickets a second, open loop (BENCH_FANOUT_RATE, default 100). */
  rate: number;
  /** Staff sockets connected while measuring (BENCH_FANOUT_SOCKETS, default 500). */
  sockets: number;
  /** Sockets at which Suara's memory is read, idle (BENCH_FANOUT_IDLE_SOCKETS, default 1000). */
  idleSockets: number;
  /** Worker processes holding the sockets (BENCH_FANOUT_WORKERS, default 2). */
  workers: number;
  /** Warm-up seconds at the same rate before measuring, discarded (BENCH_WARMUP_SECONDS, default 2). */
  warmupSeconds: number;
}

export function loadFanoutSettings(warmupSeconds: number): FanoutSettings {
  const sockets = Math.round(positive('BENCH_FANOUT_SOCKETS', 500));
  return {
    seconds: positive('BENCH_FANOUT_SECONDS', 30),
    rate: positive('BENCH_FANOUT_RATE', 100),
    sockets,
    idleSockets: Math.max(sockets, Math.round(positive('BENCH_FANOUT_IDLE_SOCKETS', 1000))),
    workers: Math.round(positive('BENCH_FANOUT_WORKERS', 2)),
    warmupSeconds,
  };
}

// ─── Results ───────────────────────────────────────────────────────────────────────────────────────────────────

export interface FanoutResult {
  settings: FanoutSettings & { unitCode: string; listener: string };
  sockets: {
    /** Connected while measuring. */
    measured: number;
    /** Handshakes that failed, all stages together. */
    connectFailures: number;
    connectErrors: string[];
    /** Seconds to open the first `settings.sockets` sockets. */
    connectSeconds: number;
  };
  tickets: {
    planned: number;
    sent: number;
    /** 201 answers. */
    created: number;
    /** Measured tickets in the database without a 201 (the POST timed out or failed after the save). */
    createdWithout201: number;
    /** Measured tickets saved only after every POST had its answer or timed out (an overloaded server's backlog):
     * not counted in the deliveries. */
    savedLate: number;
    /** Over the sending window. */
    sentPerSec: number;
    createdPerSec: number;
    statusCodes: Record<string, number>;
    errors: number;
    timeouts: number;
    postLatencyMs: { p50: number; p99: number; max: number };
    /** How late the generator's timer sent its most late request (its own event loop). */
    scheduleLagMaxMs: number;
  };
  deliveries: {
    /** Measured tickets that exist × measured sockets. */
    expected: number;
    /** First receipts. */
    received: number;
    /** Expected but not received when the drain ended. */
    lost: number;
    /** Of the measured tickets, those no socket received at all (a broadcast that never happened, or came late). */
    ticketsNoSocketGot: number;
    /** `event subscriber failed` lines in Suara's log while measuring (null when the log was not read). */
    subscriberFailures: number | null;
    duplicates: number;
    /** Sockets that dropped during the run, by reason. */
    disconnects: Record<string, number>;
    /** From sending the POST to a socket's receipt, over every socket × ticket. */
    latencyMs: { p50: number; p95: number; p99: number; max: number };
  };
  verdict: { p99UnderTarget: boolean; noneLost: boolean; targetP99Ms: number };
  /** Suara's RSS (VmRSS). */
  memoryMiB: { beforeSockets: number; atSockets: number; atIdleSockets: number; afterLoad: number };
  /** (RSS at idleSockets − RSS before) ÷ idleSockets; null under 100 sockets, where the GC's noise is all it shows. */
  perSocketKiB: number | null;
  /** CPU used while the measured tickets were being sent, in cores (1 = one core busy). */
  cpuCores: {
    seconds: number;
    suara: number;
    database: number | null;
    socketWorkers: number;
    loadGenerator: number;
    machineBusy: number;
    /** Busy time no process of the bench accounts for: other work on the machine, and the kernel's own. */
    other: number;
    machineCores: number;
  };
  /** The worst worker's event-loop delay while measuring: latency spent waiting in the client, not the server. */
  clientLoopDelayMs: { p99: number; max: number };
  warmup: { sent: number; created: number; deliveries: number };
  elapsedSeconds: number;
}

// ─── Processes ─────────────────────────────────────────────────────────────────────────────────────────────────

type Ask = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

class SocketWorker {
  private pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: WorkerAnswer) => {
      if ('ready' in message) return;
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.answer);
      else waiting.reject(new Error(`socket worker: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiting of this.pending.values())
        waiting.reject(new Error(`socket worker ${child.pid} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  static start(): Promise<SocketWorker> {
    const child = fork(path.join(here, 'fanout-worker.ts'), [], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('a socket worker did not start within 30 s'));
      }, 30_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve(new SocketWorker(child));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`a socket worker exited at start (code ${code})`));
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  ask<T>(request: Ask, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`socket worker ${this.pid}: no answer to ${request.type} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ ...request, id } as WorkerRequest);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

let workers: SocketWorker[] = [];
let agent: http.Agent | undefined;
let stopped = false;

/** Ends the fan-out under way, if any: no more tickets, workers and their sockets closed (Ctrl-C, errors). */
export async function stopFanout(): Promise<void> {
  stopped = true;
  agent?.destroy();
  await Promise.allSettled(workers.map((worker) => worker.stop()));
  workers = [];
}

// ─── /proc ─────────────────────────────────────────────────────────────────────────────────────────────────────

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds a process has used (user + system), or NaN once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return NaN;
  }
}

/** Busy CPU seconds of the whole machine (all cores; idle and iowait excluded). */
function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return (total - values[3]! - values[4]!) / ticksPerSecond();
}

interface CpuSnapshot {
  at: number;
  suara: number;
  database: number;
  workers: number;
  self: number;
  machine: number;
}

function cpuSnapshot(suaraPid: number, databasePid: number | undefined): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    suara: cpuSeconds(suaraPid),
    database: databasePid ? cpuSeconds(databasePid) : NaN,
    workers: workers.reduce((sum, worker) => sum + cpuSeconds(worker.pid), 0),
    self: (usage.user + usage.system) / 1e6,
    machine: machineBusySeconds(),
  };
}

// ─── Load ──────────────────────────────────────────────────────────────────────────────────────────────────────

interface TicketRun {
  planned: number;
  sent: number;
  /** Sequence numbers answered 201. */
  created: number[];
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  postLatencies: number[];
  scheduleLagMaxMs: number;
  windowSeconds: number;
}

/** 172.16.0.1, 172.16.0.2, …: a client address per ticket, apart from the 10.x the autocannon scenarios use. */
let nextAddress = 0;
function nextClientAddress(): string {
  nextAddress = (nextAddress + 1) % 0xfffff;
  const n = nextAddress;
  return `172.${16 + ((n >> 16) & 15)}.${(n >> 8) & 255}.${n & 255}`;
}

function postTicket(url: URL, phase: Phase, seq: number, run: TicketRun): Promise<void> {
  const sendUs = nowUs();
  const body = JSON.stringify({
    kind: 'complaint',
    unitCode: FANOUT_UNIT,
    category: 'waiting_time',
    description: marker(phase, seq, sendUs) + DESCRIPTION,
    waitMinutes: 110,
    privacy: 'anonymous',
    consent: true,
  });
  run.sent += 1;
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: number | 'error' | 'timeout') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome === 'error') run.errors += 1;
      else if (outcome === 'timeout') run.timeouts += 1;
      else {
        run.statusCodes[outcome] = (run.statusCodes[outcome] ?? 0) + 1;
        run.postLatencies.push((nowUs() - sendUs) / 1000);
        if (outcome === 201) run.created.push(seq);
      }
      resolve();
    };
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-for': nextClientAddress(),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => done(response.statusCode ?? 0));
        response.on('error', () => done('error'));
      },
    );
    const timer = setTimeout(() => {
      done('timeout');
      request.destroy();
    }, POST_TIMEOUT_MS);
    request.on('error', () => done('error'));
    request.end(body);
  });
}

/** `seconds × rate` tickets, each sent at its planned time whatever the earlier ones are doing (open loop). */
async function fileTickets(
  baseUrl: string,
  phase: Phase,
  seconds: number,
  rate: number,
  whenAllSent?: () => void,
): Promise<TicketRun> {
  const url = new URL('/api/v1/tickets', baseUrl);
  const planned = Math.round(seconds * rate);
  const interval = 1000 / rate;
  const run: TicketRun = {
    planned,
    sent: 0,
    created: [],
    statusCodes: {},
    errors: 0,
    timeouts: 0,
    postLatencies: [],
    scheduleLagMaxMs: 0,
    windowSeconds: 0,
  };
  const answers: Promise<void>[] = [];
  const start = performance.now();
  let seq = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      if (stopped) return resolve();
      const now = performance.now();
      while (seq < planned && start + seq * interval <= now) {
        run.scheduleLagMaxMs = Math.max(run.scheduleLagMaxMs, now - (start + seq * interval));
        answers.push(postTicket(url, phase, seq, run));
        seq += 1;
      }
      if (seq >= planned) return resolve();
      setTimeout(tick, Math.max(0, start + seq * interval - performance.now()));
    };
    tick();
  });
  whenAllSent?.();
  run.windowSeconds = Math.max((planned - 1) * interval, 1) / 1000;
  await Promise.all(answers); // each is bounded by POST_TIMEOUT_MS
  return run;
}

// ─── The run ───────────────────────────────────────────────────────────────────────────────────────────────────

export interface FanoutOptions {
  /** Suara's base URL and process id (for /proc). */
  url: string;
  pid: number;
  /** Suara's database: which measured tickets exist is read there. */
  mongodbUri: string;
  /** The database server's process id, for its share of the CPU (optional). */
  databasePid?: number;
  /** Suara's log file: the failures of event subscribers logged while measuring are counted (optional). */
  logFile?: string;
  accounts: DemoAccount[];
  settings: FanoutSettings;
  say(line: string): void;
}

/** Sequence numbers of the measured tickets in the database, filed since `since`. */
async function measuredTicketsIn(mongodbUri: string, since: Date): Promise<number[]> {
  const client = new MongoClient(mongodbUri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const tickets = await client
      .db()
      .collection<{ description: string }>('tickets')
      .find({ unitCode: FANOUT_UNIT, createdAt: { $gte: since } }, { projection: { description: 1 } })
      .toArray();
    return tickets.flatMap((ticket) => {
      const mark = readMarker(ticket.description);
      return mark?.phase === 'm' ? [mark.seq] : [];
    });
  } finally {
    await client.close();
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Lines of a log file from byte `offset` on that contain `text`. */
function countInLog(file: string, offset: number, text: string): number {
  try {
    const tail = readFileSync(file).subarray(offset).toString('utf8');
    return tail.split('\n').filter((line) => line.includes(text)).length;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** Signs in through the JSON API from an address of its own (the limit is 20 a minute per address). */
async function signIn(baseUrl: string, account: DemoAccount): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': '192.0.2.77' },
    body: JSON.stringify({ email: account.email, password: account.password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200)
    throw new Error(`sign-in of ${account.email} answered ${response.status}: ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .find((pair) => pair.startsWith('suara.sid='));
  if (!cookie) throw new Error(`sign-in of ${account.email} set no session cookie`);
  return cookie;
}

/** `total` split over the workers as evenly as it goes. */
const share = (total: number, index: number, count: number) =>
  Math.floor(total / count) + (index < total % count ? 1 : 0);

export async function runFanout(options: FanoutOptions): Promise<FanoutResult> {
  const { settings, say } = options;
  const began = performance.now();
  stopped = false;
  const head = options.accounts.find(
    (account) => account.role === 'unit_head' && account.unitCode === FANOUT_LISTENING_UNIT,
  );
  if (!head) throw new Error(`the demo has no head of ${FANOUT_LISTENING_UNIT}`);
  agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  try {
    workers = await Promise.all(Array.from({ length: settings.workers }, () => SocketWorker.start()));
    const cookie = await signIn(options.url, head);
    say(`  signed in as ${head.email}; ${settings.workers} socket worker processes`);
    await sleep(SETTLE_MS);
    const beforeSockets = rssMiB(options.pid);

    let connectFailures = 0;
    const connectErrors = new Set<string>();
    const connectTo = async (total: number) => {
      const answers = await Promise.all(
        workers.map((worker, index) => {
          // Each worker says what it holds; it opens the difference.
          return worker.ask<StatusAnswer>({ type: 'status' }, 5_000).then((status) =>
            worker.ask<ConnectAnswer>(
              {
                type: 'connect',
                url: options.url,
                cookie,
                count: Math.max(0, share(total, index, workers.length) - status.sockets),
                concurrency: 25,
                timeoutMs: CONNECT_TIMEOUT_MS,
              },
              CONNECT_TIMEOUT_MS * 4 + total * 200,
            ),
          );
        }),
      );
      for (const answer of answers) {
        connectFailures += answer.failed;
        for (const error of answer.errors) if (connectErrors.size < 5) connectErrors.add(error);
      }
      return answers.reduce((sum, answer) => sum + answer.sockets, 0);
    };

    let started = performance.now();
    const atSocketsCount = await connectTo(settings.sockets);
    const connectSeconds = (performance.now() - started) / 1000;
    say(`  ${atSocketsCount} sockets connected in ${connectSeconds.toFixed(1)} s`);
    await sleep(SETTLE_MS);
    const atSockets = rssMiB(options.pid);

    started = performance.now();
    const idleCount = await connectTo(settings.idleSockets);
    say(`  ${idleCount} sockets connected (${((performance.now() - started) / 1000).toFixed(1)} s more)`);
    await sleep(SETTLE_MS);
    const atIdleSockets = rssMiB(options.pid);
    say(
      `  Suara RSS: ${beforeSockets} MiB before, ${atSockets} at ${atSocketsCount}, ${atIdleSockets} at ${idleCount}`,
    );

    const kept = await Promise.all(
      workers.map((worker, index) =>
        worker.ask<{ sockets: number }>(
          { type: 'close', keep: share(settings.sockets, index, workers.length) },
          10_000,
        ),
      ),
    );
    const measured = kept.reduce((sum, answer) => sum + answer.sockets, 0);
    if (measured === 0) throw new Error(`no staff socket could connect: ${[...connectErrors].join('; ')}`);
    await sleep(SETTLE_MS / 2);

    const totalStatus = async () => {
      const statuses = await Promise.all(workers.map((w) => w.ask<StatusAnswer>({ type: 'status' }, 5_000)));
      return {
        received: statuses.reduce((sum, status) => sum + status.received, 0),
        warmupReceived: statuses.reduce((sum, status) => sum + status.warmupReceived, 0),
        expectedReceived: statuses.reduce((sum, status) => sum + status.expectedReceived, 0),
      };
    };

    /** Waits until `expected` measured deliveries arrived, nothing new came for STALL_MS, or DRAIN_MS passed. */
    const drain = async (expected: () => number, pick: (status: Awaited<ReturnType<typeof totalStatus>>) => number) => {
      const deadline = performance.now() + DRAIN_MS;
      let last = -1;
      let lastChange = performance.now();
      while (!stopped && performance.now() < deadline) {
        const count = pick(await totalStatus());
        if (count >= expected()) return;
        if (count !== last) {
          last = count;
          lastChange = performance.now();
        } else if (performance.now() - lastChange > STALL_MS) return;
        await sleep(200);
      }
    };

    let warmup = { sent: 0, created: 0, deliveries: 0 };
    if (settings.warmupSeconds > 0) {
      say(`  warm-up: ${settings.rate} tickets/s for ${settings.warmupSeconds} s`);
      const run = await fileTickets(options.url, 'w', settings.warmupSeconds, settings.rate);
      await drain(
        () => run.created.length * measured,
        (status) => status.warmupReceived,
      );
      const { warmupReceived } = await totalStatus();
      warmup = { sent: run.sent, created: run.created.length, deliveries: warmupReceived };
      if (run.created.length > 0 && warmupReceived === 0)
        say('  ! no socket received a warm-up ticket: the measurement will count every delivery as lost');
    }

    say(`  measuring: ${settings.rate} tickets/s for ${settings.seconds} s to ${measured} sockets`);
    await Promise.all(workers.map((worker) => worker.ask({ type: 'measure' }, 5_000)));
    const logOffset = options.logFile ? fileSize(options.logFile) : 0;
    const cpuBefore = cpuSnapshot(options.pid, options.databasePid);
    let cpuAfter = cpuBefore;
    const measureStart = new Date(Date.now() - 1000);
    const run = await fileTickets(options.url, 'm', settings.seconds, settings.rate, () => {
      cpuAfter = cpuSnapshot(options.pid, options.databasePid);
    });
    if (stopped) throw new Error('interrupted');
    const known = new Set([...run.created, ...(await measuredTicketsIn(options.mongodbUri, measureStart))]);
    await Promise.all(workers.map((worker) => worker.ask({ type: 'expect', seqs: [...known] }, 5_000)));
    await drain(
      () => known.size * measured,
      (status) => status.expectedReceived,
    );
    const afterLoad = rssMiB(options.pid);
    if (stopped) throw new Error('interrupted');

    const reports = await Promise.all(workers.map((worker) => worker.ask<WorkerReport>({ type: 'report' }, 30_000)));
    const inDatabase = await measuredTicketsIn(options.mongodbUri, measureStart);
    const latency = new Histogram();
    const perSeq = new Map<number, number>();
    const disconnects: Record<string, number> = {};
    let duplicates = 0;
    for (const report of reports) {
      latency.merge(report.latency);
      duplicates += report.duplicates;
      report.perSeq.forEach((count, seq) => count && perSeq.set(seq, (perSeq.get(seq) ?? 0) + count));
      for (const [reason, count] of Object.entries(report.disconnects))
        disconnects[reason] = (disconnects[reason] ?? 0) + count;
    }
    const created = new Set(run.created);
    let received = 0;
    for (const seq of known) received += Math.min(perSeq.get(seq) ?? 0, measured);
    const expected = known.size * measured;
    const lost = expected - received;
    const ticketsNoSocketGot = [...known].filter((seq) => !perSeq.get(seq)).length;
    const savedLate = new Set([...inDatabase, ...perSeq.keys()].filter((seq) => !known.has(seq))).size;

    const posts = Float64Array.from(run.postLatencies).sort();
    const postAt = (q: number) =>
      posts.length ? round1(posts[Math.min(posts.length - 1, Math.floor(q * posts.length))]!) : NaN;
    const elapsed = (cpuAfter.at - cpuBefore.at) / 1000;
    const cores = (pick: (snapshot: CpuSnapshot) => number) => round2((pick(cpuAfter) - pick(cpuBefore)) / elapsed);
    const database = cores((snapshot) => snapshot.database);
    const ours = (snapshot: CpuSnapshot) =>
      snapshot.suara + (Number.isFinite(snapshot.database) ? snapshot.database : 0) + snapshot.workers + snapshot.self;
    const p99 = round1(latency.at(0.99));

    return {
      settings: { ...settings, unitCode: FANOUT_UNIT, listener: head.email },
      sockets: {
        measured,
        connectFailures,
        connectErrors: [...connectErrors],
        connectSeconds: round1(connectSeconds),
      },
      tickets: {
        planned: run.planned,
        sent: run.sent,
        created: created.size,
        createdWithout201: known.size - created.size,
        savedLate,
        sentPerSec: round1(run.sent / run.windowSeconds),
        createdPerSec: round1(created.size / run.windowSeconds),
        statusCodes: run.statusCodes,
        errors: run.errors,
        timeouts: run.timeouts,
        postLatencyMs: { p50: postAt(0.5), p99: postAt(0.99), max: round1(posts.at(-1) ?? NaN) },
        scheduleLagMaxMs: round1(run.scheduleLagMaxMs),
      },
      deliveries: {
        expected,
        received,
        lost,
        ticketsNoSocketGot,
        subscriberFailures: options.logFile ? countInLog(options.logFile, logOffset, 'event subscriber failed') : null,
        duplicates,
        disconnects,
        latencyMs: {
          p50: round1(latency.at(0.5)),
          p95: round1(latency.at(0.95)),
          p99,
          max: round1(latency.max),
        },
      },
      verdict: {
        p99UnderTarget: p99 < TARGET_P99_MS,
        noneLost: lost === 0 && expected > 0,
        targetP99Ms: TARGET_P99_MS,
      },
      memoryMiB: { beforeSockets, atSockets, atIdleSockets, afterLoad },
      perSocketKiB: idleCount >= 100 ? Math.round(((atIdleSockets - beforeSockets) * 1024) / idleCount) : null,
      cpuCores: {
        seconds: round1(elapsed),
        suara: cores((snapshot) => snapshot.suara),
        database: Number.isFinite(database) ? database : null,
        socketWorkers: cores((snapshot) => snapshot.workers),
        loadGenerator: cores((snapshot) => snapshot.self),
        machineBusy: cores((snapshot) => snapshot.machine),
        other: Math.max(0, round2(cores((snapshot) => snapshot.machine) - cores(ours))),
        machineCores: os.cpus().length,
      },
      clientLoopDelayMs: {
        p99: Math.max(...reports.map((report) => report.loopDelayMs.p99)),
        max: Math.max(...reports.map((report) => report.loopDelayMs.max)),
      },
      warmup,
      elapsedSeconds: round1((performance.now() - began) / 1000),
    };
  } finally {
    await stopFanout();
    agent = undefined;
  }
}

// ─── Report ────────────────────────────────────────────────────────────────────────────────────────────────────

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';

export function formatFanout(result: FanoutResult): string {
  const { settings, tickets, deliveries, memoryMiB, cpuCores } = result;
  const non201 = Object.entries(tickets.statusCodes)
    .filter(([code]) => code !== '201')
    .map(([code, count]) => `${fmt(count)}×${code}`);
  const drops = Object.entries(deliveries.disconnects).map(([reason, count]) => `${count} ${reason}`);
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const lines = [
    `fan-out: ${fmt(result.sockets.measured)} staff sockets on /staff (${settings.listener}, in ` +
      `${settings.workers} worker processes), tickets to ${settings.unitCode} at ${fmt(settings.rate)}/s for ` +
      `${fmt(settings.seconds)} s, open loop`,
    `  tickets     sent ${fmt(tickets.sent)} (${fmt(tickets.sentPerSec, 1)}/s), created ${fmt(tickets.created)} ` +
      `(${fmt(tickets.createdPerSec, 1)}/s)` +
      (tickets.createdWithout201 ? ` + ${fmt(tickets.createdWithout201)} saved whose POST got no 201` : '') +
      (tickets.savedLate ? ` + ${fmt(tickets.savedLate)} saved after every POST had ended (not counted)` : '') +
      (non201.length ? `, ${non201.join(', ')}` : '') +
      (tickets.errors || tickets.timeouts ? `, ${tickets.errors} errors, ${tickets.timeouts} timeouts` : '') +
      `; POST p50 ${fmt(tickets.postLatencyMs.p50, 1)} ms, p99 ${fmt(tickets.postLatencyMs.p99, 1)} ms, ` +
      `max ${fmt(tickets.postLatencyMs.max, 1)} ms`,
    `  deliveries  expected ${fmt(deliveries.expected)}, received ${fmt(deliveries.received)}, ` +
      `lost ${fmt(deliveries.lost)}` +
      (deliveries.ticketsNoSocketGot ? ` (${fmt(deliveries.ticketsNoSocketGot)} tickets no socket got)` : '') +
      `, duplicates ${fmt(deliveries.duplicates)}` +
      (deliveries.subscriberFailures ? `, ${deliveries.subscriberFailures} event subscriber failures logged` : '') +
      (drops.length ? `; sockets dropped: ${drops.join(', ')}` : '; no socket dropped'),
    `  POST → socket  p50 ${fmt(deliveries.latencyMs.p50, 1)} ms, p95 ${fmt(deliveries.latencyMs.p95, 1)} ms, ` +
      `p99 ${fmt(deliveries.latencyMs.p99, 1)} ms, max ${fmt(deliveries.latencyMs.max, 1)} ms` +
      ` — target p99 < ${result.verdict.targetP99Ms} ms: ${met(result.verdict.p99UnderTarget)}; ` +
      `zero lost: ${met(result.verdict.noneLost)}`,
    `  Suara RSS   ${fmt(memoryMiB.beforeSockets, 1)} MiB before sockets, ${fmt(memoryMiB.atSockets, 1)} MiB at ` +
      `${fmt(settings.sockets)}, ${fmt(memoryMiB.atIdleSockets, 1)} MiB at ${fmt(settings.idleSockets)} idle` +
      (result.perSocketKiB === null ? '' : ` (≈ ${fmt(result.perSocketKiB)} KiB a socket)`) +
      `, ${fmt(memoryMiB.afterLoad, 1)} MiB after the load`,
    `  CPU         in cores of ${cpuCores.machineCores}, over the ${fmt(cpuCores.seconds, 1)} s measured: ` +
      `Suara ${fmt(cpuCores.suara, 2)}, database ${cpuCores.database === null ? '—' : fmt(cpuCores.database, 2)}, ` +
      `socket workers ${fmt(cpuCores.socketWorkers, 2)}, load generator ${fmt(cpuCores.loadGenerator, 2)}; ` +
      `machine busy ${fmt(cpuCores.machineBusy, 2)}, of which ${fmt(cpuCores.other, 2)} not the bench's ` +
      `(other work, kernel)`,
    `  client      worst worker event-loop delay p99 ${fmt(result.clientLoopDelayMs.p99, 1)} ms, max ` +
      `${fmt(result.clientLoopDelayMs.max, 1)} ms; generator timer late by ${fmt(tickets.scheduleLagMaxMs, 1)} ms at most`,
    '· The sockets, the load generator, Suara and the database share this machine: socket workers that parse every ' +
      'event take CPU from Suara, so the latency is an upper bound for a server with its cores to itself. RSS after ' +
      'the load holds the 2-minute connection-state-recovery buffer of broadcasts and garbage not yet collected.',
  ];
  const overloaded = tickets.timeouts > 0 || tickets.createdPerSec < 0.95 * settings.rate;
  if (overloaded)
    lines.push(
      `! Suara did not keep up with ${fmt(settings.rate)} tickets/s here (POSTs timed out or the rate fell short): ` +
        'the latencies are mostly queueing, and "lost" counts deliveries still queued when the bench stopped waiting.',
    );
  if (result.sockets.connectFailures)
    lines.push(
      `! ${result.sockets.connectFailures} sockets failed to connect: ${result.sockets.connectErrors.join('; ')}`,
    );
  return lines.join('\n');
}
