/**
 * A socket worker of the fan-out bench (fanout.ts): holds staff sockets on Suara's `/staff` namespace, all signed
 * in with one session cookie, and records when each receives each bench ticket. It runs as a child process so
 * that parsing tens of thousands of events a second does not share an event loop with the load generator.
 * Driven over IPC (fanout-protocol.ts); ends with its sockets when the bench goes away in any way.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import {
  Histogram,
  nowUs,
  readMarker,
  type ConnectAnswer,
  type StatusAnswer,
  type WorkerAnswer,
  type WorkerReport,
  type WorkerRequest,
} from './fanout-protocol.js';

const TICKET_CREATED = 'ticket:created'; // ServerEvents.ticketCreated in src/modules/inbox/events.ts

interface Held {
  socket: Socket;
  /** Which measured tickets this socket has received (by sequence number). */
  seen: Uint8Array;
  closing: boolean;
}

const held: Held[] = [];
let perSeq: Uint32Array = new Uint32Array(4096);
let expected: number[] = [];
const latency = new Histogram();
let received = 0;
let duplicates = 0;
let warmupReceived = 0;
let foreign = 0;
const disconnects: Record<string, number> = {};
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

function grow(array: Uint8Array, index: number): Uint8Array;
function grow(array: Uint32Array, index: number): Uint32Array;
function grow(array: Uint8Array | Uint32Array, index: number) {
  if (index < array.length) return array;
  let length = array.length;
  while (length <= index) length *= 2;
  const bigger = new (array.constructor as Uint8ArrayConstructor)(length);
  bigger.set(array);
  return bigger;
}

function onTicket(entry: Held, payload: { ticket?: { summary?: unknown } } | undefined): void {
  const at = nowUs();
  const mark = readMarker(payload?.ticket?.summary);
  if (!mark) {
    foreign += 1;
    return;
  }
  if (mark.phase === 'w') {
    warmupReceived += 1;
    return;
  }
  entry.seen = grow(entry.seen, mark.seq);
  if (entry.seen[mark.seq]) {
    duplicates += 1;
    return;
  }
  entry.seen[mark.seq] = 1;
  perSeq = grow(perSeq, mark.seq);
  perSeq[mark.seq]! += 1;
  received += 1;
  latency.add((at - mark.sendUs) / 1000);
}

function openOne(url: string, cookie: string, timeoutMs: number): Promise<Held> {
  const socket = connect(`${url}/staff`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
    extraHeaders: { cookie },
  });
  const entry: Held = { socket, seen: new Uint8Array(1024), closing: false };
  socket.on(TICKET_CREATED, (payload: { ticket?: { summary?: unknown } }) => onTicket(entry, payload));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      entry.closing = true;
      socket.disconnect();
      reject(error);
    };
    socket.once('connect_error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('connect_error', fail);
      socket.on('disconnect', (reason) => {
        if (!entry.closing) disconnects[reason] = (disconnects[reason] ?? 0) + 1;
      });
      resolve(entry);
    });
  });
}

async function open(request: Extract<WorkerRequest, { type: 'connect' }>): Promise<ConnectAnswer> {
  let next = 0;
  let failed = 0;
  const errors = new Set<string>();
  const lane = async () => {
    while (next < request.count) {
      next += 1;
      try {
        held.push(await openOne(request.url, request.cookie, request.timeoutMs));
      } catch (error) {
        failed += 1;
        if (errors.size < 5) errors.add(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, lane));
  return { sockets: held.length, failed, errors: [...errors] };
}

function close(keep: number): { sockets: number } {
  for (const entry of held.splice(keep)) {
    entry.closing = true;
    entry.socket.disconnect();
  }
  return { sockets: held.length };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function report(): WorkerReport {
  loopDelay.disable();
  let last = perSeq.length - 1;
  while (last >= 0 && perSeq[last] === 0) last -= 1;
  return {
    sockets: held.length,
    received,
    duplicates,
    warmupReceived,
    foreign,
    perSeq: Array.from(perSeq.subarray(0, last + 1)),
    latency: latency.toJSON(),
    disconnects,
    loopDelayMs: {
      p50: round2(loopDelay.percentile(50) / 1e6),
      p99: round2(loopDelay.percentile(99) / 1e6),
      max: round2(loopDelay.max / 1e6),
    },
  };
}

async function answer(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'connect':
      return open(request);
    case 'close':
      return close(request.keep);
    case 'measure':
      loopDelay.reset();
      loopDelay.enable();
      return {};
    case 'expect':
      expected = request.seqs;
      return {};
    case 'status':
      return {
        sockets: held.length,
        received: received + duplicates,
        warmupReceived,
        expectedReceived: expected.reduce((sum, seq) => sum + (perSeq[seq] ?? 0), 0),
      } satisfies StatusAnswer;
    case 'report':
      return report();
  }
}

const send = (message: WorkerAnswer) => process.send?.(message);

process.on('message', (request: WorkerRequest) => {
  answer(request).then(
    (result) => send({ id: request.id, ok: true, answer: result }),
    (error: unknown) =>
      send({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});

// The bench went away (finished, Ctrl-C, or killed outright): close the sockets and end.
const end = () => {
  close(0);
  setTimeout(() => process.exit(0), 200).unref();
};
process.on('disconnect', end);
process.on('SIGTERM', end);
process.on('SIGINT', () => {}); // the terminal's Ctrl-C reaches the whole group: the bench decides when to stop us

send({ ready: true });
