import Joi from 'joi';
import mongoose, { type Types } from 'mongoose';
import { addDays, endOfLocalDay, isLocalDate, localDate, startOfLocalDay } from '../../platform/calendar.js';
import { AppError } from '../../platform/errors.js';
import { SharedAnswers } from '../../platform/shared-answers.js';
import { check } from '../../platform/validate.js';
import { accountIdsOfOfficer, can, recordAudit, scopeOf, type Actor } from '../accounts/index.js';
import {
  activeOfficersUnder,
  countActiveOfficersUnder,
  findOfficer,
  findOfficersByIds,
  findUnitByCode,
  type OfficerDoc,
} from '../directory/index.js';
import { countedOutcomes, scrubPersonalData, ticketsHandledBy, type FindingOutcome } from '../feedback/index.js';
import { ikmGrade, roundTo, type Grade } from '../surveys/index.js';
import {
  FeedItem,
  monthOf,
  recordVersion,
  SUMMARY_TYPES,
  SummaryMonth,
  summaryMonthId,
  type FeedItemDoc,
  type FeedItemType,
} from './model.js';
import { coachingFigures, type CoachingFigures } from './work.js';

/** The figures of one officer for a period: what the record's summary and an evaluation's draft both show. */
export interface RecordSummary {
  period: { from: Date; to: Date };
  /** Substantiated and partially substantiated findings by category code; `not_substantiated` never counts. */
  findings: { substantiated: Record<string, number>; partiallySubstantiated: Record<string, number>; total: number };
  /** Feed item ids of those findings: the evidence an evaluation links to. */
  findingIds: string[];
  compliments: number;
  /**
   * Competence and conduct elements of survey answers naming the officer, on the 25–100 scale (mean × 25, as the
   * IKM; the index weighs the two elements equally), rounded for display to 2 decimals, with the grade of the
   * index by the IKM bands and how many of the answers carry an integrity flag.
   */
  survey: {
    respondents: number;
    index: number | null;
    competence: number | null;
    conduct: number | null;
    grade: Grade | null;
    flagged: number;
  };
  /** Tickets assigned to the officer's account (when they have one) closed or resolved within the legal time. */
  tickets: { handled: number; withinTime: number };
  sessionsHeld: number;
  openActions: number;
  /** The open actions themselves (owner, due date, overdue), for the record page. */
  actions: CoachingFigures['openActions'];
  training: { year: number; jp: number; target: number };
}

/** Category code used when a finding's ticket had none. */
export const NO_CATEGORY = 'none';

interface SummaryItem {
  _id: Types.ObjectId;
  type: FeedItemType;
  data: { outcome?: string; category?: string | null; competence?: number; conduct?: number; flags?: string[] };
}

/** The officer's figures for the period, from their record's items, their handled tickets and the coaching work. */
export async function recordSummary(
  officerId: string | Types.ObjectId,
  period: { from: Date; to: Date },
): Promise<RecordSummary> {
  const id = new mongoose.Types.ObjectId(String(officerId));
  const [totals, tickets, figures] = await Promise.all([
    itemTotals(id, period),
    handledTickets(id, period),
    coachingFigures(id, period),
  ]);
  return {
    period,
    findings: { substantiated: totals.substantiated, partiallySubstantiated: totals.partial, total: totals.findings },
    findingIds: totals.findingIds,
    compliments: totals.compliments,
    survey: officerIndex(totals),
    tickets,
    sessionsHeld: figures.sessionsHeld,
    openActions: figures.openActions.length,
    actions: figures.openActions,
    training: figures.training,
  };
}

/** Sums of the items the summary counts, for a stretch of time: what one month's cached summary holds. */
interface ItemTotals {
  substantiated: Record<string, number>;
  partial: Record<string, number>;
  findings: number;
  findingIds: string[];
  compliments: number;
  respondents: number;
  competence: number;
  conduct: number;
  flagged: number;
}

