import type { Types } from 'mongoose';
import { endOfLocalDay, startOfLocalDay } from '../../../platform/calendar.js';
import { deepFreeze, SharedAnswers } from '../../../platform/shared-answers.js';
import { type Actor } from '../../../platform/access.js';
import { unitsNamed, type UnitDoc, type UnitNaming } from '../../directory/index.js';
import { clockLengthsFor, kinds, ticketChannels, ticketsPerChannel } from '../../feedback/index.js';
import { ELEMENT_COUNT, type Grade } from '../../surveys/index.js';
import { checkPeriod, dayString, type Period } from '../shared/days.js';
import {
  histogramOf,
  ikmFrom,
  round,
  share,
  sumGroups,
  ticketSums,
  totalsOf,
  flatTicketGroup,
  type SurveyGroup,
  type TicketGroup,
} from '../shared/groups.js';
import { countAtMost, countOf, DURATION_HOURS_BOUNDS, quantile, WAIT_MINUTES_BOUNDS } from '../shared/histogram.js';
import {
  aggregateRollups,
  authorise,
  scopeMatch,
  surveyScope,
  unitOr404,
  unitSummaryDocs,
  type UnitMonthDoc,
} from '../shared/rollup-reads.js';
import { rollupWrites } from '../rollups/writes.js';
import { weightsFor } from '../shared/settings.js';
import { bucketsOf, type Bucket, type Interval } from './buckets.js';

export type { Bucket, Interval } from './buckets.js';

/**
 * Trends for unit heads and coaches (trends/view.ts shows them): read from the rollups (shared/rollup-reads.ts).
 */

