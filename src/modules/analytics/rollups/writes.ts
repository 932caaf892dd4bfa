import mongoose, { type ClientSession } from 'mongoose';
import { ContributionState, rollupModels, type RollupTarget } from './model.js';
import { Accumulator, diffContributions, type Contribution } from './contribution.js';

/**
 * How contributions reach the rollups: `$inc` upserts or plain inserts, in transactions, and the per-source states
 * (what each ticket or answer added) that make every application idempotent (contribution.ts says why).
 */

/**
 * How many times this process has written rollups: figures cached in this process (the public transparency page)
 * are computed again after any change here, and are at most their time-to-live old for changes made by others.
 * It counts a write once it is visible (after the write, or after its transaction has ended), so figures computed
 * while it was under way are never kept as current.
 */
let writes = 0;
export const rollupWrites = () => writes;

/** `$inc` upserts, one per rollup document, unordered, grouped by collection. */
export async function applyEntries(entries: Contribution, session?: ClientSession): Promise<void> {
  try {
    await bulkIncrements(entries, session);
  } finally {
    if (!session) writes++; // in a transaction: counted when it ends (inTransaction)
  }
}

async function bulkIncrements(entries: Contribution, session?: ClientSession): Promise<void> {
  const byTarget = new Map<RollupTarget, Contribution>();
  for (const entry of entries) {
    if (!Object.keys(entry.i).length) continue;
    const list = byTarget.get(entry.t);
    if (list) list.push(entry);
    else byTarget.set(entry.t, [entry]);
  }
  for (const [target, list] of byTarget) {
    await rollupModels[target].collection.bulkWrite(
      list.map((entry) => ({
        updateOne: {
          filter: { _id: entry.k as never },
          update: Object.keys(entry.m).length ? { $inc: entry.i, $setOnInsert: entry.m } : { $inc: entry.i },
          upsert: true,
        },
      })),
      { ordered: false, session },
    );
  }
}

/**
 * Creates rollup documents that do not exist yet, one insert per document instead of an upsert (a rebuild writing
 * into emptied collections; about three times faster on SecantusDB). The increments' dotted paths become nested
 * fields, the same document an upsert would have made. A document that exists already makes it throw.
 */
export async function insertEntries(entries: Contribution, session?: ClientSession): Promise<void> {
  const byTarget = new Map<RollupTarget, Record<string, unknown>[]>();
  for (const entry of entries) {
    if (!Object.keys(entry.i).length) continue;
    const doc: Record<string, unknown> = { _id: entry.k, ...entry.m };
    for (const [path, value] of Object.entries(entry.i)) {
      const parts = path.split('.');
      let node = doc;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts[parts.length - 1]!] = value;
    }
    const list = byTarget.get(entry.t);
    if (list) list.push(doc);
    else byTarget.set(entry.t, [doc]);
  }
  try {
    for (const [target, docs] of byTarget)
      await rollupModels[target].collection.insertMany(docs as never[], { ordered: false, session });
  } finally {
    if (!session) writes++; // in a transaction: counted when it ends (inTransaction)
  }
}

/** Runs work in a transaction, retried as a whole on transient errors (write conflicts) by the driver. */
export async function inTransaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = await mongoose.startSession();
  try {
    let result: T;
    await session.withTransaction(async () => {
      result = await work(session);
    });
    return result!;
  } finally {
    await session.endSession();
    writes++; // committed or not, figures computed meanwhile are not kept
  }
}

/**
 * A contribution as its state keeps it: keys and increments without the fields documents are created with. Only
 * the next contribution creates documents; what a previous one added is taken away from documents that exist.
 */
export const stored = (contribution: Contribution): Contribution =>
  contribution.map(({ t, k, i }) => ({ t, k, m: {}, i }));

// ---- The state compare-and-set --------------------------------------------------------------------------------------

interface StateDoc {
  _id: unknown;
  revision: number;
  contribution: Contribution;
}

const states = () => ContributionState.collection;
const isDuplicateKey = (error: unknown) => (error as { code?: number })?.code === 11000;

/** One source document's contribution at its revision, for `applySourceStates`. */
export interface SourceState {
  id: unknown;
  revision: number;
  contribution: Contribution;
}

/**
 * The batch form of `applySourceState`, for a rebuild batch and for live events coalesced over a moment: in one
 * transaction, reads the stored states of all the sources, skips those already at their revision or a newer one,
 * stores the rest (insert, or compare-and-set on the stored revision) and `$inc`s the summed differences, one upsert
 * per rollup document. `also` writes more in the same transaction (a rebuild's checkpoint). A racing writer for one
 * of the sources makes it start again on fresh reads.
 */