const emptyTotals = (): ItemTotals => ({
  substantiated: {},
  partial: {},
  findings: 0,
  findingIds: [],
  compliments: 0,
  respondents: 0,
  competence: 0,
  conduct: 0,
  flagged: 0,
});

function addTotals(into: ItemTotals, from: ItemTotals): ItemTotals {
  for (const [category, n] of Object.entries(from.substantiated))
    into.substantiated[category] = (into.substantiated[category] ?? 0) + n;
  for (const [category, n] of Object.entries(from.partial)) into.partial[category] = (into.partial[category] ?? 0) + n;
  into.findingIds.push(...from.findingIds);
  into.findings += from.findings;
  into.compliments += from.compliments;
  into.respondents += from.respondents;
  into.competence += from.competence;
  into.conduct += from.conduct;
  into.flagged += from.flagged;
  return into;
}

/** Counts items: findings by outcome and category (only counted outcomes), compliments, survey sums. */
function totalsOf(items: SummaryItem[]): ItemTotals {
  const totals = emptyTotals();
  for (const item of items) {
    if (item.type === 'finding') {
      const outcome = (item.data.outcome ?? '') as FindingOutcome;
      if (!countedOutcomes.includes(outcome)) continue;
      const bucket = outcome === 'substantiated' ? totals.substantiated : totals.partial;
      const category = item.data.category || NO_CATEGORY;
      bucket[category] = (bucket[category] ?? 0) + 1;
      totals.findings++;
      totals.findingIds.push(String(item._id));
    } else if (item.type === 'compliment') totals.compliments++;
    else if (typeof item.data.competence === 'number' && typeof item.data.conduct === 'number') {
      totals.respondents++;
      totals.competence += item.data.competence;
      totals.conduct += item.data.conduct;
      if (item.data.flags?.length) totals.flagged++;
    }
  }
  return totals;
}

/**
 * The items a summary counts in a stretch of time. The type is checked here, not in the query: with a type filter
 * SecantusDB chose the wrong index and read every item of those types (150 ms instead of 3 for a record of 2,000).
 */
const itemsBetween = async (officerId: Types.ObjectId, from: Date, to: Date) =>
  (
    await FeedItem.find({ officerId, at: { $gte: from, $lte: to } })
      .select({
        type: 1,
        'data.outcome': 1,
        'data.category': 1,
        'data.competence': 1,
        'data.conduct': 1,
        'data.flags': 1,
      })
      .lean<SummaryItem[]>()
  ).filter((item) => SUMMARY_TYPES.includes(item.type));

const SUMMARY_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * The summed items of a period: whole calendar months (UTC) from their cached monthly summaries (model.ts), computed
 * from the items and stored when missing or out of date; the partial months at the ends from the items themselves.
 */
async function itemTotals(officerId: Types.ObjectId, period: { from: Date; to: Date }): Promise<ItemTotals> {
  const months: { month: string; from: Date; to: Date }[] = [];
  let start = new Date(Date.UTC(period.from.getUTCFullYear(), period.from.getUTCMonth(), 1));
  if (start < period.from) start = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  for (;;) {
    const next = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    if (next.getTime() - 1 > period.to.getTime()) break;
    months.push({ month: monthOf(start), from: start, to: new Date(next.getTime() - 1) });
    start = next;
  }
  if (months.length < 2) return totalsOf(await itemsBetween(officerId, period.from, period.to));

  const first = months[0]!.from;
  const last = months[months.length - 1]!.to;
  const cached = await SummaryMonth.find({ _id: { $in: months.map((m) => summaryMonthId(officerId, m.month)) } }).lean<
    { _id: string; gen: number; summaryGen: number | null; summary: ItemTotals | null; computedAt: Date | null }[]
  >();
  const byId = new Map(cached.map((doc) => [doc._id, doc]));
  const fresh = Date.now() - SUMMARY_MAX_AGE_MS;
  const parts = await Promise.all([
    first > period.from ? itemsBetween(officerId, period.from, new Date(first.getTime() - 1)).then(totalsOf) : null,
    last < period.to ? itemsBetween(officerId, new Date(last.getTime() + 1), period.to).then(totalsOf) : null,
    ...months.map(async ({ month, from, to }) => {
      const id = summaryMonthId(officerId, month);
      const doc = byId.get(id);
      const gen = doc?.gen ?? 0;
      if (doc?.summary && doc.summaryGen === gen && doc.computedAt && doc.computedAt.getTime() > fresh)
        return doc.summary;
      const totals = totalsOf(await itemsBetween(officerId, from, to));
      // Kept only if no item of the month was written since `gen` was read (model.ts): else the next read computes it.
      await SummaryMonth.updateOne(
        { _id: id, gen },
        { $set: { summary: totals, summaryGen: gen, computedAt: new Date() } },
        { upsert: true },
      ).catch((error: { code?: number }) => {
        if (error?.code !== 11000) throw error;
      });
      return totals;
    }),
  ]);
  return parts.reduce<ItemTotals>((sum, part) => (part ? addTotals(sum, part) : sum), emptyTotals());
}

