import { Types } from 'mongoose';
import { everyOfficerId, everyUnitId } from '../../directory/index.js';
import {
  eachComplimentNamingOfficers,
  eachFindingOf,
  type ComplimentFacts,
  type FindingDoc,
} from '../../feedback/index.js';
import { eachOfficerAnswer, type OfficerAnswer } from '../../surveys/index.js';
import { FeedItem, removeFeedItem, upsertFeedItem, type FeedItemDoc, type FeedItemInput } from './feed-model.js';
import { complimentItemsOf, findingItemsOf, officerCache, surveyItemsOf } from './rebuild.js';

/**
 * The drift check of the coaching records' feed (`npm run verify`, and the daily reconciliation): the finding,
 * compliment and survey items whose time (`at`) falls in the window, recomputed from the source collections with the
 * builders the projector and the rebuild use (feed-items.ts, rebuild.ts), against the items stored. An item differs
 * when it is missing, when no source backs it, or when its officer, unit path, time or data differ.
 */

export interface FeedDrift {
  collection: string;
  checked: number;
  differences: number;
  examples: string[];
  /** What would bring the stored items in line: items to write again, items to remove. */
  repairs: { write: FeedItemInput[]; remove: Pick<FeedItemDoc, 'type' | 'sourceId' | 'officerId'>[] };
}

const keyOf = (item: { type: string; sourceId: unknown; officerId: unknown }) =>
  `${item.type}:${String(item.sourceId)}:${String(item.officerId)}`;

/** A value as comparable text: ids and dates as strings, object keys sorted. */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Types.ObjectId) return String(value);
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    if ((value as { _bsontype?: string })._bsontype === 'ObjectId') return String(value);
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  }
  return value ?? null;
}

const shapeOf = (item: Pick<FeedItemInput, 'officerId' | 'unitPath' | 'at' | 'data'>) =>
  JSON.stringify(canonical({ officerId: item.officerId, unitPath: item.unitPath, at: item.at, data: item.data }));

export async function checkFeed(window: { from: Date; to: Date }): Promise<FeedDrift> {
  const { from, to } = window;
  const within = (at: Date | null | undefined) => Boolean(at && at >= from && at < to);
  const officers = officerCache();
  const [unitIds, officerIds] = await Promise.all([everyUnitId(), everyOfficerId()]);
  const expected = new Map<string, FeedItemInput>();
  const take = (items: FeedItemInput[]) => {
    for (const item of items) if (within(item.at)) expected.set(keyOf(item), item);
  };

  const findings: FindingDoc[] = [];
  for await (const finding of eachFindingOf(officerIds, (doc) => within(doc.createdAt))) findings.push(finding);
  take(await findingItemsOf(findings, officers));
  const compliments: ComplimentFacts[] = [];
  for await (const ticket of eachComplimentNamingOfficers(unitIds, (doc) => within(doc.createdAt)))
    compliments.push(ticket);
  take(await complimentItemsOf(compliments, officers));
  const surveys: OfficerAnswer[] = [];
  for await (const response of eachOfficerAnswer(unitIds, (doc) => within(doc.submittedAt))) surveys.push(response);
  take(await surveyItemsOf(surveys, officers));

  const stored = await FeedItem.find({
    type: { $in: ['finding', 'compliment', 'survey'] },
    at: { $gte: from, $lt: to },
  })
    .select({ type: 1, sourceId: 1, officerId: 1, unitPath: 1, at: 1, data: 1 })
    .lean<FeedItemDoc[]>();
  const drift: FeedDrift = {
    collection: FeedItem.collection.collectionName,
    checked: 0,
    differences: 0,
    examples: [],
    repairs: { write: [], remove: [] },
  };
  const differ = (line: string) => {
    drift.differences++;
    if (drift.examples.length < 5) drift.examples.push(line);
  };
  const seen = new Set<string>();
  for (const item of stored) {
    const key = keyOf(item);
    seen.add(key);
    drift.checked++;
    const want = expected.get(key);
    if (!want) {
      differ(`${key}: stored, but no source gives it`);
      drift.repairs.remove.push(item);
    } else if (shapeOf(want) !== shapeOf(item as unknown as FeedItemInput)) {
      differ(`${key}: stored item differs from its source`);
      drift.repairs.write.push(want);
    }
  }
  for (const [key, item] of expected)
    if (!seen.has(key)) {
      drift.checked++;
      differ(`${key}: missing`);
      drift.repairs.write.push(item);
    }
  return drift;
}

/** Writes the items again and removes the unbacked ones, through the same writes the projector uses. */
export async function repairFeed(repairs: FeedDrift['repairs']): Promise<void> {
  for (const item of repairs.write) await upsertFeedItem(item);
  for (const item of repairs.remove) await removeFeedItem(item.type, item.sourceId, item.officerId);
}
