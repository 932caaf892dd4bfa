import Joi from 'joi';
import type { Types } from 'mongoose';
import { localDate } from '../../../platform/calendar.js';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { activeOfficersUnder, type OfficerDoc } from '../../directory/index.js';
import { coachingFigures, type CoachingFigures } from './coaching-figures.js';
import { FeedItem } from './feed-model.js';
import { officersInScope } from './overview.js';
import { localDay, periodOf } from './periods.js';
import { NO_CATEGORY, officerIndex, type RecordSummary } from './summary.js';

/**
 * Trends for coaches: per unit and per officer in scope, findings by category per month, compliments,
 * the officers' survey index, open actions and JP progress, and a "needs attention" list.
 *
 * Fairness (docs/domain.md, "Findings and fairness"): the list names only officers with at least `minCases` cases in
 * the period — a case is an item of their record: a substantiated or partially substantiated finding, a verified
 * compliment, a survey answer naming them — and ranks by findings per 100 survey answers naming the officer, the
 * service volume we know for one person. Where no survey answer names them the volume is unknown: the rate is left
 * empty and they rank after those with a rate, by their count of findings.
 */
export const DEFAULT_MIN_CASES = 3;
/**
 * Below this index (the lower bound of grade B, "Baik") with enough answers, an officer's survey index needs a look.
 */
export const LOW_INDEX = 76.61;
const MAX_OFFICERS = 2000;

export const trendsQuery = Joi.object({
  unitCode: Joi.string().trim().uppercase().max(40).allow(''),
  from: localDay.allow(''),
  to: localDay.allow(''),
  minCases: Joi.number().integer().min(1).max(1000).default(DEFAULT_MIN_CASES),
});

interface Row {
  _id: { officerId: Types.ObjectId; type: string; month: string; category: string | null };
  n: number;
  competence: number;
  conduct: number;
  flagged: number;
}

interface OfficerTrend {
  nip: string;
  name: string;
  unitCode: string;
  findingsByMonth: Record<string, number>;
  findingsByCategory: Record<string, number>;
  findings: number;
  compliments: number;
  survey: RecordSummary['survey'];
  /** Sums of the competence and conduct answers (1–4), so a unit's index weighs every answer alike. */
  surveyTotals: { respondents: number; competence: number; conduct: number; flagged: number };
  cases: number;
  /** Findings per 100 survey answers naming the officer; null while no answer names them. */
  findingsPer100: number | null;
  openActions: number;
  overdueActions: number;
  training: CoachingFigures['training'];
}

const monthsBetween = (fromDay: string, toDay: string) => {
  const months: string[] = [];
  let year = Number(fromDay.slice(0, 4));
  let month = Number(fromDay.slice(5, 7));
  const last = toDay.slice(0, 7);
  for (let guard = 0; guard < 240; guard++) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) break;
    month = month === 12 ? 1 : month + 1;
    if (month === 1) year++;
  }
  return months;
};

/** By default the current month and the five before it, in the scope's time zone. */
function defaultFrom(timeZone: string, now = new Date()) {
  const today = localDate(now, timeZone);
  let year = Number(today.slice(0, 4));
  let month = Number(today.slice(5, 7)) - 5;
  if (month < 1) {
    month += 12;
    year--;
  }
  return `${year}-${String(month).padStart(2, '0')}-01`;
}

export async function coachingTrends(actor: Actor | undefined, raw: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const query = check(trendsQuery, raw ?? {}) as { unitCode?: string; from?: string; to?: string; minCases: number };
  const { under, timeZone } = await officersInScope(actor, query.unitCode);
  const period = periodOf(
    {
      from: query.from || (query.to ? undefined : defaultFrom(timeZone)),
      to: query.to || localDate(new Date(), timeZone),
    },
    timeZone,
  );
  // Per-officer figures from many records: logged like a read of each record, once for the whole view.
  await recordAudit(actor, 'coaching.trends.read', query.unitCode || null, {
    grant: 'coaching.read',
    from: period.fromDay,
    to: period.toDay,
  });
  const months = monthsBetween(period.fromDay, period.toDay);
  const officers = await activeOfficersUnder(under, { limit: MAX_OFFICERS });

  const rowsOf = await itemRowsByOfficer(
    officers.map((officer) => officer._id),
    period,
    timeZone,
  );
  const figures = await figuresOf(officers, period);
  const perOfficer = officers.map((officer) =>
    officerTrend(officer, rowsOf.get(String(officer._id)) ?? [], figures.get(String(officer._id))!, months),
  );

  return {
    period: { from: period.fromDay, to: period.toDay, timeZone },
    unitCode: query.unitCode || null,
    minCases: query.minCases,
    months,
    normalisedBy: 'survey_answers' as const,
    units: unitTrends(perOfficer, months),
    officers: perOfficer,
    needsAttention: needsAttention(perOfficer, query.minCases),
  };
}

/** The record items of these officers in the period, summed per officer, type, month (in the zone) and category. */
async function itemRowsByOfficer(
  officerIds: Types.ObjectId[],
  period: { from: Date; to: Date },
  timeZone: string,
): Promise<Map<string, Row[]>> {
  const rows = await FeedItem.aggregate<Row>([
    {
      $match: {
        // No type filter: with one, SecantusDB read every item of those types of every officer (summary.ts,
        // itemsBetween); sessions, training and evaluations group into rows of their own, left out below.
        officerId: { $in: officerIds },
        at: { $gte: period.from, $lte: period.to },
      },
    },
    {
      $group: {
        _id: {
          officerId: '$officerId',
          type: '$type',
          month: { $dateToString: { format: '%Y-%m', date: '$at', timezone: timeZone } },
          category: { $cond: [{ $eq: ['$type', 'finding'] }, '$data.category', null] },
        },
        n: { $sum: 1 },
        competence: { $sum: { $ifNull: ['$data.competence', 0] } },
        conduct: { $sum: { $ifNull: ['$data.conduct', 0] } },
        flagged: { $sum: { $cond: [{ $gt: [{ $size: { $ifNull: ['$data.flags', []] } }, 0] }, 1, 0] } },
      },
    },
  ]);
  const rowsOf = new Map<string, Row[]>();
  for (const row of rows) {
    const key = String(row._id.officerId);
    rowsOf.set(key, [...(rowsOf.get(key) ?? []), row]);
  }
  return rowsOf;
}

