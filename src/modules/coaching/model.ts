import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * One entry of an officer's record (the continuous-feedback file, DESIGN.md section 3), newest first. Items are
 * written by event subscribers (findings, compliments, survey answers) and by the coaching services (sessions,
 * training, evaluations), always through `upsertFeedItem`, keyed by (type, sourceId): delivering an event twice
 * changes nothing, and a changed source (a finding re-recorded) updates its one item.
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
  await FeedItem.updateOne(filter, update, { upsert: true, session });
}

/** Removes the item for (type, source, officer), e.g. a compliment whose ticket was rejected as spam. */
export async function removeFeedItem(
  type: FeedItemType,
  sourceId: string | Types.ObjectId,
  officerId: string | Types.ObjectId,
): Promise<void> {
  await FeedItem.deleteOne({ type, sourceId, officerId });
}
