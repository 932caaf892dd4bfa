import Joi from 'joi';
import mongoose, { type Types } from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { SharedAnswers } from '../../../platform/shared-answers.js';
import { check } from '../../../platform/validate.js';
import { can, scopeOf, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findOfficer, findUnitByCode, type OfficerDoc } from '../../directory/index.js';
import { scrubPersonalData } from '../../feedback/index.js';
import { jpTargetOf } from '../evaluations/settings.js';
import { FeedItem, recordVersion, type FeedItemDoc, type FeedItemType } from './feed-model.js';
import { localDay, periodOf, type Period } from './periods.js';
import { recordSummary, type RecordSummary } from './summary.js';

/**
 * An officer's record (docs/domain.md, "Coaching record"): the period's summary and the feed of items, newest first,
 * for the officer themself and for coaches and unit heads in scope.
 */

export const recordQuery = Joi.object({
  from: localDay.allow(''),
  to: localDay.allow(''),
  /** The feed's paging cursor: the `nextBefore` of the page before. */
  before: Joi.string()
    .trim()
    .pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z(_[0-9a-f]{24})?$/)
    .allow(''),
  limit: Joi.number().integer().min(1).max(100).default(20),
});
export type RecordQuery = { from?: string; to?: string; before?: string; limit: number };

export interface RecordItem {
  id: string;
  type: FeedItemType;
  at: Date;
  data: Record<string, unknown>;
}

/** Item fields that come from the citizen's words: never shown to the officer concerned (docs/domain.md, "Privacy"). */
const CITIZEN_TEXT = ['summary', 'description', 'comment'];

function itemFor(item: FeedItemDoc, self: boolean): RecordItem {
  const data = { ...(item.data as Record<string, unknown>) };
  if (self && ['finding', 'compliment', 'survey'].includes(item.type)) {
    for (const key of CITIZEN_TEXT) delete data[key];
    // The unit head's note may quote the complaint: contact details never reach the officer concerned.
    if (typeof data.note === 'string') data.note = scrubPersonalData(data.note);
  }
  return { id: String(item._id), type: item.type, at: item.at, data };
}

const cursorOf = (item: FeedItemDoc) => `${item.at.toISOString()}_${String(item._id)}`;

function beforeFilter(before: string | undefined) {
  if (!before) return {};
  const [iso, id] = before.split('_');
  const at = new Date(iso!);
  if (Number.isNaN(at.getTime())) throw AppError.validation({ before: { key: 'validation.invalid' } });
  if (!id) return { at: { $lt: at } };
  return { $or: [{ at: { $lt: at } }, { at, _id: { $lt: new mongoose.Types.ObjectId(id) } }] };
}

/**
 * A page of the feed, newest first: `limit + 1` items (the extra one says there is a next page). SecantusDB sorts
 * what the query matched rather than walking the index, so asking for the whole period read every item of it (80 ms
 * for 2,000); this asks for the last 30 days first and widens the window four times over until the page is full or
 * the period is covered.
 */