/**
 * The officer's own small index from the competence and conduct answers (1–4): each element's mean × 25, and the
 * index Σ(mean × ½) × 25, computed unrounded and rounded only for display, graded on the rounded value.
 */
export function officerIndex(totals: {
  respondents: number;
  competence: number;
  conduct: number;
  flagged?: number;
}): RecordSummary['survey'] {
  const n = totals.respondents;
  if (!n)
    return { respondents: 0, index: null, competence: null, conduct: null, grade: null, flagged: totals.flagged ?? 0 };
  const competence = totals.competence / n;
  const conduct = totals.conduct / n;
  const index = roundTo((competence * 0.5 + conduct * 0.5) * 25, 2);
  return {
    respondents: n,
    index,
    competence: roundTo(competence * 25, 2),
    conduct: roundTo(conduct * 25, 2),
    grade: ikmGrade(index),
    flagged: totals.flagged ?? 0,
  };
}

/** Tickets assigned to the officer's own account(s) and resolved in the period, and how many were followed up in time. */
async function handledTickets(officerId: Types.ObjectId, period: { from: Date; to: Date }) {
  const [officer] = await findOfficersByIds([String(officerId)]);
  if (!officer) return { handled: 0, withinTime: 0 };
  return ticketsHandledBy(await accountIdsOfOfficer(officer.nip), period);
}

// ---- Periods in the agency's time zone

export const localDay = Joi.string()
  .trim()
  .custom((value: string) => {
    if (!isLocalDate(value)) throw new Error('coaching.bad_date');
    return value;
  });

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

