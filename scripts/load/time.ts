import { nationalHolidays } from '../../src/modules/calendar/holidays-data.js';
import { Random, Weighted } from './random.js';

/**
 * Fast local-time arithmetic for the generator. Indonesian zones have no daylight saving time, so a local day is a
 * fixed offset from UTC; a million tickets with several dates each would spend minutes in Intl otherwise.
 * A "day" here is the number of days since 1970-01-01 of the local calendar date.
 */
export const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

export const zoneOffsetHours: Record<string, number> = { 'Asia/Jakarta': 7, 'Asia/Makassar': 8, 'Asia/Jayapura': 9 };

export function offsetMs(timeZone: string): number {
  const hours = zoneOffsetHours[timeZone];
  if (hours === undefined) throw new Error(`no fixed offset known for ${timeZone}`);
  return hours * HOUR_MS;
}

const dayOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
export const dayToDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Days off: the national calendar the app seeds (2026–2027) plus the main days of 2024–2025, which the app's
 * calendar does not carry (only weekends count there for those years; due dates stored here are our own).
 */
const earlierHolidays = [
  '2024-12-25',
  '2024-12-26',
  '2025-01-01',
  '2025-01-27',
  '2025-01-29',
  '2025-03-28',
  '2025-03-31',
  '2025-04-01',
  '2025-04-02',
  '2025-04-03',
  '2025-04-04',
  '2025-04-07',
  '2025-04-18',
  '2025-05-01',
  '2025-05-12',
  '2025-05-29',
  '2025-06-06',
  '2025-06-27',
  '2025-08-17',
  '2025-09-05',
  '2025-12-25',
  '2025-12-26',
];
export const holidays: ReadonlySet<number> = new Set([
  ...earlierHolidays.map(dayOf),
  ...nationalHolidays.map((holiday) => dayOf(holiday.date)),
]);

/** 0 = Sunday … 6 = Saturday. */
export const weekdayOf = (day: number) => (day + 4) % 7;
export const isWorkingDay = (day: number) => {
  const weekday = weekdayOf(day);
  return weekday !== 0 && weekday !== 6 && !holidays.has(day);
};

export const localDayOf = (instant: number, offset: number) => Math.floor((instant + offset) / DAY_MS);

/** The instant of a local wall-clock time (minutes after midnight) on a local day. */
export const instantAt = (day: number, minuteOfDay: number, offset: number) =>
  day * DAY_MS + minuteOfDay * 60_000 - offset;

/** The `n`th working day after `day` (n ≥ 1); n = 0: the day itself if working, else the next working day. */
export function nthWorkingDayAfter(day: number, n: number): number {
  let current = day;
  if (n === 0) {
    while (!isWorkingDay(current)) current++;
    return current;
  }
  for (let counted = 0; counted < n;) {
    current++;
    if (isWorkingDay(current)) counted++;
  }
  return current;
}

/** As the app's clocks: the end (23:59:59.999 local) of the nth working day after the local day of `instant`. */
export function dueAfterWorkingDays(instant: number, n: number, offset: number): number {
  const day = nthWorkingDayAfter(localDayOf(instant, offset), n);
  return (day + 1) * DAY_MS - offset - 1;
}

/** An office-hours instant `n` working days after `instant` (same day when n = 0 and still within hours). */
export function officeTimeAfter(random: Random, instant: number, n: number, offset: number): number {
  const day = localDayOf(instant, offset);
  const target = n === 0 && isWorkingDay(day) ? day : nthWorkingDayAfter(day, Math.max(1, n));
  const minute = 7 * 60 + 30 + random.int(8 * 60); // 07:30–15:30
  const at = instantAt(target, minute, offset);
  return at > instant ? at : instant + (10 + random.int(120)) * 60_000;
}

// ─── Seasonality ───────────────────────────────────────────────────────────────────────────────────────────────

const weekdayWeight = [0.18, 1.35, 1.15, 1.05, 1.0, 0.8, 0.28]; // Sunday … Saturday
const lebaran = ['2025-03-31', '2026-03-21', '2027-03-10'].map(dayOf);

/** How busy a day is, relative to an ordinary Thursday: weekday, Lebaran, the new school year, year-end, growth. */
export function dayWeight(day: number, firstDay: number, lastDay: number): number {
  let weight = weekdayWeight[weekdayOf(day)]!;
  if (holidays.has(day)) weight *= 0.2;
  for (const feast of lebaran) {
    const after = day - feast;
    if (after >= -14 && after < -3)
      weight *= 1.2; // documents before going home (mudik)
    else if (after >= -3 && after < 7)
      weight *= 0.35; // the holiday itself
    else if (after >= 7 && after < 28) weight *= 1.6; // back from mudik: KK, KTP, moving in
  }
  const date = dayToDate(day);
  const monthDay = date.slice(5);
  if (monthDay >= '06-15' && monthDay <= '07-31') weight *= 1.4; // new school year: akta, KK, health certificates
  if (monthDay >= '12-20') weight *= 0.8;
  // Adoption grows over the two years: a third more at the end than at the start.
  weight *= 1 + (0.35 * (day - firstDay)) / Math.max(1, lastDay - firstDay);
  return weight;
}

/** Minutes after local midnight at which citizens file: office hours mostly, evenings online. */
const ticketMinutes = new Weighted<number>(
  Array.from({ length: 24 }, (_, hour) => {
    const weights = [
      0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 1, 3, 6, 7, 6.5, 5, 3.5, 4, 3.5, 2.5, 2, 2, 2.2, 2.5, 2.6, 2, 1.2, 0.5,
    ];
    return [hour * 60, weights[hour]!] as const;
  }),
);
/** Survey answers are given in the service hall: office hours, peaking mid-morning. */
const surveyMinutes = new Weighted<number>(
  Array.from({ length: 24 }, (_, hour) => {
    const weights = [0, 0, 0, 0, 0, 0, 0.05, 1.5, 5, 7, 7, 6, 3, 4, 3.5, 2, 0.6, 0.2, 0.1, 0.05, 0.05, 0, 0, 0];
    return [hour * 60, weights[hour]!] as const;
  }),
);

export class Calendar {
  readonly firstDay: number;
  readonly lastDay: number;
  private readonly days: Weighted<number>;

  /** Days from `from` to `until` (local dates, inclusive) weighted by `dayWeight`. */
  constructor(from: string, until: string) {
    this.firstDay = dayOf(from);
    this.lastDay = dayOf(until);
    const entries: [number, number][] = [];
    for (let day = this.firstDay; day <= this.lastDay; day++)
      entries.push([day, dayWeight(day, this.firstDay, this.lastDay)]);
    this.days = new Weighted(entries);
  }

  day(random: Random): number {
    return this.days.draw(random);
  }

  ticketInstant(random: Random, offset: number, day = this.day(random)): number {
    return instantAt(day, ticketMinutes.draw(random) + random.int(60), offset) + random.int(60_000);
  }

  surveyInstant(random: Random, offset: number): { at: number; day: number; minute: number } {
    let day = this.day(random);
    // The hall is closed at weekends: the rare weekend answer is someone finishing at home.
    if (!isWorkingDay(day) && !random.chance(0.1)) day = nthWorkingDayAfter(day, 0);
    if (day > this.lastDay) day = this.lastDay;
    const minute = surveyMinutes.draw(random) + random.int(60);
    return { at: instantAt(day, minute, offset) + random.int(60_000), day, minute };
  }
}
