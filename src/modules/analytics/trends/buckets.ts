import { addDays, dayOfWeek } from '../../../platform/calendar.js';
import { dateOfDay, type Period } from '../shared/days.js';

/** The buckets trends are shown in: calendar months, or ISO weeks from Monday. */

export type Interval = 'week' | 'month';

export interface Bucket {
  /** 'YYYY-MM' for months, the Monday 'YYYY-MM-DD' for weeks. */
  key: string;
  /** 'YYYY-MM', or 'YYYY-Www' (ISO week). */
  label: string;
  /** The bucket's days within the period, inclusive. */
  from: string;
  to: string;
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
