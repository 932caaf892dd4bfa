import type { Schema } from 'mongoose';
import { clock } from './clock.js';

/**
 * Answers shared by every request that asks the same question while the answer is current: the first request
 * starts the computation, every request for the same key that arrives while it runs or after it gets the same
 * promise, until the answer is `ttlMs` old or `version()` has changed since it was started (the caller's count of
 * its own writes that could change it). Writes made by another process are not seen: they show once the answer has
 * aged out, so `ttlMs` is the staleness the caller promises. A failed computation is never kept: the next request
 * tries again. The oldest answers are dropped beyond `maxEntries`, so keys made up by a client only cost recomputing.
 *
 * Refreshed ahead: an answer asked for once it is half its `ttlMs` old (version unchanged) is still served, and one
 * computation starts behind it; the new answer replaces it when done (a failed one leaves the old to age out). A
 * question asked steadily is therefore never recomputed while its askers wait (before, every expiry made all of
 * them queue behind one computation). An answer is never older than `ttlMs` all the same.
 *
 * Kept answers are shared objects: whoever receives one must not change it (`seal: freezeRows` makes a change throw).
 */
export class SharedAnswers<T> {
  private readonly kept = new Map<string, Kept<T>>();
  private static readonly all = new Set<SharedAnswers<unknown>>();

  /**
   * Drops the answers of every instance: for whoever changed the data behind the versions' back (a test emptying
   * collections between cases, a new database), since a version that counts writes cannot see a deletion it did not
   * make.
   */
  static forgetAll(): void {
    for (const instance of SharedAnswers.all) instance.clear();
  }

  constructor(
    private readonly options: {
      ttlMs: number;
      maxEntries: number;
      /** This process's count of writes that could change an answer (none given: only `ttlMs` ends one). */
      version?: () => number;
      /** Called on each computed answer before anyone receives it (for example to freeze it). */
      seal?: (answer: T) => T;
    },
  ) {
    SharedAnswers.all.add(this as SharedAnswers<unknown>);
  }

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const version = this.options.version?.() ?? 0;
    const kept = this.kept.get(key);
    const age = kept ? clock.now() - kept.at : Infinity;
    if (kept && age < this.options.ttlMs && kept.version === version) {
      if (age >= this.options.ttlMs / 2 && kept.settled && !kept.refreshing) this.refresh(key, kept, compute, version);
      return kept.answer;
    }
    const entry = this.start(compute, version);
    this.keep(key, entry);
    entry.answer.catch(() => this.kept.get(key) === entry && this.kept.delete(key));
    return entry.answer;
  }

  private start(compute: () => Promise<T>, version: number): Kept<T> {
    const seal = this.options.seal;
    const entry: Kept<T> = {
      at: clock.now(),
      version,
      settled: false,
      refreshing: false,
      answer: Promise.resolve()
        .then(compute)
        .then((answer) => (seal ? seal(answer) : answer)),
    };
    entry.answer.then(
      () => (entry.settled = true),
      () => (entry.settled = true),
    );
    return entry;
  }

  private keep(key: string, entry: Kept<T>): void {
    this.kept.delete(key); // re-inserted last: the Map's order is the age order the eviction below relies on
    this.kept.set(key, entry);
    while (this.kept.size > this.options.maxEntries) this.kept.delete(this.kept.keys().next().value!);
  }

  /** Computes `kept` again behind it; the new answer takes its place if nothing else has meanwhile. */
  private refresh(key: string, kept: Kept<T>, compute: () => Promise<T>, version: number): void {
    kept.refreshing = true;
    const next = this.start(compute, version);
    next.answer.then(
      () => this.kept.get(key) === kept && this.keep(key, next),
      () => (kept.refreshing = false), // the old answer stays until it ages out; the next request tries again
    );
  }

  /** Drops every kept answer (tests, and a caller that knows everything changed). */
  clear(): void {
    this.kept.clear();
  }
}

interface Kept<T> {
  at: number;
  version: number;
  answer: Promise<T>;
  settled: boolean;
  refreshing: boolean;
}

/** Freezes an array of plain records and each record in it (a shared answer's rows), one level deep. */
export function freezeRows<T extends object>(rows: T[]): T[] {
  for (const row of rows) Object.freeze(row);
  return Object.freeze(rows) as T[];
}

/** Freezes plain objects and arrays, deeply (a shared document); class instances (ObjectId, Date) are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
    Object.freeze(value);
  } else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** Every write middleware of Mongoose 9 (query, document and model): each way a model writes. */
const WRITES = [
  'save',
  'updateOne',
  'updateMany',
  'replaceOne',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'deleteOne',
  'deleteMany',
  'insertMany',
  'bulkWrite',
] as const;

/**
 * This process's count of the writes made through a schema's model, for `version`: moved when a write starts (an
 * answer computed while it runs is not kept past it) and when it ends. Call it on the schema before the model is
 * compiled. Writes that bypass the model (the raw driver, another process) are not counted.
 */
export function countWrites(schema: Schema): () => number {
  let writes = 0;
  const count = () => void writes++;
  schema.pre([...WRITES] as never, count);
  schema.post([...WRITES] as never, count);
  return () => writes;
}

/**
 * How stale a directory lookup may look after another process changed it: accounts, sessions, units and officers
 * are read on almost every request and changed rarely, so each process keeps what it read for this long, and
 * forgets at once what changes through its own models (countWrites). A signed-out session or a disabled account is
 * refused at once by the process that did it and within this time by the others. (Change streams would bring
 * another process's change sooner, but SecantusDB 0.7.0b3 drops an event that lands while a getMore is starting and
 * then stays silent: tried, and left.)
 */
export const LOOKUP_TTL_MS = 5_000;

/** A lookup kept between requests as LOOKUP_TTL_MS says: versioned by the writes counted on its schema, frozen. */
export function keptLookups<T>(version: () => number, maxEntries: number): SharedAnswers<T> {
  return new SharedAnswers<T>({ ttlMs: LOOKUP_TTL_MS, maxEntries, version, seal: deepFreeze });
}
