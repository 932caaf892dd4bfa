import type { PipelineStage, Types } from 'mongoose';
import { addDays, dayOfWeek, localDate } from '../../platform/calendar.js';
import { AppError } from '../../platform/errors.js';
import { deepFreeze, freezeRows, SharedAnswers } from '../../platform/shared-answers.js';
import { assertCan, type Actor } from '../../platform/access.js';
import { findUnitByCode, Unit, type UnitDoc } from '../directory/index.js';
import { clockDefaults, kinds } from '../feedback/index.js';
import {
  ageBands,
  computeIkm,
  educations,
  ELEMENT_COUNT,
  EQUAL_WEIGHTS,
  genders,
  type Grade,
  type IntegrityFlag,
  integrityFlags,
  minimumSample,
  occupations,
  type SkmElement,
} from '../surveys/index.js';
import {
  countAtMost,
  countOf,
  DURATION_HOURS_BOUNDS,
  quantile,
  WAIT_MINUTES_BOUNDS,
  type Histogram,
} from './histogram.js';
import { rollupModels, SurveyRollup, TicketRollup, TicketUnitDayRollup, TicketUnitMonthRollup } from './model.js';
import { dateOfDay, rollupWrites, surveyTreeComplete } from './rollups.js';
import { weightsFor } from './settings.js';

/**
 * Analytics figures, read from the rollups only (DESIGN.md section 5): IKM reports, trends, the transparency figures
 * and the hall display. Periods are agency-local days, `to` inclusive; a subtree is the sum of its units' rollups.
 * Other modules (pages, exports, the display, the bench) code against the names and types exported here.
 */

const MAX_RANGE_DAYS = 3 * 366;

// ---- Periods ------------------------------------------------------------------------------------------------------

export interface Period {
  /** Local days 'YYYY-MM-DD', inclusive. */
  from: string;
  to: string;
}

/**
 * A 'YYYY-MM-DD' string is a local day as given; a Date is the local day it falls on in the unit's zone (so both
 * `new Date('2026-02-10')` and the start or end of that local day name 10 February).
 */
const dayString = (value: Date | string, timeZone: string): string =>
  typeof value === 'string' ? value : localDate(new Date(value), timeZone);

/** The quarter to date of `today` (a local day). */
export function quarterToDate(today: string): Period {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const first = Math.floor((month - 1) / 3) * 3 + 1;
  return { from: `${year}-${String(first).padStart(2, '0')}-01`, to: today };
}

/** Today in a zone, as a local day. */
export const todayIn = (timeZone: string, now = new Date()) => localDate(now, timeZone);

function checkPeriod(from: string, to: string): Period {
  if (from > to) throw AppError.validation({ to: { key: 'analytics.range_invalid' } });
  const days = (dateOfDay(to).getTime() - dateOfDay(from).getTime()) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS)
    throw AppError.validation({ from: { key: 'analytics.range_too_long', params: { days: MAX_RANGE_DAYS } } });
  return { from, to };
}

async function unitOr404(unitCode: string): Promise<UnitDoc> {
  const unit = typeof unitCode === 'string' && unitCode ? await findUnitByCode(unitCode) : null;
  if (!unit) throw new AppError('not_found', 'analytics.unknown_unit');
  return unit;
}

/** Public figures need no grant (actor null); anyone else needs 'analytics.read' on the unit. */
function authorise(actor: Actor | null | undefined, unit: UnitDoc): void {
  if (actor === null) return;
  assertCan(actor, 'analytics.read', { unitPath: unit.path });
}

function scopeMatch(
  unit: Pick<UnitDoc, '_id'>,
  options: { subtree?: boolean; serviceCode?: string | null } = {},
): Record<string, unknown> {
  return {
    ...(options.subtree === false ? { unitId: unit._id } : { unitPath: unit._id }),
    ...(options.serviceCode ? { serviceCode: options.serviceCode } : {}),
  };
}

/** A stretch of a period read from one grain: whole calendar months from the monthly rollups, other days daily. */
export interface Segment {
  monthly: boolean;
  from: string;
  to: string;
}

