import { addDays, localDate } from '../../../platform/calendar.js';
import { AppError } from '../../../platform/errors.js';

/**
 * Periods of the figures: agency-local days 'YYYY-MM-DD', `to` inclusive, and how a period splits into the daily
 * and monthly rollups it is read from.
 */

const MAX_RANGE_DAYS = 3 * 366;

/** A local day as midnight UTC: range queries on `date` compare local days without zone math. */
export const dateOfDay = (day: string) => new Date(`${day}T00:00:00.000Z`);

export interface Period {
  /** Local days 'YYYY-MM-DD', inclusive. */
  from: string;
  to: string;
}

/**
 * A 'YYYY-MM-DD' string is a local day as given; a Date is the local day it falls on in the unit's zone (so both
 * `new Date('2026-02-10')` and the start or end of that local day name 10 February).
 */
export const dayString = (value: Date | string, timeZone: string): string =>
  typeof value === 'string' ? value : localDate(new Date(value), timeZone);

/** The quarter to date of `today` (a local day). */
export function quarterToDate(today: string): Period {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const first = Math.floor((month - 1) / 3) * 3 + 1;
  return { from: `${year}-${String(first).padStart(2, '0')}-01`, to: today };
}

/** How long a period the public transparency page covers, each ending today. */
export const transparencyPeriods = ['month', 'quarter', 'half', 'year'] as const;
export type TransparencyPeriod = (typeof transparencyPeriods)[number];

/** The month, quarter, half-year or year to date of `today` (a local day). */
export function periodToDate(kind: TransparencyPeriod, today: string): Period {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const months = { month: 1, quarter: 3, half: 6, year: 12 }[kind];
  const first = Math.floor((month - 1) / months) * months + 1;
  return { from: `${year}-${String(first).padStart(2, '0')}-01`, to: today };
}

/** Today in a zone, as a local day. */
export const todayIn = (timeZone: string, now = new Date()) => localDate(now, timeZone);

/** The period, refused when it runs backwards or is longer than the rollups are read for at once. */
export function checkPeriod(from: string, to: string): Period {
  if (from > to) throw AppError.validation({ to: { key: 'analytics.range_invalid' } });
  const days = (dateOfDay(to).getTime() - dateOfDay(from).getTime()) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS)
    throw AppError.validation({ from: { key: 'analytics.range_too_long', params: { days: MAX_RANGE_DAYS } } });
  return { from, to };
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

/** The `date` range of a segment's documents (a monthly document is dated its month's first day). */
export const segmentDates = (segment: Segment) =>
  segment.monthly
    ? { $gte: dateOfDay(segment.from), $lte: dateOfDay(`${segment.to.slice(0, 7)}-01`) }
    : { $gte: dateOfDay(segment.from), $lte: dateOfDay(segment.to) };
