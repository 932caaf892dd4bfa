import { updateAndRead } from '../../../platform/db.js';
import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * One entry of an officer's record (the continuous-feedback file, docs/domain.md "Coaching record"), newest first.
 * Items are written by event subscribers (findings, compliments, survey answers) and by the coaching services
 * (sessions, training, evaluations), always through `upsertFeedItem`, keyed by (type, sourceId): delivering an event
 * twice changes nothing, and a changed source (a finding re-recorded) updates its one item.
 *
 * `data` is what the record shows: never the complainant's identity or contact data, never unscrubbed text.
 */
export const feedItemTypes = ['finding', 'compliment', 'survey', 'session', 'training', 'evaluation'] as const;
export type FeedItemType = (typeof feedItemTypes)[number];

const feedItemSchema = new Schema(
  {
    officerId: { type: Schema.Types.ObjectId, required: true },
    /** The officer's unit path when the item was written: scoping and per-unit trends. */
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    type: { type: String, enum: feedItemTypes, required: true },
    /** The finding, ticket, survey answer, session, training or evaluation the item shows. */
    sourceId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
    /** When the item was last written from its source: a rebuild removes the items it did not write or see written. */
    syncedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'coaching_feed', minimize: false },
);
// The record's feed pages newest first with the id as tie-breaker: the whole sort comes from the index.
feedItemSchema.index({ officerId: 1, at: -1, _id: -1 });
feedItemSchema.index({ type: 1, sourceId: 1, officerId: 1 }, { unique: true });
feedItemSchema.index({ unitPath: 1, type: 1, at: -1 });

export type FeedItemDoc = InferSchemaType<typeof feedItemSchema> & { _id: Types.ObjectId };
export const FeedItem = mongoose.model('CoachingFeedItem', feedItemSchema);

export interface FeedItemInput {
  officerId: string | Types.ObjectId;
  unitPath: readonly (string | Types.ObjectId)[];
  type: FeedItemType;
  sourceId: string | Types.ObjectId;
  at: Date;
  data: Record<string, unknown>;
}

/** The one write of an item, for `upsertFeedItem` and for the bulk writes of a rebuild. */
export function feedItemUpsert(item: FeedItemInput) {
  return {
    updateOne: {
      filter: { type: item.type, sourceId: item.sourceId, officerId: item.officerId },
      update: { $set: { unitPath: item.unitPath, at: item.at, data: item.data, syncedAt: new Date() } },
      upsert: true,
    },
  };
}

/** Adds or refreshes the one item for (type, source, officer); safe to call again with the same input. */
export async function upsertFeedItem(item: FeedItemInput, session?: mongoose.ClientSession): Promise<void> {
  const { filter, update } = feedItemUpsert(item).updateOne;
  const before = await updateAndRead<{ at: Date }>(FeedItem, filter, update, {
    upsert: true,
    session,
    returnDocument: 'before',
    projection: { at: 1 },
  });
  await summaryMonthsChanged(item.type, item.officerId, [item.at, before?.at], session);
  await recordChanged(item.officerId, session);
}

/** Removes the items matching the filter, e.g. a compliment whose ticket was rejected as spam or untagged. */
export async function removeFeedItems(filter: {
  type: FeedItemType;
  sourceId: string | Types.ObjectId;
  officerId?: unknown;
}): Promise<void> {
  const gone = await FeedItem.find(filter as Record<string, unknown>)
    .select({ officerId: 1, at: 1 })
    .lean<FeedItemDoc[]>();
  if (!gone.length) return;
  await FeedItem.deleteMany({ _id: { $in: gone.map((item) => item._id) } });
  for (const item of gone) await summaryMonthsChanged(filter.type, item.officerId, [item.at]);
  for (const officerId of new Set(gone.map((item) => String(item.officerId)))) await recordChanged(officerId);
}

/** Removes the item for (type, source, officer). */
export async function removeFeedItem(
  type: FeedItemType,
  sourceId: string | Types.ObjectId,
  officerId: string | Types.ObjectId,
): Promise<void> {
  await removeFeedItems({ type, sourceId, officerId });
}

