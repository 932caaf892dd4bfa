import { randomBytes } from 'node:crypto';
import mongoose, { Schema, type ClientSession, type Types } from 'mongoose';
import type { DomainEvents } from './domain-events.js';
import { logger } from './logger.js';
import { registerGauge } from './metrics.js';
import { defaultOwner } from './scheduler.js';

/**
 * Durable domain events (the event outbox) and the projectors that read them.
 *
 * A service writes its change and the record of the domain event in ONE transaction (`recordEvent`), so the record
 * exists exactly when the change does: a crash, a lost connection or a failing subscriber cannot lose an
 * event for what is stored from it. After the commit the service still calls `publish` for live fan-out (sockets),
 * which stays best-effort.
 *
 * A projector (analytics rollups, the coaching record, the development plan) is registered in every process with
 * the events it reads. Each event record lists the projectors still to apply it (`pending`). Every process runs the
 * projectors (`startProjectors`); a projector claims a batch of pending events with a lease (its owner, a token, an
 * expiry), applies them, and takes itself off their `pending` list. What happens on each failure:
 *
 * - the transaction of the change fails: neither the change nor the record exists; the client gets the error;
 * - the process dies after the commit and before `publish`: the live fan-out misses it (clients reload), the record
 *   is there and a projector applies it;
 * - a projector's write hits a transient error (WriteConflict 112, a TransientTransactionError label, a database that
 *   is away): it is tried again in place with backoff, then the batch is released with a lease that expires after a
 *   longer backoff, and tried again then;
 * - any other error: the batch is tried event by event, so one bad event holds back no other; the bad one is logged,
 *   its attempts counted, and it is tried again with a backoff growing to five minutes (never dropped);
 * - the process dies (or is stopped) after claiming and before marking done: the lease expires after `LEASE_MS` and
 *   any process, or this one after its restart, claims the events again. Projectors apply idempotently (rollups by
 *   the stored per-source states, record items by upsert), so applying an event twice changes nothing;
 * - a lease that runs out while its owner is still applying: another process may apply the same events as well;
 *   harmless for the same reason, and only the holder of the current token marks them done.
 *
 * Done records are removed `RETENTION_DAYS` after they are done (TTL index on `doneAt`).
 */

export const LEASE_MS = 60_000;
export const RETENTION_DAYS = 7;
const BATCH = 200;
const IDLE_POLL_MS = 1000;
/**
 * A pass that found some events but not a full batch starts the next one this long after itself at the earliest:
 * under steady intake the events of that moment are then applied as one batch, whose fixed cost (claim, read, one
 * transaction, mark done: a dozen round trips) is paid once rather than per event.
 */
const GATHER_MS = 200;
const MAX_BACKOFF_MS = 5 * 60_000;

const eventRecordSchema = new Schema(
  {
    name: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
    /** Projectors that have not applied it yet. */
    pending: { type: [String], default: [] },
    /** Per projector (dots as underscores): `{ owner, token, until, attempts, lastError }` while claimed or waiting to be tried again. */
    leases: { type: Schema.Types.Mixed, default: {} },
    /** When the last projector applied it; the TTL index removes it `RETENTION_DAYS` later. */
    doneAt: { type: Date, default: null },
  },
  { collection: 'domain_events', versionKey: false, minimize: false },
);
eventRecordSchema.index({ pending: 1, _id: 1 });
eventRecordSchema.index({ doneAt: 1 }, { expireAfterSeconds: RETENTION_DAYS * 24 * 3600 });
export const EventRecord = mongoose.model('EventRecord', eventRecordSchema);

export type EventName = keyof DomainEvents;

export interface StoredEvent<K extends EventName = EventName> {
  _id: Types.ObjectId;
  name: K;
  payload: DomainEvents[K];
  at: Date;
}

export interface Projector {
  /** Unique, dotted by module: `analytics.rollups`, `coaching.record`. */
  name: string;
  /** The events it reads; `wants` can narrow that down per event (a coaching record wants compliments only). */
  events: readonly EventName[];
  wants?: (event: { name: EventName; payload: unknown }) => boolean;
  /** Applies a batch of events, idempotently; throwing leaves all of them pending. */
  apply: (events: StoredEvent[]) => Promise<void>;
}

const projectors = new Map<string, Projector>();

/** Registers a projector in this process (once per name): events recorded from now on wait for it. */
export function registerProjector(projector: Projector): void {
  if (projectors.has(projector.name)) return;
  projectors.set(projector.name, projector);
}

