import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import mongoose, { Schema } from 'mongoose';
import { logger } from './logger.js';
import { countJobRun } from './metrics.js';

/**
 * Scheduled work (clock escalations, auto-close, digests, retention, the outbox safety net) for a deployment of
 * several identical processes: every process runs a scheduler, and before each run a job's lease is taken in the
 * `job_leases` collection, so a job runs once per period across all of them. A lease is one document per job:
 *
 *   { _id: 'notifications.outbox', owner: 'host:pid:random', leaseUntil, startedAt, finishedAt, lastError }
 *
 * Taking it is one atomic findOneAndUpdate on `leaseUntil <= now`. While a job runs its owner keeps extending the
 * lease; when it ends, the lease runs to `startedAt + everyMs`, which is what makes the period. An owner that
 * crashes stops extending, so its lease expires and another process takes the job over.
 *
 * This is "once per period in normal operation", not a hard mutex: if the database is unreachable long enough for
 * a lease to lapse mid-run, another process may start the same job. Jobs are therefore written to be idempotent
 * (claim work item by item, as the outbox does), and a job that notices it lost its lease is told to stop through
 * its abort signal.
 */
const jobLeaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, default: null },
    leaseUntil: { type: Date, required: true },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    lastError: { type: String, default: null },
  },
  { collection: 'job_leases', versionKey: false },
);
export const JobLease = mongoose.model('JobLease', jobLeaseSchema);

export interface JobContext {
  /** Aborted when the scheduler stops or the lease was lost: stop at the next safe point. */
  signal: AbortSignal;
  owner: string;
  startedAt: Date;
}

export interface Job {
  /** Unique, dotted by module: `feedback.auto_close`, `notifications.outbox`. */
  name: string;
  /** The period: across all processes the job starts at most once per `everyMs`. */
  everyMs: number;
  run: (context: JobContext) => Promise<void> | void;
}

export interface SchedulerOptions {
  /** Who holds leases; one per process. Tests give two schedulers two owners to play two processes. */
  owner?: string;
  /** How often due jobs are looked at (a look is skipped while the known lease has not run out). */
  tickMs?: number;
  /** The clock leases are measured with; tests move it forward instead of waiting. */
  now?: () => Date;
  /** How far each extension pushes a running job's lease; a crashed owner is taken over this long after. */
  runLeaseMs?: number;
}

const DEFAULT_TICK_MS = 1000;
const DEFAULT_RUN_LEASE_MS = 60_000;

export const defaultOwner = () => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

const isDuplicateKey = (error: unknown) => (error as { code?: number })?.code === 11000;

export class Scheduler {
  readonly owner: string;
  private readonly tickMs: number;
  private readonly now: () => Date;
  private readonly runLeaseMs: number;
  private readonly jobs = new Map<string, Job>();
  private readonly running = new Map<string, Promise<void>>();
  /** Per job, the time before which looking is pointless: our own period, or someone else's lease. */
  private readonly notBefore = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private currentTick: Promise<void> | undefined;
  private stopping = new AbortController();
  private started = false;

  constructor(options: SchedulerOptions = {}) {
    this.owner = options.owner ?? defaultOwner();
    this.tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    this.now = options.now ?? (() => new Date());
    this.runLeaseMs = options.runLeaseMs ?? DEFAULT_RUN_LEASE_MS;
  }

  register(job: Job): void {
    if (this.jobs.has(job.name)) throw new Error(`a job named ${job.name} is already registered`);
    if (!(job.everyMs > 0)) throw new Error(`job ${job.name}: everyMs must be a positive number`);
    this.jobs.set(job.name, job);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = new AbortController();
    // tick() catches its own errors; the next one is planned only after this one ends, so ticks never pile up.
    const loop = async () => {
      this.currentTick = this.tick().then(() => undefined);
      await this.currentTick;
      this.currentTick = undefined;
      if (!this.started) return;
      this.timer = setTimeout(() => void loop(), this.tickMs);
      this.timer.unref(); // never the reason a process stays up
    };
    void loop();
    logger.info({ owner: this.owner, jobs: [...this.jobs.keys()] }, 'scheduler started');
  }

