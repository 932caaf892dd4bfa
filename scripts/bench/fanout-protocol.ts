/**
 * What the fan-out bench (fanout.ts) and its socket workers (fanout-worker.ts) share: the clock, the marker a
 * ticket carries in its description, the latency histogram and the messages over the IPC channel.
 */

/**
 * Microseconds on the machine's monotonic clock (CLOCK_MONOTONIC, the same in every process on the machine), so a
 * worker can subtract the load generator's send time from its own receipt time.
 */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

// ─── The marker ────────────────────────────────────────────────────────────────────────────────────────────────

/** `w`: a warm-up ticket (counted, not measured); `m`: a measured one. */
export type Phase = 'w' | 'm';

/**
 * Numbers as lowercase letters (a = 0, base 26): the event's `summary` is the description with runs of 12 or more
 * digits scrubbed as personal data, so a time in digits would not come through; letters do.
 */
export function letters(value: number): string {
  let n = Math.max(0, Math.floor(value));
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out;
}

function number(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) n = n * 26 + (text.charCodeAt(i) - 97);
  return n;
}

/** The start of a bench ticket's description: phase, sequence number and send time (µs, monotonic clock). */
export function marker(phase: Phase, seq: number, sendUs: number): string {
  return `fanout ${phase} ${letters(seq)} ${letters(sendUs)} `;
}

const MARKER = /^fanout ([wm]) ([a-z]+) ([a-z]+) /;

/** The marker read back from a broadcast's `summary` (the first 200 characters of the description). */
export function readMarker(summary: unknown): { phase: Phase; seq: number; sendUs: number } | undefined {
  if (typeof summary !== 'string') return undefined;
  const match = MARKER.exec(summary);
  if (!match) return undefined;
  return { phase: match[1] as Phase, seq: number(match[2]!), sendUs: number(match[3]!) };
}

// ─── Latency histogram ─────────────────────────────────────────────────────────────────────────────────────────

const BIN_MS = 0.1;
const BINS = 600_000; // 0.1 ms bins up to 60 s; anything slower lands in the last bin (its max is kept exactly)

/** Latencies in 0.1 ms bins: a worker sends its bins (sparse) and the bench merges them across workers. */
export class Histogram {
  private bins = new Uint32Array(BINS);
  count = 0;
  max = 0;

  add(ms: number): void {
    const value = Math.max(0, ms);
    this.bins[Math.min(BINS - 1, Math.floor(value / BIN_MS))]! += 1;
    this.count += 1;
    if (value > this.max) this.max = value;
  }

  /** Non-empty bins as [bin, count] pairs, with the exact maximum. */
  toJSON(): SparseHistogram {
    const bins: [number, number][] = [];
    for (let i = 0; i < BINS; i++) if (this.bins[i]) bins.push([i, this.bins[i]!]);
    return { bins, count: this.count, max: this.max };
  }

  merge(other: SparseHistogram): void {
    for (const [bin, count] of other.bins) this.bins[bin]! += count;
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
  }

  /** The value at a quantile (upper edge of its bin, so never optimistic by more than 0.1 ms); NaN when empty. */
  at(quantile: number): number {
    if (!this.count) return NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(quantile * this.count)));
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return Math.min(this.max, (i + 1) * BIN_MS);
    }
    return this.max;
  }
}

export interface SparseHistogram {
  bins: [number, number][];
  count: number;
  max: number;
}

// ─── Messages ──────────────────────────────────────────────────────────────────────────────────────────────────

/** Bench → worker; each carries an id that the worker's answer repeats. */
export type WorkerRequest = { id: number } & (
  | {
      type: 'connect';
      /** Suara's base URL. */
      url: string;
      /** `suara.sid=…`, sent as the Cookie header of the handshake. */
      cookie: string;
      /** How many more sockets to open. */
      count: number;
      /** Handshakes in flight at once. */
      concurrency: number;
      timeoutMs: number;
    }
  | { type: 'close'; keep: number }
  /** The measured tickets known to exist: `status` counts their deliveries apart. */
  | { type: 'expect'; seqs: number[] }
  | { type: 'measure' }
  | { type: 'status' }
  | { type: 'report' }
);

export interface ConnectAnswer {
  sockets: number;
  failed: number;
  errors: string[];
}

export interface StatusAnswer {
  sockets: number;
  /** Measured deliveries so far, duplicates included. */
  received: number;
  warmupReceived: number;
  /** First receipts of the tickets named by the last `expect`. */
  expectedReceived: number;
}

export interface WorkerReport {
  sockets: number;
  /** Measured deliveries (first receipt of a ticket by a socket). */
  received: number;
  /** A socket receiving the same ticket again. */
  duplicates: number;
  warmupReceived: number;
  /** `ticket:created` events without a bench marker (none expected: the bench has the database to itself). */
  foreign: number;
  /** For each measured sequence number, how many of this worker's sockets received it. */
  perSeq: number[];
  latency: SparseHistogram;
  /** Sockets that dropped after connecting (not closed by the bench), by reason. */
  disconnects: Record<string, number>;
  /** The worker's own event-loop delay while measuring, in ms: how much of the latency is the client's. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export type WorkerAnswer =
  { id: number; ok: true; answer: unknown } | { id: number; ok: false; error: string } | { ready: true };