async function newestItems(
  officerId: Types.ObjectId,
  period: { from: Date; to: Date },
  query: RecordQuery,
): Promise<FeedItemDoc[]> {
  const before = beforeFilter(query.before);
  const cursorAt = query.before ? new Date(query.before.split('_')[0]!).getTime() : Infinity;
  const end = Math.min(period.to.getTime(), cursorAt);
  for (let days = 30; ; days *= 4) {
    const from = new Date(Math.max(period.from.getTime(), end - days * 24 * 60 * 60 * 1000));
    const items = await FeedItem.find({ officerId, at: { $gte: from, $lte: period.to }, ...before })
      .sort({ at: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<FeedItemDoc[]>();
    if (items.length > query.limit || from.getTime() <= period.from.getTime()) return items;
  }
}

/**
 * Who may read an officer's record: the officer themself (their account's NIP), and staff with `coaching.read` on
 * the officer's unit (coaches and unit heads of the subtree). Someone with no such grant anywhere is refused (403);
 * someone with a grant elsewhere gets the same 404 as for an unknown NIP, so NIPs outside their scope cannot be
 * probed. Returns the officer and whether the reader is the officer.
 */
async function readableOfficer(
  actor: Actor | undefined,
  nip: unknown,
): Promise<{ officer: OfficerDoc; self: boolean }> {
  if (!actor) throw new AppError('unauthenticated');
  const wanted = String(nip ?? '');
  const self = Boolean(actor.officerNip) && actor.officerNip === wanted;
  if (!self) {
    const scope = scopeOf(actor, 'coaching.read');
    if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  }
  const officer = /^\d{18}$/.test(wanted) ? await findOfficer({ nip: wanted }) : null;
  if (!officer) throw new AppError('not_found');
  if (!self && !can(actor, 'coaching.read', { unitPath: officer.unitPath })) throw new AppError('not_found');
  return { officer, self };
}

/**
 * An officer's record: who they are, the period's summary, the feed newest first (paged), and what the reader may do.
 */
export async function officerRecord(actor: Actor | undefined, nip: unknown, raw: unknown) {
  const { officer, self } = await readableOfficer(actor, nip);
  const query = check(recordQuery, raw ?? {}) as RecordQuery;
  const unit = await findUnitByCode(officer.unitCode);
  const period = periodOf(query, unit?.timeZone ?? 'Asia/Jakarta');
  // Written before anything leaves: a read the log cannot hold is not served.
  if (!self)
    await recordAudit(
      actor!,
      'coaching.record.read',
      officer.nip,
      { unitCode: officer.unitCode, grant: 'coaching.read', from: period.fromDay, to: period.toDay },
      null,
      { unitPath: officer.unitPath },
    );

  const [shared, jpTarget] = await Promise.all([
    sharedRecord(officer._id, period, query, self),
    jpTargetOf(officer.unitPath[0]!),
  ]);
  const { page, awaiting } = shared;
  // The shared answer follows the record's version, which a change of the agency's JP target does not move: the
  // target is read on every request, and the shared summary is copied, never changed.
  const summary = { ...shared.summary, training: { ...shared.summary.training, target: jpTarget } };
  const items = page.slice(0, query.limit);
  return {
    officer: {
      nip: officer.nip,
      name: officer.name,
      position: officer.position,
      unitCode: officer.unitCode,
      unitName: unit?.name ?? officer.unitCode,
    },
    self,
    period: { from: period.fromDay, to: period.toDay, timeZone: period.timeZone },
    summary,
    feed: {
      items: items.map((item) => itemFor(item, self)),
      nextBefore: page.length > query.limit ? cursorOf(items.at(-1)!) : null,
    },
    awaitingAnswer: awaiting.map((item) => itemFor(item, self)),
    can: {
      answer: self,
      write: can(actor, 'coaching.write', { unitPath: officer.unitPath }),
    },
  };
}

/**
 * The record's figures and feed page, shared by every reader asking for the same officer, period and page at the
 * same record version (feed-model.ts): the version is read each time (one read by id), so a session logged, an item
 * written or an action done in any process shows on the next read. What the record takes from outside the coaching
 * records (tickets handled in time, the directory) is at most a minute old. Readers must not change what they get.
 */
const recordAnswers = new SharedAnswers<{ summary: RecordSummary; page: FeedItemDoc[]; awaiting: FeedItemDoc[] }>({
  ttlMs: 60_000,
  maxEntries: 500,
});

async function sharedRecord(officerId: Types.ObjectId, period: Period, query: RecordQuery, self: boolean) {
  const version = await recordVersion(officerId);
  const key = JSON.stringify([String(officerId), version, period.fromDay, period.toDay, period.timeZone, query, self]);
  return recordAnswers.get(key, () => computeRecord(officerId, period, query, self));
}

async function computeRecord(officerId: Types.ObjectId, period: Period, query: RecordQuery, self: boolean) {
  const [summary, page, awaiting] = await Promise.all([
    recordSummary(officerId, period),
    newestItems(officerId, period, query),
    // The officer's findings still waiting for their answer, whatever the period (only findings have an outcome;
    // a type filter here made SecantusDB read every finding of every officer, see itemsBetween).
    self
      ? FeedItem.find({ officerId, 'data.outcome': { $exists: true }, 'data.answer': null })
          .sort({ at: -1 })
          .limit(50)
          .lean<FeedItemDoc[]>()
      : Promise.resolve([] as FeedItemDoc[]),
  ]);
  return { summary, page, awaiting };
}
