import mongoose, { type Types } from 'mongoose';
import { accountIdsOfOfficer } from '../../accounts/index.js';
import { findOfficersByIds } from '../../directory/index.js';
import { countedOutcomes, ticketsHandledBy, type FindingOutcome } from '../../feedback/index.js';
import { ikmGrade, roundTo, type Grade } from '../../surveys/index.js';
import { coachingFigures, type CoachingFigures } from './coaching-figures.js';
import { FeedItem, monthOf, SUMMARY_TYPES, SummaryMonth, summaryMonthId, type FeedItemType } from './feed-model.js';

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
 * The summed items of a period: whole calendar months (UTC) from their cached monthly summaries (feed-model.ts),
 * computed from the items and stored when missing or out of date; the partial months at the ends from the items
 * themselves.
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
      // Kept only if no item of the month was written since `gen` was read (feed-model.ts): else the next read computes
      // it.
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

/**
 * Tickets assigned to the officer's own account(s) and resolved in the period, and how many were followed up in time.
 */
async function handledTickets(officerId: Types.ObjectId, period: { from: Date; to: Date }) {
  const [officer] = await findOfficersByIds([String(officerId)]);
  if (!officer) return { handled: 0, withinTime: 0 };
  return ticketsHandledBy(await accountIdsOfOfficer(officer.nip), period);
}