const quarterStart = (day: string) => {
  const month = Number(day.slice(5, 7));
  return `${day.slice(0, 4)}-${String(Math.floor((month - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
};
const quarterEnd = (day: string) => {
  const start = quarterStart(day);
  const month = Number(start.slice(5, 7)) + 3;
  const next =
    month > 12 ? `${Number(start.slice(0, 4)) + 1}-01-01` : `${start.slice(0, 4)}-${String(month).padStart(2, '0')}-01`;
  return addDays(next, -1);
};

export interface Period {
  from: Date;
  to: Date;
  /** The local days as asked for (YYYY-MM-DD), for forms and links. */
  fromDay: string;
  toDay: string;
  timeZone: string;
}

/** A period of local days in the zone; by default this quarter; `from` after `to` is a field error. */
export function periodOf(query: { from?: string; to?: string }, timeZone: string, now: Date = new Date()): Period {
  const today = localDate(now, timeZone);
  const fromDay = query.from || quarterStart(query.to || today);
  const toDay = query.to || (query.from ? (query.from > today ? quarterEnd(query.from) : today) : quarterEnd(today));
  if (fromDay > toDay) throw AppError.validation({ from: { key: 'coaching.from_after_to' } });
  return {
    from: startOfLocalDay(fromDay, timeZone),
    to: endOfLocalDay(toDay, timeZone),
    fromDay,
    toDay,
    timeZone,
  };
}

// ---- The record

export interface RecordItem {
  id: string;
  type: FeedItemType;
  at: Date;
  data: Record<string, unknown>;
}

/** Item fields that come from the citizen's words: never shown to the officer concerned (DESIGN.md section 8). */
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
export async function readableOfficer(
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

/** An officer's record: who they are, the period's summary, the feed newest first (paged), and what the reader may do. */
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

  const { summary, page, awaiting } = await sharedRecord(officer._id, period, query, self);
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
export type OfficerRecord = Awaited<ReturnType<typeof officerRecord>>;

/**
 * The record's figures and feed page, shared by every reader asking for the same officer, period and page at the
 * same record version (model.ts): the version is read each time (one read by id), so a session logged, an item
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

// ---- Officers in scope

/**
 * The units whose officers the actor may read (`coaching.read`), narrowed to one unit's subtree when asked (a unit
 * outside the scope is not found), and the time zone its periods are read in.
 */
export async function officersInScope(actor: Actor, unitCode?: string) {
  const scope = scopeOf(actor, 'coaching.read');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  let under: 'all' | Types.ObjectId[] = scope === 'all' ? 'all' : scope.map((id) => new mongoose.Types.ObjectId(id));
  let timeZone = 'Asia/Jakarta';
  if (unitCode) {
    const unit = await findUnitByCode(unitCode);
    if (!unit || !can(actor, 'coaching.read', { unitPath: unit.path })) throw new AppError('not_found');
    under = [unit._id];
    timeZone = unit.timeZone;
  } else if (scope !== 'all') {
    const grant = actor.grants.find((candidate) => candidate.unitId === scope[0]);
    const unit = grant?.unitCode ? await findUnitByCode(grant.unitCode) : null;
    timeZone = unit?.timeZone ?? timeZone;
  }
  return { under, timeZone };
}

export const overviewQuery = Joi.object({
  unitCode: Joi.string().trim().uppercase().max(40).allow(''),
  page: Joi.number().integer().min(1).max(10_000).default(1),
});
const OVERVIEW_PAGE = 50;

/** Officers whose records the actor may read, with this quarter's counts per officer. */
export async function coachingOverview(actor: Actor | undefined, raw: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const query = check(overviewQuery, raw ?? {}) as { unitCode?: string; page: number };
  const { under, timeZone } = await officersInScope(actor, query.unitCode);
  const period = periodOf({}, timeZone);
  await recordAudit(actor, 'coaching.overview.read', query.unitCode || null, {
    grant: 'coaching.read',
    page: query.page,
  });
  const [officers, total] = await Promise.all([
    activeOfficersUnder(under, { skip: (query.page - 1) * OVERVIEW_PAGE, limit: OVERVIEW_PAGE }),
    countActiveOfficersUnder(under),
  ]);
  const counts = await FeedItem.aggregate<{ _id: { officerId: Types.ObjectId; type: string }; n: number }>([
    {
      $match: {
        officerId: { $in: officers.map((officer) => officer._id) },
        at: { $gte: period.from, $lte: period.to },
      },
    },
    { $group: { _id: { officerId: '$officerId', type: '$type' }, n: { $sum: 1 } } },
  ]);
  const countOf = (officerId: Types.ObjectId, type: string) =>
    counts.find((row) => String(row._id.officerId) === String(officerId) && row._id.type === type)?.n ?? 0;
  return {
    period: { from: period.fromDay, to: period.toDay, timeZone },
    unitCode: query.unitCode || null,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / OVERVIEW_PAGE)),
    total,
    officers: officers.map((officer) => ({
      nip: officer.nip,
      name: officer.name,
      position: officer.position,
      unitCode: officer.unitCode,
      findings: countOf(officer._id, 'finding'),
      compliments: countOf(officer._id, 'compliment'),
      surveys: countOf(officer._id, 'survey'),
      sessions: countOf(officer._id, 'session'),
    })),
  };
}
