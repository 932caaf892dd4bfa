import { type Actor } from '../../../platform/access.js';
import { categoryNames } from '../../feedback/index.js';
import { toCsv } from '../ikm/exports.js';
import type { Period } from '../shared/period.js';
import { ticketTrends, type DurationFigures, type TrendsReport } from './report.js';

/**
 * The trends page as tables, each with the chart drawn from it: the table is what the page says without JavaScript
 * and what its CSV download holds; public/js/charts.js draws the chart from the same numbers.
 */

type Translate = (key: string, params?: Record<string, unknown>) => string;
type Cell = string | number;

export interface TrendChart {
  id: string;
  type: 'bar' | 'line';
  stacked?: boolean;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

export interface TrendTable {
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
  chart: TrendChart | null;
}

const num = (value: number | null | undefined, places = 1): Cell =>
  value === null || value === undefined ? '' : Number(value.toFixed(places));
const pct = (share: number | null | undefined): Cell =>
  share === null || share === undefined ? '' : Number((share * 100).toFixed(1));

export async function trendsView(actor: Actor, period: Period, t: Translate, lang: 'id' | 'en' = 'id') {
  const report = await ticketTrends(actor, {
    unitCode: period.unit.code,
    from: period.fromDay,
    to: period.toDay,
    interval: period.interval,
    serviceCode: period.serviceCode,
  });
  // Every category by name, the deactivated ones and the agencies' own included: old tickets keep theirs.
  const names = await categoryNames();
  const categoryName = (code: string) => names.get(code)?.[lang as 'id' | 'en'] ?? code;
  return { report, tables: tablesOf(report, t, categoryName) };
}

/** What every table is drawn from: the report, the translations, the buckets' labels and the period column's title. */
interface TableContext {
  report: TrendsReport;
  t: Translate;
  labels: string[];
  period: string;
  categoryName: (code: string) => string;
}

/** The three legal clocks, with their names. */
const clocksOf = (t: Translate): ['verify' | 'followUp' | 'resolve', string][] => [
  ['verify', t('analytics.pages.clock_verify')],
  ['followUp', t('analytics.pages.clock_follow_up')],
  ['resolve', t('analytics.pages.clock_resolve')],
];

/** Tickets received per bucket by kind, with the total and those resolved. */
function ticketsTable({ report, t, labels, period }: TableContext): TrendTable {
  const kinds = Object.keys(report.tickets.byKind);
  return {
    id: 'tickets',
    title: t('analytics.pages.trend_tickets'),
    columns: [
      period,
      ...kinds.map((kind) => t(`feedback.kind.${kind}`)),
      t('analytics.pages.total'),
      t('analytics.pages.resolved'),
    ],
    rows: labels.map((label, index) => [
      label,
      ...kinds.map((kind) => report.tickets.byKind[kind]![index] ?? 0),
      report.tickets.total[index] ?? 0,
      report.tickets.resolved[index] ?? 0,
    ]),
    chart: {
      id: 'tickets',
      type: 'bar',
      stacked: true,
      labels,
      datasets: kinds.map((kind) => ({ label: t(`feedback.kind.${kind}`), data: report.tickets.byKind[kind]! })),
    },
  };
}

/** Tickets received per bucket by category. */
function categoriesTable({ report, t, labels, period, categoryName }: TableContext): TrendTable {
  const categories = Object.keys(report.tickets.byCategory);
  return {
    id: 'categories',
    title: t('analytics.pages.trend_categories'),
    columns: [period, ...categories.map(categoryName)],
    rows: labels.map((label, index) => [
      label,
      ...categories.map((code) => report.tickets.byCategory[code]![index] ?? 0),
    ]),
    chart: {
      id: 'categories',
      type: 'bar',
      stacked: true,
      labels,
      datasets: categories.map((code) => ({ label: categoryName(code), data: report.tickets.byCategory[code]! })),
    },
  };
}

/** Tickets received per bucket by the channel they came by (the citizen's form, a call, a letter...). */
function channelsTable({ report, t, labels, period }: TableContext): TrendTable {
  const channels = Object.keys(report.tickets.byChannel);
  return {
    id: 'channels',
    title: t('analytics.pages.trend_channels'),
    columns: [period, ...channels.map((channel) => t(`feedback.channel.${channel}`))],
    rows: labels.map((label, index) => [
      label,
      ...channels.map((channel) => report.tickets.byChannel[channel]![index] ?? 0),
    ]),
    chart: {
      id: 'channels',
      type: 'bar',
      stacked: true,
      labels,
      datasets: channels.map((channel) => ({
        label: t(`feedback.channel.${channel}`),
        data: report.tickets.byChannel[channel]!,
      })),
    },
  };
}

/** Compliments per bucket. */
function complimentsTable({ report, t, labels, period }: TableContext): TrendTable {
  return {
    id: 'compliments',
    title: t('analytics.pages.trend_compliments'),
    columns: [period, t('feedback.kind.compliment')],
    rows: labels.map((label, index) => [label, report.compliments[index] ?? 0]),
    chart: {
      id: 'compliments',
      type: 'line',
      labels,
      datasets: [{ label: t('feedback.kind.compliment'), data: report.compliments }],
    },
  };
}

/** Citizens’ reported waiting per bucket: reports, median and 90th percentile minutes. */
function waitingTable({ report, t, labels, period }: TableContext): TrendTable {
  return {
    id: 'waiting',
    title: t('analytics.pages.trend_waiting'),
    columns: [
      period,
      t('analytics.pages.col_reports'),
      t('analytics.pages.col_median_min'),
      t('analytics.pages.col_p90_min'),
    ],
    rows: labels.map((label, index) => {
      const bucket = report.waiting.perBucket[index];
      return [label, bucket?.reports ?? 0, num(bucket?.median), num(bucket?.p90)];
    }),
    chart: {
      id: 'waiting',
      type: 'line',
      labels,
      datasets: [
        { label: t('analytics.pages.col_median_min'), data: report.waiting.perBucket.map((bucket) => bucket.median) },
        { label: t('analytics.pages.col_p90_min'), data: report.waiting.perBucket.map((bucket) => bucket.p90) },
      ],
    },
  };
}

/** Waiting per unit and service against the service’s standard. */
function waitingServicesTable({ report, t }: TableContext): TrendTable {
  return {
    id: 'waiting_services',
    title: t('analytics.pages.trend_waiting_services'),
    columns: [
      t('feedback.unit'),
      t('analytics.pages.service'),
      t('analytics.pages.col_reports'),
      t('analytics.pages.col_median_min'),
      t('analytics.pages.col_p90_min'),
      t('analytics.pages.col_target_min'),
      t('analytics.pages.col_within_target'),
    ],
    rows: report.waiting.byService.map((entry) => [
      entry.unitName,
      entry.serviceName ?? entry.serviceCode ?? '—',
      entry.reports,
      num(entry.median),
      num(entry.p90),
      entry.targetWaitMinutes ?? '',
      pct(entry.withinTargetShare),
    ]),
    chart: report.waiting.byService.length
      ? {
          id: 'waiting_services',
          type: 'bar',
          labels: report.waiting.byService.map((entry) => entry.serviceName ?? entry.serviceCode ?? entry.unitName),
          datasets: [
            {
              label: t('analytics.pages.col_median_min'),
              data: report.waiting.byService.map((entry) => entry.median),
            },
            { label: t('analytics.pages.col_p90_min'), data: report.waiting.byService.map((entry) => entry.p90) },
            {
              label: t('analytics.pages.col_target_min'),
              data: report.waiting.byService.map((entry) => entry.targetWaitMinutes),
            },
          ],
        }
      : null,
  };
}

/** Times to verify, to the first response and to resolve, against the legal limits. */
function durationsTable({ report, t, labels }: TableContext): TrendTable {
  const clocks = clocksOf(t);
  const durationRow = (name: string, figures: DurationFigures): Cell[] => [
    name,
    figures.count,
    num(figures.median),
    num(figures.p90),
    figures.limitWorkingDays ?? '',
    pct(figures.withinLimitShare),
  ];
  return {
    id: 'durations',
    title: t('analytics.pages.trend_durations'),
    columns: [
      t('analytics.pages.col_clock'),
      t('analytics.pages.col_count'),
      t('analytics.pages.col_median_h'),
      t('analytics.pages.col_p90_h'),
      t('analytics.pages.col_limit_days'),
      t('analytics.pages.col_within_limit'),
    ],
    rows: clocks.map(([key, name]) => durationRow(name, report.durations[key])),
    chart: {
      id: 'durations',
      type: 'line',
      labels,
      datasets: clocks.map(([key, name]) => ({
        label: `${name} (${t('analytics.pages.col_median_h')})`,
        data: report.durations[key].perBucket.map((bucket) => bucket.median),
      })),
    },
  };
}

/** Share within the legal limit per bucket, clock by clock. */
function inTimeTable({ report, t, labels, period }: TableContext): TrendTable {
  const clocks = clocksOf(t);
  return {
    id: 'in_time',
    title: t('analytics.pages.trend_in_time'),
    columns: [period, ...clocks.map(([, name]) => `${name} (%)`)],
    rows: labels.map((label, index) => [
      label,
      ...clocks.map(([key]) => pct(report.durations[key].perBucket[index]?.withinLimitShare)),
    ]),
    chart: {
      id: 'in_time',
      type: 'line',
      labels,
      datasets: clocks.map(([key, name]) => ({
        label: `${name} (%)`,
        data: report.durations[key].perBucket.map((bucket) =>
          bucket.withinLimitShare === null ? null : Number((bucket.withinLimitShare * 100).toFixed(1)),
        ),
      })),
    },
  };
}

/** Reopen rate per bucket and over the period. */
function reopenTable({ report, t, labels, period }: TableContext): TrendTable {
  return {
    id: 'reopen',
    title: t('analytics.pages.trend_reopen'),
    columns: [period, t('analytics.pages.col_reopen_rate')],
    rows: [
      ...labels.map((label, index) => [label, pct(report.reopen.perBucket[index])]),
      [t('analytics.pages.total'), pct(report.reopen.rate)],
    ],
    chart: {
      id: 'reopen',
      type: 'line',
      labels,
      datasets: [
        {
          label: t('analytics.pages.col_reopen_rate'),
          data: report.reopen.perBucket.map((rate) => (rate === null ? null : Number((rate * 100).toFixed(1)))),
        },
      ],
    },
  };
}

/** Citizens’ rating per bucket and over the period. */
function ratingTable({ report, t, labels, period }: TableContext): TrendTable {
  return {
    id: 'rating',
    title: t('analytics.pages.trend_rating'),
    columns: [period, t('analytics.pages.col_count'), t('analytics.pages.col_rating')],
    rows: [
      ...labels.map((label, index) => {
        const bucket = report.rating.perBucket[index];
        return [label, bucket?.count ?? 0, num(bucket?.mean, 2)];
      }),
      [t('analytics.pages.total'), report.rating.count, num(report.rating.mean, 2)],
    ],
    chart: {
      id: 'rating',
      type: 'line',
      labels,
      datasets: [
        { label: t('analytics.pages.col_rating'), data: report.rating.perBucket.map((bucket) => bucket.mean) },
      ],
    },
  };
}

/** IKM per bucket. */
function ikmTable({ report, t, labels, period }: TableContext): TrendTable {
  return {
    id: 'ikm',
    title: t('analytics.pages.trend_ikm'),
    columns: [period, 'IKM', t('analytics.pages.grade'), t('analytics.pages.respondents')],
    rows: labels.map((label, index) => {
      const bucket = report.ikm[index];
      return [label, num(bucket?.ikm, 2), bucket?.grade ?? '', bucket?.respondents ?? 0];
    }),
    chart: {
      id: 'ikm',
      type: 'line',
      labels,
      datasets: [{ label: 'IKM', data: report.ikm.map((bucket) => bucket.ikm) }],
    },
  };
}

const TABLES = [
  ticketsTable,
  categoriesTable,
  channelsTable,
  complimentsTable,
  waitingTable,
  waitingServicesTable,
  durationsTable,
  inTimeTable,
  reopenTable,
  ratingTable,
  ikmTable,
];

/** Every table of the trends page, in the page's order. */
export function tablesOf(report: TrendsReport, t: Translate, categoryName: (code: string) => string): TrendTable[] {
  const labels = report.buckets.map((bucket) => bucket.label);
  const context: TableContext = { report, t, labels, period: t('analytics.pages.col_period'), categoryName };
  return TABLES.map((table) => table(context));
}

/** One table as CSV, or null when there is no table of that name. */
export function trendsCsv(view: { tables: TrendTable[] }, id: string): string | null {
  const table = view.tables.find((candidate) => candidate.id === id);
  return table ? toCsv(table.columns, table.rows) : null;
}

/** The charts' data for the page's JSON block, safe inside a script element. */
export function chartData(tables: readonly TrendTable[]): string {
  return JSON.stringify(tables.flatMap((table) => (table.chart ? [table.chart] : []))).replace(/</g, '\\u003c');
}