export interface TrendsQuery {
  unitCode: string;
  from: Date | string;
  to: Date | string;
  interval: Interval;
  serviceCode?: string | null;
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
    /** Received per channel (web form, counter, phone, letter, WhatsApp...): a row per channel that had any. */
    byChannel: Record<string, number[]>;
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

type ServiceGroup = TicketGroup & { _id: { unitId: Types.ObjectId; serviceCode: string | null } };
type KindCategoryGroup = { _id: { day: string; kind: string; category: string | null }; received: number };

/** What a trend report is made of: per-day ticket groups, kind and category counts, waiting per service, answers. */
interface TrendRows {
  byDay: TicketGroup[];
  kindRows: { day: string; kind: string; received: number }[];
  categoryRows: { day: string; category: string; received: number }[];
  byService: ServiceGroup[];
  surveysByDay: SurveyGroup[];
}

/** Waiting per unit × service: the sums and the waiting histogram. */
const serviceWaitStages = [
  {
    $group: {
      _id: { unitId: '$unitId', serviceCode: '$serviceCode' },
      waitSum: { $sum: '$waitSum' },
      waitCount: { $sum: '$waitCount' },
      ...Object.fromEntries(WAIT_MINUTES_BOUNDS.map((_, index) => [`h_wait_${index}`, { $sum: `$h.wait.${index}` }])),
    },
  },
];

/**
 * Reads the rollups a trend report needs. Whole months come from the monthly rollups when the buckets are months
 * (weeks need the days); without a service filter, whole months come from the unit-month summaries (a few hundred
 * documents a year) and the fine rollups are read for nothing else.
 */
async function readTrendRows(unit: UnitDoc, period: Period, interval: Interval, serviceCode: string | null) {
  const match = scopeMatch(unit, { serviceCode });
  const surveys = await surveyScope(unit, { serviceCode });
  const monthly = interval === 'month';
  const summary = !serviceCode;
  const [byDay, byKindCategory, byService, surveysByDay, summaries] = await Promise.all([
    aggregateRollups<TicketGroup>(
      'tickets',
      period,
      match,
      [{ $group: { _id: '$day', ...ticketSums() } }],
      monthly,
      summary,
      summary,
    ),
    aggregateRollups<KindCategoryGroup>(
      'tickets',
      period,
      match,
      [{ $group: { _id: { day: '$day', kind: '$kind', category: '$category' }, received: { $sum: '$n.received' } } }],
      monthly,
      summary,
      summary,
    ),
    aggregateRollups<ServiceGroup>(
      'tickets',
      period,
      { ...match, waitCount: { $gt: 0 } },
      serviceWaitStages,
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
  const rows: TrendRows = {
    byDay: [...byDay],
    kindRows: [],
    categoryRows: [],
    byService: [...byService],
    surveysByDay,
  };
  for (const { _id, received } of byKindCategory) {
    rows.kindRows.push({ day: _id.day, kind: _id.kind, received });
    rows.categoryRows.push({ day: _id.day, category: _id.category ?? 'none', received });
  }
  for (const doc of summaries) addSummary(rows, doc);
  return rows;
}

/** A unit summary document's share of the rows: its counters, kinds, categories and waiting per service. */
function addSummary(rows: TrendRows, doc: UnitMonthDoc): void {
  rows.byDay.push(flatTicketGroup(doc, doc.day));
  for (const [kind, received] of Object.entries(doc.kinds ?? {})) rows.kindRows.push({ day: doc.day, kind, received });
  for (const [category, received] of Object.entries(doc.categories ?? {}))
    rows.categoryRows.push({ day: doc.day, category, received });
  for (const [code, figures] of Object.entries(doc.services ?? {})) {
    const group: Record<string, unknown> = {
      _id: { unitId: doc.unitId, serviceCode: code === '-' ? null : code },
      waitSum: figures.waitSum ?? 0,
      waitCount: figures.waitCount ?? 0,
    };
    for (const [index, value] of Object.entries(figures.h?.wait ?? {})) group[`h_wait_${index}`] = value;
    rows.byService.push(group as ServiceGroup);
  }
}

/** The same unit and service from daily and monthly stretches is one row; rows without reports are left out. */
function mergeServiceRows(groups: ServiceGroup[]): ServiceGroup[] {
  const rows = new Map<string, ServiceGroup>();
  for (const group of groups) {
    const key = `${String(group._id.unitId)}|${group._id.serviceCode ?? '-'}`;
    const into = rows.get(key);
    if (!into) rows.set(key, { ...group });
    else
      for (const [field, value] of Object.entries(group))
        if (typeof value === 'number') (into as Record<string, unknown>)[field] = Number(into[field] ?? 0) + value;
  }
  return [...rows.values()].filter((group) => Number(group.waitCount ?? 0) > 0);
}

/** Waiting figures of a group: reports, mean, median and 90th percentile minutes, and the histogram. */
function waitFigures(group: TicketGroup) {
  const histogram = histogramOf(group, 'wait');
  const reports = countOf(histogram);
  return {
    reports,
    mean: reports ? round((group.waitSum ?? 0) / reports) : null,
    median: round(quantile(histogram, 0.5, WAIT_MINUTES_BOUNDS)),
    p90: round(quantile(histogram, 0.9, WAIT_MINUTES_BOUNDS)),
    histogram,
  };
}

/** Waiting per unit and service against the service's standard, by unit code and service code. */
async function waitingByService(groups: ServiceGroup[]): Promise<WaitingFigures[]> {
  const units = await unitsNamed([...new Set(groups.map((group) => String(group._id.unitId)))]);
  const unitById = new Map<string, UnitNaming>(units.map((u) => [String(u._id), u]));
  return groups
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
}

/** The rows spread over the buckets: ticket sums per bucket, kind and category counts, survey totals. */
function perBucket(rows: TrendRows, buckets: Bucket[]) {
  const bucketIndex = (day: string) => buckets.findIndex((bucket) => bucket.from <= day && day <= bucket.to);
  const grouped: TicketGroup[][] = buckets.map(() => []);
  for (const group of rows.byDay) {
    const index = bucketIndex(String(group._id));
    if (index >= 0) grouped[index]!.push(group);
  }
  const zeros = () => buckets.map(() => 0);
  const byKind: Record<string, number[]> = Object.fromEntries(kinds.map((kind) => [kind, zeros()]));
  const byCategory: Record<string, number[]> = {};
  for (const { day, kind, received } of rows.kindRows) {
    const index = bucketIndex(day);
    if (index >= 0 && received) (byKind[kind] ??= zeros())[index]! += received;
  }
  for (const { day, category, received } of rows.categoryRows) {
    const index = bucketIndex(day);
    if (index >= 0 && received) (byCategory[category] ??= zeros())[index]! += received;
  }
  const surveys = buckets.map(() => ({ respondents: 0, totals: Array.from({ length: ELEMENT_COUNT }, () => 0) }));
  for (const group of rows.surveysByDay) {
    const index = bucketIndex(String(group._id));
    if (index < 0) continue;
    surveys[index]!.respondents += group.respondents ?? 0;
    totalsOf(group).forEach((value, element) => (surveys[index]!.totals[element]! += value));
  }
  return { sums: grouped.map(sumGroups), byKind, byCategory, surveys, zeros };
}

/** Tickets received per bucket and channel, in the channels' order; channels with none are left out. */
async function channelsPerBucket(unit: UnitDoc, period: Period, buckets: Bucket[], serviceCode: string | null) {
  const rows = await ticketsPerChannel({
    unitId: String(unit._id),
    serviceCode,
    from: startOfLocalDay(period.from, unit.timeZone),
    to: endOfLocalDay(period.to, unit.timeZone),
    timeZone: unit.timeZone,
  });
  const byChannel: Record<string, number[]> = {};
  for (const channel of ticketChannels)
    for (const { day, received } of rows.filter((row) => row.channel === channel)) {
      const index = buckets.findIndex((bucket) => bucket.from <= day && day <= bucket.to);
      if (index >= 0) (byChannel[channel] ??= buckets.map(() => 0))[index]! += received;
    }
  return byChannel;
}

async function computeTrends(
  unit: UnitDoc,
  period: Period,
  interval: Interval,
  serviceCode: string | null,
  weights: readonly number[],
): Promise<TrendsReport> {
  const lengths = await clockLengthsFor(unit.agencyCode);
  const rows = await readTrendRows(unit, period, interval, serviceCode);
  const buckets = bucketsOf(period, interval);
  const { sums, byKind, byCategory, surveys, zeros } = perBucket(rows, buckets);
  const total = sumGroups(sums);
  const byChannel = await channelsPerBucket(unit, period, buckets, serviceCode);
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
      total: sums.map((group) => group.n_received ?? 0),
      byKind,
      byCategory,
      byChannel,
      resolved: sums.map((group) => group.n_resolved ?? 0),
    },
    compliments: byKind.compliment ?? zeros(),
    waiting: {
      overall,
      perBucket: sums.map((group) => {
        const { reports, median, p90 } = waitFigures(group);
        return { reports, median, p90 };
      }),
      byService: await waitingByService(mergeServiceRows(rows.byService)),
    },
    durations: {
      // Each ticket is judged against the deadline it had (the rollups count it); the limit shown is the agency's now.
      verify: durationFigures(sums, total, 'verify', lengths.verifyWorkingDays),
      followUp: durationFigures(sums, total, 'followUp', lengths.followUpWorkingDays),
      resolve: durationFigures(sums, total, 'resolve', null),
    },
    reopen: {
      reopened: total.n_reopened ?? 0,
      resolved: total.n_resolved ?? 0,
      rate: round(share(total.n_reopened ?? 0, total.n_resolved ?? 0), 4),
      perBucket: sums.map((group) => round(share(group.n_reopened ?? 0, group.n_resolved ?? 0), 4)),
    },
    rating: {
      count: total.ratingCount ?? 0,
      mean: round(share(total.ratingSum ?? 0, total.ratingCount ?? 0)),
      perBucket: sums.map((group) => ({
        count: group.ratingCount ?? 0,
        mean: round(share(group.ratingSum ?? 0, group.ratingCount ?? 0)),
      })),
    },
    ikm: surveys.map(({ respondents, totals }) => {
      const result = ikmFrom(totals, respondents, weights);
      return { respondents, ikm: result.display, grade: result.grade, label: result.label };
    }),
  };
}