const records = () => EventRecord.collection;
/** A projector's field under `leases` (its name's dots would make nested fields). */
const leaseKey = (name: string) => name.replace(/\./g, '_');

/**
 * Writes the record of a domain event inside the caller's transaction. The inbox item of a ticket event is live
 * fan-out only and is not stored. Returns without writing when no projector of this process reads the event.
 */
export async function recordEvent<K extends EventName>(
  session: ClientSession,
  name: K,
  payload: DomainEvents[K],
): Promise<void> {
  await recordEvents(session, [{ name, payload } as RecordedEvent]);
}

/** An event with its name, for `recordEvents`. */
export type RecordedEvent = { [K in EventName]: { name: K; payload: DomainEvents[K] } }[EventName];

/** `recordEvent` for several events of one transaction, written with one insert. */
export async function recordEvents(session: ClientSession, events: RecordedEvent[]): Promise<void> {
  const at = new Date();
  const rows = events.flatMap(({ name, payload }) => {
    const stored = { ...(payload as Record<string, unknown>) };
    delete stored.item;
    const pending = [...projectors.values()]
      .filter((projector) => projector.events.includes(name) && (projector.wants?.({ name, payload: stored }) ?? true))
      .map((projector) => projector.name);
    return pending.length ? [{ name, payload: stored, at, pending, leases: {}, doneAt: null }] : [];
  });
  if (!rows.length) return;
  await records().insertMany(rows as never[], { session });
  // Once the transaction has ended (committed), this process's projectors look at once rather than at their next poll.
  session.once('ended', () => runner?.nudge());
}

/**
 * Runs `work` in one transaction (tried again whole by the driver on a transient error) and returns its result: for
 * a change that is one document plus its event record.
 */
export async function writeWithEvents<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
  let result: T;
  await mongoose.connection.transaction(async (session) => {
    result = await work(session);
  });
  return result!;
}

/** How many event records still wait for some projector: a cheap figure for intake backpressure. */
export async function projectorBacklog(): Promise<number> {
  // A record is done when its last projector takes itself off `pending`; `doneAt` is indexed, whereas a condition on
  // the array's first element (`pending.0`) reads every record kept.
  return records().countDocuments({ doneAt: null });
}

/**
 * The projector backlog as a gauge that intake backpressure can read synchronously: counted every `everyMs` in the
 * background; a count that fails keeps the last value (the database being away sheds intake by its own 503).
 */
export function backlogGauge(everyMs = 2000): { value(): number; stop(): void } {
  let pending = 0;
  const timer = setInterval(() => {
    projectorBacklog().then(
      (count) => (pending = count),
      () => undefined,
    );
  }, everyMs);
  timer.unref();
  return { value: () => pending, stop: () => clearInterval(timer) };
}

/** Backlog and lag of the projectors for `/metrics`: what is still to apply, and how long the oldest has waited. */
registerGauge({
  name: 'suara_projector_backlog',
  help: 'Domain event records some projector has not applied yet (the whole deployment, not this process)',
  collect: async (set) => set(await projectorBacklog()),
});
registerGauge({
  name: 'suara_projector_lag_seconds',
  help: 'Age of the oldest domain event record not yet applied by every projector (0 when none waits)',
  collect: async (set) => {
    const oldest = await records().findOne({ doneAt: null }, { projection: { at: 1 }, sort: { at: 1 } });
    set(oldest ? Math.max(0, (Date.now() - (oldest.at as Date).getTime()) / 1000) : 0);
  },
});

// ---- Errors -----------------------------------------------------------------------------------------------------

const TRANSIENT_NAMES = [
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'PoolClearedError',
  'MongoPoolClearedError',
];

/** A write conflict, a transaction the server says to retry, or a database that is away for a moment. */
export function isTransient(error: unknown): boolean {
  const e = error as {
    code?: number;
    name?: string;
    errorLabels?: string[];
    hasErrorLabel?: (label: string) => boolean;
    errorLabelSet?: Set<string>;
  };
  if (!e) return false;
  if (e.code === 112) return true;
  const labels = [...(e.errorLabels ?? []), ...(e.errorLabelSet ?? [])];
  if (labels.some((label) => ['TransientTransactionError', 'RetryableWriteError', 'RetryableError'].includes(label)))
    return true;
  if (e.hasErrorLabel?.('TransientTransactionError')) return true;
  return TRANSIENT_NAMES.includes(e.name ?? '');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Runs `work`, trying transient failures again after 50, 200, 800 and 3,200 ms. */
async function withRetries(work: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransient(error) || attempt >= 4) throw error;
      await sleep(50 * 4 ** attempt);
    }
  }
}