const lastDayOfMonth = (month: string) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return addDays(m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`, -1);
};

/** Splits a period into daily and monthly stretches (monthly only where `allowMonthly` and the month is whole). */
export function segmentsOf(period: Period, allowMonthly = true): Segment[] {
  const segments: Segment[] = [];
  let day = period.from;
  while (day <= period.to) {
    const month = day.slice(0, 7);
    const end = lastDayOfMonth(month);
    const whole = allowMonthly && day === `${month}-01` && end <= period.to;
    const to = end <= period.to ? end : period.to;
    const last = segments[segments.length - 1];
    if (last && last.monthly === whole) last.to = to;
    else segments.push({ monthly: whole, from: day, to });
    day = addDays(to, 1);
  }
  return segments;
}

type Group = Record<string, unknown> & { _id: unknown };
/**
 * Which rollups a question reads: per unit × service (`tickets`, `surveys`; a subtree is `{ unitPath: id }`), or the
 * survey subtree documents (`surveysTree`, model.ts; a subtree is `{ unitId: id }`, every service together).
 */
type RollupKind = 'tickets' | 'surveys' | 'surveysTree';

/**
 * What to match for a unit's subtree (or the unit alone) in the survey rollups: the subtree documents when they can
 * answer (every service, and the database has them complete: rollups.ts `surveyTreeComplete`).
 */
async function surveyScope(
  unit: Pick<UnitDoc, '_id'>,
  options: { subtree?: boolean; serviceCode?: string | null } = {},
): Promise<{ kind: RollupKind; match: Record<string, unknown> }> {
  return options.subtree !== false && !options.serviceCode && (await surveyTreeComplete())
    ? { kind: 'surveysTree', match: { unitId: unit._id } }
    : { kind: 'surveys', match: scopeMatch(unit, options) };
}

/**
 * Runs `stages` after a `$match` on each stretch of the period (monthly or daily rollups) and merges the groups
 * that share an `_id`, summing their numbers (other fields are kept from the first).
 */
function aggregateRollups<T extends Group>(
  kind: RollupKind,
  period: Period,
  match: Record<string, unknown>,
  stages: PipelineStage[],
  allowMonthly = true,
  /** Leave the whole months out (the caller reads them from the unit summaries). */
  skipMonthly = false,
  /** Leave the other days out too (likewise). */
  skipDaily = false,
): Promise<T[]> {
  const key = JSON.stringify(['rollups', kind, period, match, stages, allowMonthly, skipMonthly, skipDaily]);
  return rollupReads.get(key, () =>
    mergedRollups(kind, period, match, stages, allowMonthly, skipMonthly, skipDaily),
  ) as Promise<T[]>;
}

/**
 * Rollup reads shared by every request asking the same question (the same scope, period and grouping) while they
 * are current: until this process writes rollups, and for at most a minute for another process's writes (the
 * figures are sums of days; a minute late is what the transparency page promises too). Twenty coaches opening one
 * province's year at once make one read, not twenty. Rows are frozen: callers copy before they change anything.
 */
const rollupReads = new SharedAnswers<Group[] | UnitMonthDoc[]>({
  ttlMs: 60_000,
  maxEntries: 200,
  version: rollupWrites,
  seal: (rows) => freezeRows(rows as object[]) as typeof rows,
});

async function mergedRollups<T extends Group>(
  kind: RollupKind,
  period: Period,
  match: Record<string, unknown>,
  stages: PipelineStage[],
  allowMonthly: boolean,
  skipMonthly: boolean,
  skipDaily: boolean,
): Promise<T[]> {
  const results = await Promise.all(
    segmentsOf(period, allowMonthly)
      .filter((segment) => !(skipMonthly && segment.monthly) && !(skipDaily && !segment.monthly))
      .map((segment) => {
        const model = rollupModels[
          segment.monthly ? (`${kind}Monthly` as const) : kind
        ] as unknown as typeof TicketRollup;
        const date = segment.monthly
          ? { $gte: dateOfDay(segment.from), $lte: dateOfDay(`${segment.to.slice(0, 7)}-01`) }
          : { $gte: dateOfDay(segment.from), $lte: dateOfDay(segment.to) };
        return model.aggregate<T>([{ $match: { ...match, date } }, ...stages]);
      }),
  );
  const merged = new Map<string, T>();
  for (const group of results.flat()) {
    const key = JSON.stringify(group._id);
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...group });
      continue;
    }
    for (const [field, value] of Object.entries(group))
      if (typeof value === 'number') (into as Record<string, unknown>)[field] = Number(into[field] ?? 0) + value;
  }
  return [...merged.values()];
}

// ---- Survey sums --------------------------------------------------------------------------------------------------

const profileCodes = { gender: genders, ageBand: ageBands, education: educations, occupation: occupations } as const;
type ProfileField = keyof typeof profileCodes;
const safe = (code: string) => code.replace(/[^\w]/g, '_');

/** $group fields for survey rollups: respondents, element sums, profile and integrity counts. */
function surveySums(): Record<string, unknown> {
  const fields: Record<string, unknown> = { respondents: { $sum: '$respondents' }, flagged: { $sum: '$flagged' } };
  for (let index = 0; index < ELEMENT_COUNT; index++) fields[`s${index}`] = { $sum: `$sums.${index}` };
  for (const [field, codes] of Object.entries(profileCodes))
    for (const code of codes) fields[`p_${field}_${safe(code)}`] = { $sum: `$profile.${field}.${code}` };
  for (const flag of integrityFlags) fields[`f_${flag}`] = { $sum: `$flags.${flag}` };
  return fields;
}

type SurveyGroup = Record<string, number> & { _id: unknown };

const totalsOf = (group: SurveyGroup | undefined) =>
  Array.from({ length: ELEMENT_COUNT }, (_, index) => group?.[`s${index}`] ?? 0);

// ---- IKM ----------------------------------------------------------------------------------------------------------

export interface IkmReportQuery {
  unitCode: string;
  from: Date | string;
  to: Date | string;
  serviceCode?: string | null;
  /** The unit and every unit below it (default), or the unit alone. */
  subtree?: boolean;
}

export interface IkmElement {
  element: SkmElement;
  total: number;
  mean: number | null;
  grade: Grade | null;
}

export interface IkmReport {
  unit: { code: string; name: string; population: number | null; timeZone: string };
  from: string;
  to: string;
  serviceCode: string | null;
  subtree: boolean;
  respondents: number;
  elements: IkmElement[];
  /** The index rounded to 2 decimals, as shown and graded; null without respondents. */
  ikm: number | null;
  /** The unrounded index. */
  value: number | null;
  grade: Grade | null;
  label: string | null;
  weights: number[];
  customWeights: boolean;
  /** Krejcie–Morgan minimum sample for the unit's population of service users; null when it is unknown. */
  minimumSample: number | null;
  sampleTooSmall: boolean;
  profile: Record<ProfileField, Record<string, number>>;
  integrity: { flagged: number; byFlag: Record<IntegrityFlag, number> };
}

function ikmFrom(totals: number[], respondents: number, weights: readonly number[]) {
  return computeIkm({ totals, respondents }, weights);
}

/** The IKM of a unit (and its subtree) over a period, as PermenPANRB 14/2017 reports it, from the survey rollups. */
export async function ikmReport(actor: Actor | null, q: IkmReportQuery): Promise<IkmReport> {
  const unit = await unitOr404(q.unitCode);
  authorise(actor, unit);
  const period = checkPeriod(dayString(q.from, unit.timeZone), dayString(q.to, unit.timeZone));
  const subtree = q.subtree !== false;
  const serviceCode = q.serviceCode || null;
  const surveys = await surveyScope(unit, { subtree, serviceCode });
  const [groups, weights] = await Promise.all([
    aggregateRollups<SurveyGroup>(surveys.kind, period, surveys.match, [{ $group: { _id: null, ...surveySums() } }]),
    weightsFor(unit.agencyCode),
  ]);
  const group = groups[0];
  const respondents = group?.respondents ?? 0;
  const result = ikmFrom(totalsOf(group), respondents, weights);
  const profile = Object.fromEntries(
    Object.entries(profileCodes).map(([field, codes]) => [
      field,
      Object.fromEntries(codes.map((code) => [code, group?.[`p_${field}_${safe(code)}`] ?? 0])),
    ]),
  ) as Record<ProfileField, Record<string, number>>;
  const byFlag = Object.fromEntries(integrityFlags.map((flag) => [flag, group?.[`f_${flag}`] ?? 0])) as Record<
    IntegrityFlag,
    number
  >;
  const minimum = unit.population ? minimumSample(unit.population) : null;
  return {
    unit: { code: unit.code, name: unit.name, population: unit.population ?? null, timeZone: unit.timeZone },
    from: period.from,
    to: period.to,
    serviceCode,
    subtree,
    respondents: result.respondents,
    elements: result.elements.map(({ element, total, mean, grade }) => ({ element, total, mean, grade })),
    ikm: result.display,
    value: result.value,
    grade: result.grade,
    label: result.label,
    weights: [...weights],
    customWeights: weights !== EQUAL_WEIGHTS,
    minimumSample: minimum,
    sampleTooSmall: minimum !== null && respondents < minimum,
    profile,
    integrity: { flagged: group?.flagged ?? 0, byFlag },
  };
}

// ---- Trends -------------------------------------------------------------------------------------------------------

export type Interval = 'week' | 'month';

export interface TrendsQuery {
  unitCode: string;
  from: Date | string;
  to: Date | string;
  interval: Interval;
  serviceCode?: string | null;
}

export interface Bucket {
  /** 'YYYY-MM' for months, the Monday 'YYYY-MM-DD' for weeks. */
  key: string;
  /** 'YYYY-MM', or 'YYYY-Www' (ISO week). */
  label: string;
  /** The bucket's days within the period, inclusive. */
  from: string;
  to: string;
}

export interface DurationFigures {
  count: number;
  median: number | null;
  p90: number | null;
  /** The legal limit in working days, when the regulation sets one. */
  limitWorkingDays: number | null;
  /** Decisions with a known due time, and the share of them made by it; null when none is known. */
  timed: number;
  withinLimitShare: number | null;
  perBucket: { count: number; median: number | null; p90: number | null; withinLimitShare: number | null }[];
}

export interface WaitingFigures {
  unitCode: string;
  unitName: string;
  serviceCode: string | null;
  serviceName: string | null;
  reports: number;
  mean: number | null;
  median: number | null;
  p90: number | null;
  targetWaitMinutes: number | null;
  /** Share of reports at or under the service's standard (from the histogram); null without a standard. */
  withinTargetShare: number | null;
}

export interface TrendsReport {
  unit: { code: string; name: string; timeZone: string };
  from: string;
  to: string;
  interval: Interval;
  serviceCode: string | null;
  buckets: Bucket[];
  tickets: {
    total: number[];
    byKind: Record<string, number[]>;
    byCategory: Record<string, number[]>;
    resolved: number[];
  };
  compliments: number[];
  waiting: {
    overall: Omit<
      WaitingFigures,
      'unitCode' | 'unitName' | 'serviceCode' | 'serviceName' | 'targetWaitMinutes' | 'withinTargetShare'
    >;
    perBucket: { reports: number; median: number | null; p90: number | null }[];
    byService: WaitingFigures[];
  };
  durations: { verify: DurationFigures; followUp: DurationFigures; resolve: DurationFigures };
  reopen: { reopened: number; resolved: number; rate: number | null; perBucket: (number | null)[] };
  rating: { count: number; mean: number | null; perBucket: { count: number; mean: number | null }[] };
  ikm: { respondents: number; ikm: number | null; grade: Grade | null; label: string | null }[];
}

/** ISO week label of a local day: 'YYYY-Www'. */
function isoWeek(day: string): string {
  const weekday = (dayOfWeek(day) + 6) % 7; // Monday 0
  const thursday = addDays(day, 3 - weekday);
  const year = Number(thursday.slice(0, 4));
  const week =
    Math.floor((dateOfDay(thursday).getTime() - dateOfDay(`${year}-01-01`).getTime()) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The buckets covering the period: calendar months, or ISO weeks from Monday; the first and last may be partial. */
export function bucketsOf(period: Period, interval: Interval): Bucket[] {
  const buckets: Bucket[] = [];
  let day = period.from;
  while (day <= period.to) {
    let key: string;
    let end: string;
    let label: string;
    if (interval === 'month') {
      key = day.slice(0, 7);
      label = key;
      const [year, month] = key.split('-').map(Number) as [number, number];
      const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
      end = addDays(next, -1);
    } else {
      key = addDays(day, -((dayOfWeek(day) + 6) % 7));
      label = isoWeek(day);
      end = addDays(key, 6);
    }
    if (end > period.to) end = period.to;
    buckets.push({ key, label, from: day, to: end });
    day = addDays(end, 1);
  }
  return buckets;
}

const HIST_KINDS = ['wait', 'verify', 'followUp', 'resolve'] as const;
const boundsOf = (kind: (typeof HIST_KINDS)[number]) => (kind === 'wait' ? WAIT_MINUTES_BOUNDS : DURATION_HOURS_BOUNDS);

/** $group fields for every counter of the ticket rollups, with histograms bucket by bucket. */
function ticketSums(): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const count of ['received', 'verified', 'resolved', 'closed', 'rejected', 'merged', 'reopened'])
    fields[`n_${count}`] = { $sum: `$n.${count}` };
  for (const kind of HIST_KINDS)
    boundsOf(kind).forEach((_, index) => (fields[`h_${kind}_${index}`] = { $sum: `$h.${kind}.${index}` }));
  for (const clock of ['verify', 'followUp'])
    for (const part of ['n', 'ok']) fields[`c_${clock}_${part}`] = { $sum: `$clock.${clock}.${part}` };
  fields.waitSum = { $sum: '$waitSum' };
  fields.waitCount = { $sum: '$waitCount' };
  fields.ratingSum = { $sum: '$rating.sum' };
  fields.ratingCount = { $sum: '$rating.count' };
  return fields;
}

type TicketGroup = Record<string, number> & { _id: unknown };

const histogramOf = (group: TicketGroup | undefined, kind: (typeof HIST_KINDS)[number]): Histogram =>
  boundsOf(kind).map((_, index) => group?.[`h_${kind}_${index}`] ?? 0);

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const round = (value: number | null, places = 2) =>
  value === null ? null : Math.round(value * 10 ** places) / 10 ** places;

/** Sums ticket groups (already summed per day) into one. */
function sumGroups(groups: TicketGroup[]): TicketGroup {
  const total: Record<string, number> = {};
  for (const group of groups)
    for (const [key, value] of Object.entries(group))
      if (key !== '_id' && typeof value === 'number') total[key] = (total[key] ?? 0) + value;
  return total as TicketGroup;
}

function durationFigures(
  perBucket: TicketGroup[],
  total: TicketGroup,
  kind: 'verify' | 'followUp' | 'resolve',
  limitWorkingDays: number | null,
): DurationFigures {
  const figures = (group: TicketGroup) => {
    const histogram = histogramOf(group, kind);
    const clock = kind === 'resolve' ? null : kind;
    return {
      count: countOf(histogram),
      median: round(quantile(histogram, 0.5, DURATION_HOURS_BOUNDS)),
      p90: round(quantile(histogram, 0.9, DURATION_HOURS_BOUNDS)),
      timed: clock ? (group[`c_${clock}_n`] ?? 0) : 0,
      withinLimitShare: clock ? share(group[`c_${clock}_ok`] ?? 0, group[`c_${clock}_n`] ?? 0) : null,
    };
  };
  const all = figures(total);
  return {
    ...all,
    limitWorkingDays,
    perBucket: perBucket.map((group) => {
      const { count, median, p90, withinLimitShare } = figures(group);
      return { count, median, p90, withinLimitShare };
    }),
  };
}

interface UnitMonthDoc {
  day: string;
  unitId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  n?: Record<string, number>;
  h?: Record<string, Record<string, number>>;
  clock?: Record<string, Record<string, number>>;
  rating?: { sum?: number; count?: number };
  waitSum?: number;
  waitCount?: number;
  kinds?: Record<string, number>;
  categories?: Record<string, number>;
  services?: Record<string, { h?: { wait?: Record<string, number> }; waitSum?: number; waitCount?: number }>;
}

/**
 * The unit summaries of a scope over the period: whole months from the unit-month documents (when `allowMonthly`),
 * the other days from the unit-day documents. Each carries its `day` (a month's first day for a month).
 */
function unitSummaryDocs(scope: Record<string, unknown>, period: Period, allowMonthly = true): Promise<UnitMonthDoc[]> {
  const key = JSON.stringify(['summaries', scope, period, allowMonthly]);
  return rollupReads.get(key, () => readUnitSummaries(scope, period, allowMonthly)) as Promise<UnitMonthDoc[]>;
}

async function readUnitSummaries(
  scope: Record<string, unknown>,
  period: Period,
  allowMonthly: boolean,
): Promise<UnitMonthDoc[]> {
  const lists = await Promise.all(
    segmentsOf(period, allowMonthly).map((segment) =>
      (segment.monthly ? TicketUnitMonthRollup : TicketUnitDayRollup).collection
        .find({
          ...scope,
          date: segment.monthly
            ? { $gte: dateOfDay(segment.from), $lte: dateOfDay(`${segment.to.slice(0, 7)}-01`) }
            : { $gte: dateOfDay(segment.from), $lte: dateOfDay(segment.to) },
        })
        .toArray(),
    ),
  );
  return lists.flat() as unknown as UnitMonthDoc[];
}

/** A summary document's counters under the flat names the `$group` stages give them. */
function flatTicketGroup(doc: UnitMonthDoc, id: unknown): TicketGroup {
  const group: Record<string, unknown> = { _id: id };
  for (const [count, value] of Object.entries(doc.n ?? {})) group[`n_${count}`] = value;
  for (const [kind, histogram] of Object.entries(doc.h ?? {}))
    for (const [index, value] of Object.entries(histogram ?? {})) group[`h_${kind}_${index}`] = value;
  for (const [clock, parts] of Object.entries(doc.clock ?? {}))
    for (const [part, value] of Object.entries(parts ?? {})) group[`c_${clock}_${part}`] = value;
  group.waitSum = doc.waitSum ?? 0;
  group.waitCount = doc.waitCount ?? 0;
  group.ratingSum = doc.rating?.sum ?? 0;
  group.ratingCount = doc.rating?.count ?? 0;
  return group as TicketGroup;
}

/**
 * Trends for unit heads and coaches over a period, per week or month: tickets by kind and category, compliments,
 * waiting minutes against the service standard, times to verify / first follow-up / resolve (median, 90th
 * percentile from the histograms, share within the legal limits), reopen rate, citizens' rating, and IKM.
 */
export async function ticketTrends(actor: Actor | null, q: TrendsQuery): Promise<TrendsReport> {
  const unit = await unitOr404(q.unitCode);
  authorise(actor, unit);
  const period = checkPeriod(dayString(q.from, unit.timeZone), dayString(q.to, unit.timeZone));
  const interval: Interval = q.interval === 'week' ? 'week' : 'month';
  const serviceCode = q.serviceCode || null;
  const weights = await weightsFor(unit.agencyCode);
  const key = JSON.stringify([String(unit._id), period, interval, serviceCode, weights]);
  return trendReports.get(key, () => computeTrends(unit, period, interval, serviceCode, weights));
}

/**
 * Whole trend reports shared like the rollup reads they are made of (`rollupReads`): summing a province's year takes
 * about 10 ms of this process's time, which twenty coaches opening the same dashboard spent twenty times. Frozen:
 * callers copy before they change anything. Unit and service names in it may be up to the time to live old.
 */
const trendReports = new SharedAnswers<TrendsReport>({
  ttlMs: 60_000,
  maxEntries: 100,
  version: rollupWrites,
  seal: deepFreeze,
});

async function computeTrends(
  unit: UnitDoc,
  period: Period,
  interval: Interval,
  serviceCode: string | null,
  weights: readonly number[],
): Promise<TrendsReport> {
  const match = scopeMatch(unit, { serviceCode });
  const surveys = await surveyScope(unit, { serviceCode });
  // Whole months come from the monthly rollups when the buckets are months; weeks need the days.
  const monthly = interval === 'month';
  // Without a service filter, whole months come from the unit-month summaries (a few hundred documents a year).
  const summary = !serviceCode;
  const [byDayFine, byKindCategory, byServiceFine, surveysByDay, summaries] = await Promise.all([
    aggregateRollups<TicketGroup>(
      'tickets',
      period,
      match,
      [{ $group: { _id: '$day', ...ticketSums() } }],
      monthly,
      summary,
      summary,
    ),
    aggregateRollups<{ _id: { day: string; kind: string; category: string | null }; received: number }>(
      'tickets',
      period,
      match,
      [{ $group: { _id: { day: '$day', kind: '$kind', category: '$category' }, received: { $sum: '$n.received' } } }],
      monthly,
      summary,
      summary,
    ),
    aggregateRollups<TicketGroup & { _id: { unitId: Types.ObjectId; serviceCode: string | null } }>(
      'tickets',
      period,
      { ...match, waitCount: { $gt: 0 } },
      [
        {
          $group: {
            _id: { unitId: '$unitId', serviceCode: '$serviceCode' },
            waitSum: { $sum: '$waitSum' },
            waitCount: { $sum: '$waitCount' },
            ...Object.fromEntries(
              WAIT_MINUTES_BOUNDS.map((_, index) => [`h_wait_${index}`, { $sum: `$h.wait.${index}` }]),
            ),
          },
        },
      ],
      true,
      summary,
      summary,
    ),
    aggregateRollups<SurveyGroup>(
      surveys.kind,
      period,
      surveys.match,
      [
        {
          $group: {
            _id: '$day',
            respondents: { $sum: '$respondents' },
            ...Object.fromEntries(Array.from({ length: ELEMENT_COUNT }, (_, i) => [`s${i}`, { $sum: `$sums.${i}` }])),
          },
        },
      ],
      monthly,
    ),
    summary ? unitSummaryDocs({ unitPath: unit._id }, period, monthly) : Promise.resolve([] as UnitMonthDoc[]),
  ]);

  const byDay: TicketGroup[] = [...byDayFine];
  const kindRows: { day: string; kind: string; received: number }[] = [];
  const categoryRows: { day: string; category: string; received: number }[] = [];
  for (const { _id, received } of byKindCategory) {
    kindRows.push({ day: _id.day, kind: _id.kind, received });
    categoryRows.push({ day: _id.day, category: _id.category ?? 'none', received });
  }
  const byService: (TicketGroup & { _id: { unitId: Types.ObjectId; serviceCode: string | null } })[] = [
    ...byServiceFine,
  ];
  for (const doc of summaries) {
    {
      byDay.push(flatTicketGroup(doc, doc.day));
      for (const [kind, received] of Object.entries(doc.kinds ?? {})) kindRows.push({ day: doc.day, kind, received });
      for (const [category, received] of Object.entries(doc.categories ?? {}))
        categoryRows.push({ day: doc.day, category, received });
    }
    for (const [code, figures] of Object.entries(doc.services ?? {})) {
      const group: Record<string, unknown> = {
        _id: { unitId: doc.unitId, serviceCode: code === '-' ? null : code },
        waitSum: figures.waitSum ?? 0,
        waitCount: figures.waitCount ?? 0,
      };
      for (const [index, value] of Object.entries(figures.h?.wait ?? {})) group[`h_wait_${index}`] = value;
      byService.push(group as TicketGroup & { _id: { unitId: Types.ObjectId; serviceCode: string | null } });
    }
  }
  // The same unit and service from daily and monthly stretches is one row.
  const serviceRows = new Map<string, (typeof byService)[number]>();
  for (const group of byService) {
    const key = `${String(group._id.unitId)}|${group._id.serviceCode ?? '-'}`;
    const into = serviceRows.get(key);
    if (!into) serviceRows.set(key, { ...group });
    else
      for (const [field, value] of Object.entries(group))
        if (typeof value === 'number') (into as Record<string, unknown>)[field] = Number(into[field] ?? 0) + value;
  }

  const buckets = bucketsOf(period, interval);
  const bucketIndex = (day: string) => buckets.findIndex((bucket) => bucket.from <= day && day <= bucket.to);
  const perBucket: TicketGroup[][] = buckets.map(() => []);
  for (const group of byDay) {
    const index = bucketIndex(String(group._id));
    if (index >= 0) perBucket[index]!.push(group);
  }
  const bucketSums = perBucket.map(sumGroups);
  const total = sumGroups(bucketSums);

  const zeros = () => buckets.map(() => 0);
  const byKind: Record<string, number[]> = Object.fromEntries(kinds.map((kind) => [kind, zeros()]));
  const byCategory: Record<string, number[]> = {};
  for (const { day, kind, received } of kindRows) {
    const index = bucketIndex(day);
    if (index >= 0 && received) (byKind[kind] ??= zeros())[index]! += received;
  }
  for (const { day, category, received } of categoryRows) {
    const index = bucketIndex(day);
    if (index >= 0 && received) (byCategory[category] ??= zeros())[index]! += received;
  }

  const surveyBuckets = buckets.map(() => ({ respondents: 0, totals: Array.from({ length: ELEMENT_COUNT }, () => 0) }));
  for (const group of surveysByDay) {
    const index = bucketIndex(String(group._id));
    if (index < 0) continue;
    surveyBuckets[index]!.respondents += group.respondents ?? 0;
    totalsOf(group).forEach((value, element) => (surveyBuckets[index]!.totals[element]! += value));
  }

  const serviceGroups = [...serviceRows.values()].filter((group) => Number(group.waitCount ?? 0) > 0);
  const unitIds = [...new Set(serviceGroups.map((group) => String(group._id.unitId)))];
  const units = await Unit.find({ _id: { $in: unitIds } })
    .select({ code: 1, name: 1, services: 1 })
    .lean<Pick<UnitDoc, '_id' | 'code' | 'name' | 'services'>[]>();
  const unitById = new Map(units.map((u) => [String(u._id), u]));
  const waitFigures = (group: TicketGroup) => {
    const histogram = histogramOf(group, 'wait');
    const reports = countOf(histogram);
    return {
      reports,
      mean: reports ? round((group.waitSum ?? 0) / reports) : null,
      median: round(quantile(histogram, 0.5, WAIT_MINUTES_BOUNDS)),
      p90: round(quantile(histogram, 0.9, WAIT_MINUTES_BOUNDS)),
      histogram,
    };
  };
  const byServiceFigures: WaitingFigures[] = serviceGroups
    .map((group) => {
      const owner = unitById.get(String(group._id.unitId));
      const service = owner?.services.find((s) => s.code === group._id.serviceCode);
      const target = service?.targetWaitMinutes ?? null;
      const { histogram, ...figures } = waitFigures(group);
      return {
        unitCode: owner?.code ?? String(group._id.unitId),
        unitName: owner?.name ?? '',
        serviceCode: group._id.serviceCode ?? null,
        serviceName: service?.name ?? null,
        ...figures,
        targetWaitMinutes: target,
        withinTargetShare:
          target === null
            ? null
            : round(share(countAtMost(histogram, target, WAIT_MINUTES_BOUNDS), figures.reports), 4),
      };
    })
    .sort((a, b) => a.unitCode.localeCompare(b.unitCode) || String(a.serviceCode).localeCompare(String(b.serviceCode)));
  const { histogram: _overall, ...overall } = waitFigures(total);
  void _overall;

  return {
    unit: { code: unit.code, name: unit.name, timeZone: unit.timeZone },
    from: period.from,
    to: period.to,
    interval,
    serviceCode,
    buckets,
    tickets: {
      total: bucketSums.map((group) => group.n_received ?? 0),
      byKind,
      byCategory,
      resolved: bucketSums.map((group) => group.n_resolved ?? 0),
    },
    compliments: byKind.compliment ?? zeros(),
    waiting: {
      overall,
      perBucket: bucketSums.map((group) => {
        const { reports, median, p90 } = waitFigures(group);
        return { reports, median, p90 };
      }),
      byService: byServiceFigures,
    },
    durations: {
      verify: durationFigures(bucketSums, total, 'verify', clockDefaults.verifyWorkingDays),
      followUp: durationFigures(bucketSums, total, 'followUp', clockDefaults.followUpWorkingDays),
      resolve: durationFigures(bucketSums, total, 'resolve', null),
    },
    reopen: {
      reopened: total.n_reopened ?? 0,
      resolved: total.n_resolved ?? 0,
      rate: round(share(total.n_reopened ?? 0, total.n_resolved ?? 0), 4),
      perBucket: bucketSums.map((group) => round(share(group.n_reopened ?? 0, group.n_resolved ?? 0), 4)),
    },
    rating: {
      count: total.ratingCount ?? 0,
      mean: round(share(total.ratingSum ?? 0, total.ratingCount ?? 0)),
      perBucket: bucketSums.map((group) => ({
        count: group.ratingCount ?? 0,
        mean: round(share(group.ratingSum ?? 0, group.ratingCount ?? 0)),
      })),
    },
    ikm: surveyBuckets.map(({ respondents, totals }) => {
      const result = ikmFrom(totals, respondents, weights);
      return { respondents, ikm: result.display, grade: result.grade, label: result.label };
    }),
  };
}

// ---- Transparency -------------------------------------------------------------------------------------------------

export interface TransparencyUnit {
  code: string;
  name: string;
  agencyCode: string;
  /** The unit's figures include every unit below it. */
  ikm: number | null;
  grade: Grade | null;
  label: string | null;
  respondents: number;
  /** Krejcie–Morgan minimum sample for the unit's yearly service users; null when that number is not known. */
  minimumSample: number | null;
  /** Fewer answers than the minimum sample: the index is provisional, not a final grade. */
  sampleTooSmall: boolean;
  received: number;
  resolved: number;
  /** Share of first follow-ups given within the legal limit (of those with a known due time); null when none. */
  answeredInTimeShare: number | null;
  medianResolveHours: number | null;
}

/** One row per unit, in tree order; every row carries the period it covers. */
export type TransparencyFigures = (TransparencyUnit & { from: string; to: string })[];

/**
 * Public figures per unit (no sign-in, no personal data): for one unit and every unit below it, or for every active
 * unit; each unit's figures are its subtree's. Default period: the quarter to date (of the latest local today).
 */
export async function transparencyFigures(
  unitCode?: string | null,
  range: { from?: Date | string; to?: Date | string } = {},
): Promise<TransparencyFigures> {
  const root = unitCode ? await unitOr404(unitCode) : null;
  const units = await Unit.find(root ? { path: root._id, active: true } : { active: true })
    .select({ code: 1, name: 1, agencyCode: 1, path: 1, timeZone: 1, population: 1 })
    .lean<Pick<UnitDoc, '_id' | 'code' | 'name' | 'agencyCode' | 'path' | 'timeZone' | 'population'>[]>();
  units.sort((a, b) => a.path.map(String).join('/').localeCompare(b.path.map(String).join('/')));
  // The latest local today among the units' zones: a unit in WIT is already on tomorrow while WIB is not.
  const zones = new Set([root?.timeZone ?? 'Asia/Jakarta', ...units.map((unit) => unit.timeZone)]);
  const fallback = quarterToDate(
    [...zones]
      .map((zone) => todayIn(zone))
      .sort()
      .at(-1)!,
  );
  const period = checkPeriod(
    range.from ? dayString(range.from, [...zones][0]!) : fallback.from,
    range.to ? dayString(range.to, [...zones][0]!) : fallback.to,
  );
  const scope = root ? { unitPath: root._id } : {};
  const [ticketsFine, surveys, summaries] = await Promise.all([
    aggregateRollups<TicketGroup & { unitPath: Types.ObjectId[] }>(
      'tickets',
      period,
      scope,
      [
        {
          $group: {
            _id: '$unitId',
            unitPath: { $first: '$unitPath' },
            n_received: { $sum: '$n.received' },
            n_resolved: { $sum: '$n.resolved' },
            c_followUp_n: { $sum: '$clock.followUp.n' },
            c_followUp_ok: { $sum: '$clock.followUp.ok' },
            ...Object.fromEntries(
              DURATION_HOURS_BOUNDS.map((_, index) => [`h_resolve_${index}`, { $sum: `$h.resolve.${index}` }]),
            ),
          },
        },
      ],
      true,
      true,
      true,
    ),
    aggregateRollups<SurveyGroup & { unitPath: Types.ObjectId[] }>('surveys', period, scope, [
      {
        $group: {
          _id: '$unitId',
          unitPath: { $first: '$unitPath' },
          respondents: { $sum: '$respondents' },
          ...Object.fromEntries(Array.from({ length: ELEMENT_COUNT }, (_, i) => [`s${i}`, { $sum: `$sums.${i}` }])),
        },
      },
    ]),
    unitSummaryDocs(scope, period),
  ]);
  // Ticket figures from the unit summaries (whole months, and the days of the partial ones).
  const tickets: (TicketGroup & { unitPath: Types.ObjectId[] })[] = [
    ...ticketsFine,
    ...summaries.map((doc) => Object.assign(flatTicketGroup(doc, doc.unitId), { unitPath: doc.unitPath })),
  ];
  const agencyWeights = new Map<string, readonly number[]>();
  for (const agencyCode of new Set(units.map((u) => u.agencyCode)))
    agencyWeights.set(agencyCode, await weightsFor(agencyCode));

  const within = <T extends { unitPath: Types.ObjectId[] }>(groups: T[], unitId: Types.ObjectId) =>
    groups.filter((group) => group.unitPath.some((id) => String(id) === String(unitId)));
  return units.map((unit) => {
    const ticketGroup = sumGroups(within(tickets, unit._id).map(({ unitPath: _path, ...rest }) => rest as TicketGroup));
    const surveyGroups = within(surveys, unit._id);
    const respondents = surveyGroups.reduce((sum, group) => sum + (group.respondents ?? 0), 0);
    const totals = Array.from({ length: ELEMENT_COUNT }, (_, i) =>
      surveyGroups.reduce((sum, group) => sum + (group[`s${i}`] ?? 0), 0),
    );
    const result = ikmFrom(totals, respondents, agencyWeights.get(unit.agencyCode) ?? EQUAL_WEIGHTS);
    const minimum = unit.population ? minimumSample(unit.population) : null;
    // No answers, no index: a grade is never shown for an empty period.
    const answered = respondents > 0;
    return {
      code: unit.code,
      name: unit.name,
      agencyCode: unit.agencyCode,
      from: period.from,
      to: period.to,
      ikm: answered ? result.display : null,
      grade: answered ? result.grade : null,
      label: answered ? result.label : null,
      respondents,
      minimumSample: minimum,
      sampleTooSmall: answered && minimum !== null && respondents < minimum,
      received: ticketGroup.n_received ?? 0,
      resolved: ticketGroup.n_resolved ?? 0,
      answeredInTimeShare: round(share(ticketGroup.c_followUp_ok ?? 0, ticketGroup.c_followUp_n ?? 0), 4),
      medianResolveHours: round(quantile(histogramOf(ticketGroup, 'resolve'), 0.5, DURATION_HOURS_BOUNDS)),
    };
  });
}

// ---- The hall display ---------------------------------------------------------------------------------------------

export interface DisplayFigures {
  unit: { code: string; name: string; timeZone: string };
  /** The agency-local day the count is for. */
  today: string;
  todaySurveys: number;
  from: string;
  to: string;
  ikm: number | null;
  grade: Grade | null;
  label: string | null;
  respondents: number;
}

/** What the screen in a service hall shows: today's answers (local day) and the quarter's IKM. No personal data. */
export async function displayFigures(unitCode: string, now = new Date()): Promise<DisplayFigures> {
  const unit = await unitOr404(unitCode);
  if (!unit.active) throw new AppError('not_found', 'analytics.unknown_unit');
  const today = todayIn(unit.timeZone, now);
  const period = quarterToDate(today);
  const [report, todays] = await Promise.all([
    ikmReport(null, { unitCode: unit.code, ...period }),
    SurveyRollup.aggregate<{ respondents: number }>([
      { $match: { unitPath: unit._id, date: dateOfDay(today) } },
      { $group: { _id: null, respondents: { $sum: '$respondents' } } },
    ]),
  ]);
  return {
    unit: { code: unit.code, name: unit.name, timeZone: unit.timeZone },
    today,
    todaySurveys: todays[0]?.respondents ?? 0,
    from: period.from,
    to: period.to,
    ikm: report.ikm,
    grade: report.grade,
    label: report.label,
    respondents: report.respondents,
  };
}

/** The default period of the API: this quarter to date in the unit's time zone. */
export async function defaultPeriod(unitCode: string): Promise<Period> {
  const unit = await findUnitByCode(unitCode);
  return quarterToDate(todayIn(unit?.timeZone ?? 'Asia/Jakarta'));
}