  /** Stops ticking, asks running jobs to stop (abort signal) and waits for them, up to `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.currentTick;
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.idle(), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      logger.warn({ jobs: [...this.running.keys()] }, 'scheduler stopped with jobs still running');
  }

  /** Resolves when no job of this scheduler is running. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * One look at every job: each that is due and whose lease this scheduler gets is started (not awaited: a long
   * digest must not hold back a short escalation). Returns the names started; `idle()` waits for them.
   */
  async tick(): Promise<string[]> {
    const started: string[] = [];
    for (const job of this.jobs.values()) {
      if (this.running.has(job.name)) continue;
      const now = this.now();
      if (now.getTime() < (this.notBefore.get(job.name) ?? 0)) continue;
      try {
        if (await this.claim(job, now)) {
          started.push(job.name);
          this.launch(job, now);
        }
      } catch (error) {
        // The database is away: try again next tick; nothing is lost, the job is simply late.
        logger.warn({ err: error, job: job.name }, 'could not take the job lease');
      }
    }
    return started;
  }

  /** Takes the job's lease when it has run out (or never existed); false when another owner holds it. */
  private async claim(job: Job, now: Date): Promise<boolean> {
    try {
      const lease = await JobLease.findOneAndUpdate(
        { _id: job.name, leaseUntil: { $lte: now } },
        {
          $set: {
            owner: this.owner,
            leaseUntil: new Date(now.getTime() + Math.max(job.everyMs, this.runLeaseMs)),
            startedAt: now,
          },
        },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      if (lease?.owner === this.owner) {
        this.notBefore.set(job.name, now.getTime() + job.everyMs);
        return true;
      }
    } catch (error) {
      // The upsert met the document of a lease that has not run out: someone else has this period.
      if (!isDuplicateKey(error)) throw error;
    }
    // Look again when that lease runs out, and at least once a period: a long run ends before its lease does.
    const held = await JobLease.findById(job.name).lean();
    if (held) this.notBefore.set(job.name, Math.min(held.leaseUntil.getTime(), now.getTime() + job.everyMs));
    return false;
  }

  private launch(job: Job, startedAt: Date): void {
    const lost = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, lost.signal]);
    const mine = { _id: job.name, owner: this.owner, startedAt };
    // Keep the lease while running, so a slow run is not taken for a crash; a lost lease stops the job.
    const heartbeat = setInterval(() => {
      JobLease.updateOne(mine, { $max: { leaseUntil: new Date(this.now().getTime() + this.runLeaseMs) } })
        .then((result) => {
          if (result.matchedCount === 0) {
            logger.warn({ job: job.name }, 'job lease taken over by another process; stopping the run');
            lost.abort();
          }
        })
        .catch((error: unknown) => logger.warn({ err: error, job: job.name }, 'could not extend the job lease'));
    }, this.runLeaseMs / 3);
    heartbeat.unref();

    const run = (async () => {
      let failure: string | null = null;
      const began = performance.now();
      try {
        await job.run({ signal, owner: this.owner, startedAt });
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
        logger.error({ err: error, job: job.name }, 'scheduled job failed');
      } finally {
        clearInterval(heartbeat);
      }
      countJobRun(job.name, (performance.now() - began) / 1000, failure !== null);
      const finishedAt = this.now();
      // The period counts from the start; an overrun frees the job at once for the next tick.
      const leaseUntil = new Date(Math.max(startedAt.getTime() + job.everyMs, finishedAt.getTime()));
      await JobLease.updateOne(mine, { $set: { leaseUntil, finishedAt, lastError: failure } }).catch((error: unknown) =>
        logger.warn({ err: error, job: job.name }, 'could not record the end of a job'),
      );
    })();
    this.running.set(job.name, run);
    void run.finally(() => this.running.delete(job.name));
  }
}

/** The process's scheduler; modules register their jobs on it, server.ts starts and stops it. */
let processScheduler: Scheduler | undefined;
const scheduler = () => (processScheduler ??= new Scheduler());

export function registerJob(job: Job): void {
  scheduler().register(job);
}

export function startScheduler(): void {
  scheduler().start();
}

/** Stops the scheduler and waits for running jobs (they are asked to stop through their abort signal). */
export async function stopScheduler(timeoutMs?: number): Promise<void> {
  await processScheduler?.stop(timeoutMs);
}