// ---- The runner -------------------------------------------------------------------------------------------------

const connected = () => mongoose.connection.readyState === mongoose.ConnectionStates.connected;

export interface ProjectorOptions {
  /** Who holds leases; tests give two runners two owners to play two processes. */
  owner?: string;
  /** Only these projectors (default: every registered one). */
  only?: string[];
  /** How long a claim holds (default `LEASE_MS`); a dead owner's events are claimed again after it. */
  leaseMs?: number;
  /**
   * For specs: called after a batch is applied and before it is marked done. Throwing plays the process dying right
   * there: the runner stops at once and writes nothing more (no done mark, no release).
   */
  beforeDone?: (projector: string, events: StoredEvent[]) => void | Promise<void>;
}

interface Claim {
  token: string;
  events: StoredEvent[];
}

/** One process's projectors: claims, applies and marks done, until stopped. */
export class ProjectorRunner {
  readonly owner: string;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private passes = 0;
  private inPass = false;
  /** Pass counter at the last pass that found nothing to claim for any projector. */
  private idleAt = -1;

  constructor(private readonly options: ProjectorOptions = {}) {
    this.owner = options.owner ?? defaultOwner();
  }

  private selected(): Projector[] {
    return [...projectors.values()].filter(
      (projector) => !this.options.only || this.options.only.includes(projector.name),
    );
  }

  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops after the batch in hand; events claimed and not done wait for their lease to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.loop;
    this.loop = null;
  }

  nudge(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let claimed = 0;
      const passStarted = Date.now();
      this.inPass = true;
      if (connected())
        for (const projector of this.selected()) {
          if (this.stopped) break;
          try {
            claimed += await this.step(projector);
          } catch (error) {
            // The database is away, or the claim itself failed: nothing was applied; look again after the poll.
            logger.warn({ err: error, projector: projector.name }, 'projector could not claim events');
          }
        }
      this.passes++;
      this.inPass = false;
      if (claimed >= BATCH) continue;
      if (claimed) {
        await sleep(GATHER_MS - (Date.now() - passStarted));
        continue;
      }
      this.idleAt = this.passes;
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, IDLE_POLL_MS).unref();
      });
      this.wake = null;
    }
  }

  /** Waits until this runner has made a whole pass that found nothing to claim. */
  async idle(): Promise<void> {
    // A pass under way may have looked before the caller's events were committed: wait for the one after it.
    const target = this.passes + (this.inPass ? 2 : 1);
    while (!this.stopped && this.idleAt < target) {
      this.nudge();
      await sleep(10);
    }
  }

  /** Claims one batch for the projector, applies and marks it; returns how many events it claimed. */
  private async step(projector: Projector): Promise<number> {
    const claim = await this.claim(projector.name);
    if (!claim) return 0;
    try {
      await withRetries(() => projector.apply(claim.events));
      if (this.options.beforeDone)
        try {
          await this.options.beforeDone(projector.name, claim.events);
        } catch {
          this.stopped = true;
          return claim.events.length;
        }
      await this.markDone(projector.name, claim.token, claim.events);
    } catch (error) {
      if (claim.events.length === 1) await this.release(projector.name, claim.token, claim.events, error);
      else
        // One bad event must not hold back the others: apply them one by one.
        for (const event of claim.events) {
          try {
            await withRetries(() => projector.apply([event]));
            await this.markDone(projector.name, claim.token, [event]);
          } catch (single) {
            await this.release(projector.name, claim.token, [event], single);
          }
        }
    }
    return claim.events.length;
  }

  private async claim(name: string): Promise<Claim | null> {
    const now = new Date();
    // Free: never leased, or the lease ran out. Said as "not until a later time" rather than as an `$or` of the two:
    // with an `$or`, SecantusDB reads every record it keeps (seven days of done ones) instead of following the index.
    const free = { [`leases.${leaseKey(name)}.until`]: { $not: { $gt: now } } };
    const candidates = await records()
      .find({ pending: name, ...free }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .limit(BATCH)
      .toArray();
    if (!candidates.length) return null;
    const token = randomBytes(9).toString('base64url');
    const ids = candidates.map((candidate) => candidate._id);
    // The same condition again: of two processes claiming at once, each event goes to one of them.
    await records().updateMany(
      { _id: { $in: ids }, pending: name, ...free },
      {
        $set: {
          [`leases.${leaseKey(name)}.owner`]: this.owner,
          [`leases.${leaseKey(name)}.token`]: token,
          [`leases.${leaseKey(name)}.until`]: new Date(now.getTime() + (this.options.leaseMs ?? LEASE_MS)),
        },
      },
    );
    const events = (await records()
      .find(
        { _id: { $in: ids }, [`leases.${leaseKey(name)}.token`]: token },
        { projection: { name: 1, payload: 1, at: 1 } },
      )
      .sort({ _id: 1 })
      .toArray()) as unknown as StoredEvent[];
    return events.length ? { token, events } : null;
  }

  private async markDone(name: string, token: string, events: StoredEvent[]): Promise<void> {
    const ids = events.map((event) => event._id);
    const mine = { _id: { $in: ids }, [`leases.${leaseKey(name)}.token`]: token };
    await withRetries(async () => {
      // The last projector of a record finishes it in one write (its `pending` holds only this projector's name).
      const last = await records().updateMany({ ...mine, pending: { $size: 1 } }, {
        $set: { pending: [], doneAt: new Date() },
        $unset: { [`leases.${leaseKey(name)}`]: '' },
      } as never);
      if (last.matchedCount === ids.length) return;
      const pulled = await records().updateMany(mine, {
        $pull: { pending: name },
        $unset: { [`leases.${leaseKey(name)}`]: '' },
      } as never);
      // Another projector may have taken itself off between the two writes: whichever pull comes last sees the list
      // empty here, so a record is always marked done.
      if (pulled.modifiedCount)
        await records().updateMany(
          { _id: { $in: ids }, 'pending.0': { $exists: false }, doneAt: null },
          { $set: { doneAt: new Date() } },
        );
    });
  }

  /** Leaves the events pending, claimable again after a backoff that grows with their attempts. */
  private async release(name: string, token: string, events: StoredEvent[], error: unknown): Promise<void> {
    const ids = events.map((event) => event._id);
    const attempts = await records()
      .find({ _id: { $in: ids } }, { projection: { [`leases.${leaseKey(name)}.attempts`]: 1 } })
      .toArray()
      .then((docs) => Math.max(0, ...docs.map((doc) => Number(doc.leases?.[leaseKey(name)]?.attempts ?? 0))))
      .catch(() => 0);
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts);
    const level = isTransient(error) ? 'warn' : 'error';
    logger[level](
      { err: error, projector: name, events: events.map((event) => `${event.name}:${String(event._id)}`), backoff },
      'projector could not apply events; they stay pending and are tried again',
    );
    await records()
      .updateMany(
        { _id: { $in: ids }, [`leases.${leaseKey(name)}.token`]: token },
        {
          $set: {
            [`leases.${leaseKey(name)}.until`]: new Date(Date.now() + backoff),
            [`leases.${leaseKey(name)}.lastError`]: String((error as Error)?.message ?? error).slice(0, 500),
          },
          $inc: { [`leases.${leaseKey(name)}.attempts`]: 1 },
        },
      )
      // Could not even say so: the lease runs out by itself and the events are claimed again.
      .catch(() => undefined);
  }
}

let runner: ProjectorRunner | null = null;

/** Starts this process's projectors (server.ts, the test set-up); calling it again does nothing. */
export function startProjectors(options: ProjectorOptions = {}): ProjectorRunner {
  runner ??= new ProjectorRunner(options);
  runner.start();
  return runner;
}

export async function stopProjectors(): Promise<void> {
  await runner?.stop();
  runner = null;
}

/**
 * Resolves once no event record waits for a projector of this process (specs before reading a read model, a clean
 * shutdown). Events in a failure backoff would hold it forever, so it gives up after `timeoutMs` and says which.
 */
export async function projectorsSettled(timeoutMs = 20_000): Promise<void> {
  if (!runner || !connected()) return;
  const names = runner ? [...projectors.keys()] : [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runner.idle();
    const waiting = await records()
      .find({ pending: { $in: names } }, { projection: { name: 1, leases: 1 } })
      .limit(5)
      .toArray()
      .catch(() => []);
    if (!waiting.length || !runner) return;
    if (Date.now() > deadline)
      throw new Error(`projectors did not drain: ${JSON.stringify(waiting.map((doc) => [doc.name, doc.leases]))}`);
    await sleep(20);
  }
}