export async function applySourceStates(
  items: SourceState[],
  also?: (session: ClientSession) => Promise<void>,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(async (session) => {
        const existing = (await states()
          .find({ _id: { $in: items.map((item) => item.id) as never[] } }, { session })
          .toArray()) as unknown as StateDoc[];
        const stateOf = new Map(existing.map((state) => [String(state._id), state]));
        const sums = new Accumulator();
        const inserts: StateDoc[] = [];
        for (const item of items) {
          const state = stateOf.get(String(item.id));
          if (state && state.revision >= item.revision) continue; // already applied, by another path or process
          sums.add(state ? diffContributions(state.contribution, item.contribution) : item.contribution);
          if (!state) inserts.push({ _id: item.id, revision: item.revision, contribution: stored(item.contribution) });
          else {
            const swapped = await states().updateOne(
              { _id: item.id as never, revision: state.revision },
              { $set: { revision: item.revision, contribution: stored(item.contribution) } },
              { session },
            );
            if (swapped.matchedCount !== 1) throw Object.assign(new Error('state moved'), { code: 11000 });
          }
        }
        if (inserts.length) await states().insertMany(inserts as never[], { session, ordered: false });
        await applyEntries(sums.entries(), session);
        await also?.(session);
      });
    } catch (error) {
      if (isDuplicateKey(error) && attempt < 5) continue; // another writer got there first: read again
      throw error;
    }
  }
}

/**
 * Stores the states of sources whose contribution a rebuild is about to add (rebuild.ts): plain inserts, unordered,
 * outside any transaction. A state that is already there (written by an interrupted run of the same rebuild, which
 * computed the same contribution from the same document) is left as it is; any other refusal is thrown.
 */
export async function insertStates(items: SourceState[]): Promise<void> {
  if (!items.length) return;
  const docs = items.map((item) => ({
    _id: item.id,
    revision: item.revision,
    contribution: stored(item.contribution),
  }));
  try {
    await states().insertMany(docs as never[], { ordered: false });
  } catch (error) {
    const failures = (error as { writeErrors?: { code?: number }[] }).writeErrors;
    if (!failures?.length || failures.some((failure) => failure.code !== 11000)) throw error;
  }
}

/**
 * Brings the rollups in line with one source document at `revision`: in one transaction, reads what was applied for
 * it, and unless that is already this revision or a newer one, stores the new contribution (compare-and-set on the
 * stored revision) and `$inc`s the difference. Returns whether anything changed. A racing writer for the same
 * document makes the transaction conflict; it is tried again on fresh reads.
 */
export async function applySourceState(
  stateId: unknown,
  revision: number,
  next: Contribution,
): Promise<'applied' | 'current'> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(async (session) => {
        const state = (await states().findOne({ _id: stateId as never }, { session })) as StateDoc | null;
        if (state && state.revision >= revision) return 'current' as const;
        const diff = diffContributions(state?.contribution ?? [], next);
        if (state) {
          const swapped = await states().updateOne(
            { _id: stateId as never, revision: state.revision },
            { $set: { revision, contribution: stored(next) } },
            { session },
          );
          if (swapped.matchedCount !== 1) throw Object.assign(new Error('state moved'), { code: 11000 });
        } else {
          await states().insertOne({ _id: stateId as never, revision, contribution: stored(next) }, { session });
        }
        await applyEntries(diff, session);
        return 'applied' as const;
      });
    } catch (error) {
      if (isDuplicateKey(error) && attempt < 5) continue; // another writer got there first: read again
      throw error;
    }
  }
}

/**
 * Applies a contribution that never changes (a survey answer) once per source: in one transaction, a marker state
 * (`stateId`, no contribution kept) is inserted and the increments written; a marker already there means it was
 * applied before (by another process, or before a crash that left its event pending), and nothing is written.
 */
export async function applyOnce(stateId: string, contribution: Contribution): Promise<'applied' | 'current'> {
  try {
    return await inTransaction(async (session) => {
      await states().insertOne({ _id: stateId as never, revision: 1, contribution: [] }, { session });
      await applyEntries(contribution, session);
      return 'applied' as const;
    });
  } catch (error) {
    if (isDuplicateKey(error)) return 'current';
    throw error;
  }
}
