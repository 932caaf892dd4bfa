import type { Types } from 'mongoose';
import { everyOfficerId, everyUnitId, findOfficersByIds, type OfficerDoc } from '../../directory/index.js';
import {
  eachComplimentNamingOfficers,
  eachFindingOf,
  type ComplimentFacts,
  type FindingDoc,
} from '../../feedback/index.js';
import { eachOfficerAnswer, type OfficerAnswer } from '../../surveys/index.js';
import { complimentItems, findingItem, surveyItem } from './feed-items.js';
import { FeedItem, feedItemUpsert, RecordVersion, SummaryMonth, type FeedItemInput } from './feed-model.js';

export type RebuildPhase = 'findings' | 'compliments' | 'surveys' | 'sweep';
export interface RebuildProgress {
  phase: RebuildPhase;
  /** Source documents read so far in this phase. */
  done: number;
}
export interface RebuildReport {
  findings: number;
  compliments: number;
  surveys: number;
  /** Items of these three kinds that no source backs any more (a missed removal), now gone. */
  removed: number;
}

const BATCH = 1000;

/**
 * Writes the finding, compliment and survey items of every officer's record again from the source collections,
 * with the same builders the live projector uses (feed-items.ts), then removes the items of those kinds that neither
 * this rebuild nor a live event wrote since it started. Safe while the application runs: every write is the same
 * idempotent upsert, and what events write during the rebuild is kept. Sessions, training and evaluations are the
 * coaching work's own documents and are left alone.
 */
export async function rebuildRecords(options: { progress?: (progress: RebuildProgress) => void } = {}) {
  const started = new Date(Date.now() - 1); // items written in the same millisecond count as fresh
  const report: RebuildReport = { findings: 0, compliments: 0, surveys: 0, removed: 0 };
  const officers = officerCache();
  // Unit by unit and officer by officer (platform/slices.ts): one cursor over a large collection would be held
  // whole, decoded, in the embedded database's memory.
  const [unitIds, officerIds] = await Promise.all([everyUnitId(), everyOfficerId()]);

  report.findings = await inBatches(
    eachFindingOf(officerIds),
    (findings) => findingItemsOf(findings, officers),
    (done) => options.progress?.({ phase: 'findings', done }),
  );

  report.compliments = await inBatches(
    eachComplimentNamingOfficers(unitIds),
    (tickets) => complimentItemsOf(tickets, officers),
    (done) => options.progress?.({ phase: 'compliments', done }),
  );

  report.surveys = await inBatches(
    eachOfficerAnswer(unitIds),
    (responses) => surveyItemsOf(responses, officers),
    (done) => options.progress?.({ phase: 'surveys', done }),
  );

  const swept = await FeedItem.deleteMany({
    type: { $in: ['finding', 'compliment', 'survey'] },
    $or: [{ syncedAt: null }, { syncedAt: { $lt: started } }],
  });
  report.removed = swept.deletedCount;
  // The monthly summaries are computed from the items: all of them again after this (feed-model.ts).
  await SummaryMonth.updateMany({}, { $inc: { gen: 1 } });
  await RecordVersion.updateMany({}, { $inc: { v: 1 } }); // records read before this are not shared after it
  options.progress?.({ phase: 'sweep', done: report.removed });
  return report;
}

/** The items a batch of findings gives (what a rebuild writes and the drift check expects). */
export async function findingItemsOf(findings: FindingDoc[], officers: OfficerCache): Promise<FeedItemInput[]> {
  const byId = await officers.load(findings.map((finding) => finding.officerId));
  return findings.flatMap((finding) => {
    const officer = byId.get(String(finding.officerId));
    const item = officer ? findingItem(finding, officer) : null;
    return item ? [item] : [];
  });
}

export async function complimentItemsOf(tickets: ComplimentFacts[], officers: OfficerCache): Promise<FeedItemInput[]> {
  const byId = await officers.load(tickets.flatMap((ticket) => ticket.officerIds));
  return tickets.flatMap((ticket) =>
    complimentItems(
      ticket,
      ticket.officerIds.flatMap((id) => byId.get(String(id)) ?? []),
    ),
  );
}

export async function surveyItemsOf(responses: OfficerAnswer[], officers: OfficerCache): Promise<FeedItemInput[]> {
  const byId = await officers.load(responses.map((response) => response.officerId!));
  return responses.flatMap((response) => {
    const officer = byId.get(String(response.officerId));
    return officer ? [surveyItem(response, officer)] : [];
  });
}

/** Reads documents in batches, turns each batch into items and writes them in one unordered bulk write. */
async function inBatches<T>(
  source: AsyncIterable<T>,
  itemsOf: (batch: T[]) => Promise<FeedItemInput[]>,
  progress: (done: number) => void,
): Promise<number> {
  let done = 0;
  let batch: T[] = [];
  const flush = async () => {
    const items = await itemsOf(batch);
    if (items.length) await FeedItem.bulkWrite(items.map(feedItemUpsert), { ordered: false });
    done += batch.length;
    batch = [];
    progress(done);
  };
  for await (const doc of source) {
    batch.push(doc);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  return done;
}

export type OfficerCache = ReturnType<typeof officerCache>;

/** Officers by id, read once per rebuild (a record belongs to the officer's current unit). */
export function officerCache() {
  const known = new Map<string, Pick<OfficerDoc, '_id' | 'unitPath'> | null>();
  return {
    async load(ids: (Types.ObjectId | string)[]) {
      const missing = [...new Set(ids.map(String))].filter((id) => !known.has(id));
      if (missing.length) {
        for (const id of missing) known.set(id, null);
        for (const officer of await findOfficersByIds(missing)) known.set(String(officer._id), officer);
      }
      const found = new Map<string, Pick<OfficerDoc, '_id' | 'unitPath'>>();
      for (const id of ids.map(String)) {
        const officer = known.get(id);
        if (officer) found.set(id, officer);
      }
      return found;
    },
  };
}