// ---- Monthly summaries of a record ----------------------------------------------------------------------------------

/**
 * The summary of an officer's findings, compliments and survey answers per calendar month (UTC), so that a record
 * over two years reads 24 of these and the items of the partial months at its ends instead of every item (summary.ts).
 * They are a cache computed from the items, never the truth: every write of such an item bumps `gen` of its month
 * (and of its old month when its time moved), and a summary counts only while `summaryGen` equals `gen`. A reader
 * stores what it computed on the condition that `gen` has not moved since it began, so a write racing a read can
 * only make the summary be computed again. `rebuildRecords` bumps them all. A crash between an item's write and its
 * bump (without a session) would leave one month's summary stale: summaries older than a day are computed again.
 */
const summaryMonthSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${officerId}|YYYY-MM`
    gen: { type: Number, default: 0 },
    summaryGen: { type: Number, default: null },
    summary: { type: Schema.Types.Mixed, default: null },
    computedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'coaching_summary_months', minimize: false },
);
export const SummaryMonth = mongoose.model('CoachingSummaryMonth', summaryMonthSchema);

/** The item types a record's summary counts. */
export const SUMMARY_TYPES: readonly FeedItemType[] = ['finding', 'compliment', 'survey'];

export const summaryMonthId = (officerId: string | Types.ObjectId, month: string) => `${String(officerId)}|${month}`;
export const monthOf = (at: Date) => at.toISOString().slice(0, 7);

/** Marks the summaries of those months as out of date after an item of theirs was written or removed. */
export async function summaryMonthsChanged(
  type: FeedItemType,
  officerId: string | Types.ObjectId,
  times: (Date | null | undefined)[],
  session?: mongoose.ClientSession,
): Promise<void> {
  if (!SUMMARY_TYPES.includes(type)) return;
  const ids = [...new Set(times.filter((at): at is Date => at instanceof Date).map((at) => monthOf(at)))];
  for (const month of ids) await bump(SummaryMonth, summaryMonthId(officerId, month), 'gen', session);
}

/** `$inc`s one counter, creating its document: of two first bumps at once one insert wins, the other retries. */
async function bump(
  model: { collection: mongoose.Collection },
  _id: string | Types.ObjectId,
  field: string,
  session?: mongoose.ClientSession,
): Promise<void> {
  const once = () => model.collection.updateOne({ _id } as never, { $inc: { [field]: 1 } }, { upsert: true, session });
  await once().catch((error: { code?: number }) => (error?.code === 11000 ? once() : Promise.reject(error)));
}

// ---- Record versions
// --------------------------------------------------------------------------------------------------

/**
 * Each officer's record version, moved by every write the record shows (an item written or removed, a session's
 * actions, an action done), after that write: officer-record.ts shares a computed record between readers only while the
 * version it was computed at is still the stored one, in every process. A crash between a write and its bump leaves
 * the old answer shared until it ages out (a minute, officer-record.ts). A rebuild moves every version.
 */
const recordVersionSchema = new Schema(
  { _id: { type: Schema.Types.ObjectId, required: true }, v: { type: Number, default: 0 } },
  { versionKey: false, collection: 'coaching_record_versions' },
);
export const RecordVersion = mongoose.model('CoachingRecordVersion', recordVersionSchema);

export async function recordChanged(
  officerId: string | Types.ObjectId,
  session?: mongoose.ClientSession,
): Promise<void> {
  await bump(RecordVersion, new mongoose.Types.ObjectId(String(officerId)), 'v', session);
}

/** The officer's record version now (0 before any write). */
export async function recordVersion(officerId: string | Types.ObjectId): Promise<number> {
  const doc = await RecordVersion.findById(new mongoose.Types.ObjectId(String(officerId)))
    .select({ v: 1 })
    .lean<{ v: number }>();
  return doc?.v ?? 0;
}
