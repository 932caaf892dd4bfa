import os from 'node:os';

/** Knobs, all from the environment so that `npm run bench` needs no arguments. */
export interface Settings {
  /** Measured seconds per scenario (BENCH_SECONDS, default 10). */
  seconds: number;
  /** Warm-up seconds before each measurement, discarded (BENCH_WARMUP_SECONDS, default 2). */
  warmupSeconds: number;
  /** Alternating stretches per side when Suara is measured against its floor (BENCH_ROUNDS, default 2). */
  rounds: number;
  /** Connections for the read scenarios (BENCH_CONNECTIONS, default 20). */
  connections: number;
  /** Connections for sign-in, where argon2id dominates (BENCH_LOGIN_CONNECTIONS, default 4). */
  loginConnections: number;
  /**
   * Requests per second offered to each load scenario at a million, in an open loop (BENCH_RATE; default none:
   * BENCH_CONNECTIONS connections each sending again as soon as answered, which measures the machine at
   * saturation). A rate measures the latency a user gets while the server carries that load.
   */
  rate: number | undefined;
  /** Only the scenarios named here, comma-separated (BENCH_ONLY; default all). Pages are always weighed. */
  only: string[] | undefined;
  /** Suara's LOG_LEVEL under load (BENCH_LOG_LEVEL, default info: a log line per request, as in production). */
  logLevel: string;
}

/** A positive number from the environment, or the fallback when unset; anything else stops the bench. */
export function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number (got ${JSON.stringify(raw)})`);
  return value;
}

export function loadSettings(): Settings {
  return {
    seconds: positive('BENCH_SECONDS', 10),
    warmupSeconds: process.env.BENCH_WARMUP_SECONDS === '0' ? 0 : positive('BENCH_WARMUP_SECONDS', 2),
    rounds: Math.round(positive('BENCH_ROUNDS', 2)),
    connections: Math.round(positive('BENCH_CONNECTIONS', 20)),
    loginConnections: Math.round(positive('BENCH_LOGIN_CONNECTIONS', 4)),
    rate: process.env.BENCH_RATE ? positive('BENCH_RATE', 1) : undefined,
    only: process.env.BENCH_ONLY?.split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    logLevel: process.env.BENCH_LOG_LEVEL || 'info',
  };
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