/** Each officer's coaching figures, twenty at a time. */
async function figuresOf(
  officers: OfficerDoc[],
  period: { from: Date; to: Date },
): Promise<Map<string, CoachingFigures>> {
  const figures = new Map<string, CoachingFigures>();
  for (let start = 0; start < officers.length; start += 20) {
    const chunk = officers.slice(start, start + 20);
    const results = await Promise.all(chunk.map((officer) => coachingFigures(officer._id, period)));
    chunk.forEach((officer, index) => figures.set(String(officer._id), results[index]!));
  }
  return figures;
}

/** One officer's trend from their rows and coaching figures. */
function officerTrend(officer: OfficerDoc, rows: Row[], work: CoachingFigures, months: string[]): OfficerTrend {
  const trend = {
    findingsByMonth: Object.fromEntries(months.map((month) => [month, 0])) as Record<string, number>,
    findingsByCategory: {} as Record<string, number>,
    findings: 0,
    compliments: 0,
    survey: { respondents: 0, competence: 0, conduct: 0, flagged: 0 },
  };
  for (const row of rows) {
    if (row._id.type === 'finding') {
      trend.findings += row.n;
      trend.findingsByMonth[row._id.month] = (trend.findingsByMonth[row._id.month] ?? 0) + row.n;
      const category = row._id.category || NO_CATEGORY;
      trend.findingsByCategory[category] = (trend.findingsByCategory[category] ?? 0) + row.n;
    } else if (row._id.type === 'compliment') trend.compliments += row.n;
    else if (row._id.type === 'survey') {
      trend.survey.respondents += row.n;
      trend.survey.competence += row.competence;
      trend.survey.conduct += row.conduct;
      trend.survey.flagged += row.flagged;
    }
  }
  const answers = trend.survey.respondents;
  return {
    nip: officer.nip,
    name: officer.name,
    unitCode: officer.unitCode,
    findingsByMonth: trend.findingsByMonth,
    findingsByCategory: trend.findingsByCategory,
    findings: trend.findings,
    compliments: trend.compliments,
    survey: officerIndex(trend.survey),
    surveyTotals: trend.survey,
    cases: trend.findings + trend.compliments + answers,
    findingsPer100: answers ? Math.round((trend.findings / answers) * 10_000) / 100 : null,
    openActions: work.openActions.length,
    overdueActions: work.openActions.filter((action) => action.overdue).length,
    training: work.training,
  };
}
export type CoachingTrends = Awaited<ReturnType<typeof coachingTrends>>;

function unitTrends(officers: OfficerTrend[], months: string[]) {
  const units = new Map<string, OfficerTrend[]>();
  for (const officer of officers) units.set(officer.unitCode, [...(units.get(officer.unitCode) ?? []), officer]);
  return [...units.entries()].map(([unitCode, members]) => {
    const sum = (pick: (officer: OfficerTrend) => number) =>
      members.reduce((total, officer) => total + pick(officer), 0);
    const findingsByMonth = Object.fromEntries(
      months.map((month) => [month, sum((officer) => officer.findingsByMonth[month] ?? 0)]),
    );
    const findingsByCategory: Record<string, number> = {};
    for (const officer of members)
      for (const [category, n] of Object.entries(officer.findingsByCategory))
        findingsByCategory[category] = (findingsByCategory[category] ?? 0) + n;
    const jp = sum((officer) => officer.training.jp);
    const target = sum((officer) => officer.training.target);
    return {
      unitCode,
      officers: members.length,
      findingsByMonth,
      findingsByCategory,
      findings: sum((officer) => officer.findings),
      compliments: sum((officer) => officer.compliments),
      survey: officerIndex({
        respondents: sum((officer) => officer.surveyTotals.respondents),
        competence: sum((officer) => officer.surveyTotals.competence),
        conduct: sum((officer) => officer.surveyTotals.conduct),
        flagged: sum((officer) => officer.surveyTotals.flagged),
      }),
      openActions: sum((officer) => officer.openActions),
      training: { jp, target, percent: target ? Math.round((jp / target) * 100) : null },
    };
  });
}

export type AttentionReason = 'findings' | 'survey_low' | 'overdue_actions';

function needsAttention(officers: OfficerTrend[], minCases: number) {
  return officers
    .filter((officer) => officer.cases >= minCases)
    .map((officer) => {
      const reasons: AttentionReason[] = [];
      if (officer.findings > 0) reasons.push('findings');
      if (officer.survey.respondents >= minCases && officer.survey.index !== null && officer.survey.index < LOW_INDEX)
        reasons.push('survey_low');
      if (officer.overdueActions > 0) reasons.push('overdue_actions');
      return { ...officer, reasons };
    })
    .filter((officer) => officer.reasons.length > 0)
    .sort(
      (a, b) =>
        (b.findingsPer100 ?? -1) - (a.findingsPer100 ?? -1) ||
        b.findings - a.findings ||
        (a.survey.index ?? 100) - (b.survey.index ?? 100),
    );
}
