/**
 * The business calendar (docs/domain.md#working-days): pure date math on working days in an agency's time zone.
 * No database, no machine time zone: every conversion goes through Intl with an explicit IANA zone, so the result is
 * the same on a UTC test machine and on a server in Jayapura.
 *
 * A local date is a 'YYYY-MM-DD' string (the calendar day on the wall in the agency's zone); an instant is a Date.
 * Holidays are a set of local dates; weekends (Saturday, Sunday) are never working days.
 */

/** A calendar day on the wall in some time zone, as 'YYYY-MM-DD'. */
export type LocalDate = string;

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_WORKING_DAYS = 3650; // ten years of clocks is a bug, not a service standard
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * A date formatter, made once per locale and options and kept: making one costs 50–130 µs (ICU loads the locale and
 * the zone), using one about 1.5 µs, and a page of fifty feed items formats a date for each. Throws a RangeError
 * for an unknown zone: a typo must never silently become UTC.
 */
export function dateFormatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    if (formatters.size >= 1_000) formatters.clear(); // options come from code, zones from a short list
    formatters.set(key, formatter);
  }
  return formatter;
}

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  return dateFormatter('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** The zone's offset from UTC at an instant, straight from Intl (slow: tens of microseconds a call). */
function offsetFromIntl(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    wallClockFormatter(timeZone)
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return wall - (instant.getTime() - instant.getUTCMilliseconds());
}

/**
 * Offsets per zone and quarter hour of UTC. Every offset change in the tz database falls on a whole quarter hour,
 * so one Intl call answers for the whole slice; rollups call this a dozen times per ticket, and a rebuild of a
 * million tickets spent minutes in `formatToParts` before. Bounded: cleared when it grows past 200,000 slices.
 */
const SLICE_MS = 15 * 60 * 1000;
const offsets = new Map<string, number>();
function offsetAt(instant: Date, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(instant.getTime() / SLICE_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = offsetFromIntl(new Date(Math.floor(instant.getTime() / SLICE_MS) * SLICE_MS), timeZone);
    if (offsets.size >= 200_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** The wall-clock reading of an instant in a zone, as if that reading were UTC (milliseconds since the epoch). */
function wallClockAsUtc(instant: Date, timeZone: string): number {
  return instant.getTime() + offsetAt(instant, timeZone);
}

/** The name people use for an Indonesian zone (WIB, WITA, WIT); other zones by their IANA name. */
export function zoneName(timeZone: string): string {
  return (
    ({ 'Asia/Jakarta': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' } as Record<string, string>)[timeZone] ??
    timeZone
  );
}

/**
 * "Rabu, 21 Januari 2026 pukul 23.59 WIT": an instant on a zone's wall clock, for people (mails, notices); with
 * `{ time: false }` the day alone ("Rabu, 21 Januari 2026 (WIT)").
 */
export function wallClockLabel(
  instant: Date,
  timeZone: string,
  lang: 'id' | 'en',
  { time = true }: { time?: boolean } = {},
): string {
  const text = dateFormatter(lang === 'id' ? 'id-ID' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    ...(time ? { hour: '2-digit', minute: '2-digit' } : {}),
    timeZone,
  }).format(instant);
  return time ? `${text} ${zoneName(timeZone)}` : `${text} (${zoneName(timeZone)})`;
}

/** How far the zone's wall clock is ahead of UTC at that instant, in milliseconds (WIB: 7 h, WIT: 9 h). */
export function utcOffsetMs(instant: Date, timeZone: string): number {
  return wallClockAsUtc(instant, timeZone) - instant.getTime();
}

function assertInstant(instant: Date): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError('not a valid instant');
}

function parseLocalDate(date: LocalDate): number {
  const match = LOCAL_DATE.exec(date);
  const utc = match ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!) : NaN;
  if (!match || new Date(utc).toISOString().slice(0, 10) !== date) throw new RangeError(`not a date: ${date}`);
  return utc;
}

export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  try {
    parseLocalDate(value);
    return true;
  } catch {
    return false;
  }
}

/** The calendar day an instant falls on in the zone: 23:30 WIT on a Friday is Friday, and 21:30 WIB the same Friday. */
export function localDate(instant: Date, timeZone: string): LocalDate {
  assertInstant(instant);
  return new Date(wallClockAsUtc(instant, timeZone)).toISOString().slice(0, 10);
}

/** The local date `days` calendar days later (earlier when negative). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(parseLocalDate(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, as Date#getDay. */
export function dayOfWeek(date: LocalDate): number {
  return new Date(parseLocalDate(date)).getUTCDay();
}

/** A working day is Monday to Friday and not a holiday (national, cuti bersama, or the agency's own). */
export function isWorkingDay(date: LocalDate, holidays: ReadonlySet<LocalDate>): boolean {
  const weekday = dayOfWeek(date);
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/**
 * The first instant of a local day in the zone. Indonesia has no daylight saving time, but the second pass makes
 * this right for zones that do (unless midnight itself is skipped, where it lands just after the gap).
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  const wallMidnight = parseLocalDate(date);
  let guess = wallMidnight - utcOffsetMs(new Date(wallMidnight), timeZone);
  guess = wallMidnight - utcOffsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** The last millisecond of a local day in the zone (23:59:59.999 on the wall): what "by the end of that day" means. */
export function endOfLocalDay(date: LocalDate, timeZone: string): Date {
  return new Date(startOfLocalDay(addDays(date, 1), timeZone).getTime() - 1);
}

/** The `n`th working day after a local day (n ≥ 1); n = 0 gives the day itself when it is a working day, else the next. */
export function nthWorkingDayAfter(date: LocalDate, n: number, holidays: ReadonlySet<LocalDate>): LocalDate {
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS)
    throw new RangeError(`working days must be a whole number from 0 to ${MAX_WORKING_DAYS}, not ${n}`);
  let day = date;
  if (n === 0) {
    while (!isWorkingDay(day, holidays)) day = addDays(day, 1);
    return day;
  }
  for (let counted = 0; counted < n;) {
    day = addDays(day, 1);
    if (isWorkingDay(day, holidays)) counted++;
  }
  return day;
}

/**
 * "Within N working days of start": the end (23:59:59.999 local) of the Nth working day AFTER the local day of
 * `start`. A start on a weekend or holiday counts the same way, so the first working day after it is day 1: a
 * complaint received on Saturday is due with one received on Friday. Friday 10:00 WIB + 3 → Wednesday 23:59:59.999
 * WIB. With 0 working days: the end of the start's day if it is a working day, else of the next working day.
 */
export function dueAfterWorkingDays(
  start: Date,
  workingDays: number,
  timeZone: string,
  holidays: ReadonlySet<LocalDate>,
): Date {
  const day = nthWorkingDayAfter(localDate(start, timeZone), workingDays, holidays);
  return endOfLocalDay(day, timeZone);
}

/** How many working days lie in [from, to) (local dates, `to` excluded); 0 when `to` is not after `from`. */
function workingDaysInRange(from: LocalDate, to: LocalDate, holidays: ReadonlySet<LocalDate>): number {
  let count = 0;
  for (let day = from; day < to; day = addDays(day, 1)) if (isWorkingDay(day, holidays)) count++;
  return count;
}

/**
 * Whole working days elapsed between two instants, for display ("3 hari kerja"): the working days after the local
 * day of `from` that have fully ended by `to`. The start day itself never counts (as in `dueAfterWorkingDays`),
 * nor does `to`'s day until it is over, so a clock of N working days is overdue exactly when this reaches N.
 * 0 when `to` is not after `from`.
 */
export function workingDaysBetween(from: Date, to: Date, timeZone: string, holidays: ReadonlySet<LocalDate>): number {
  return workingDaysInRange(addDays(localDate(from, timeZone), 1), localDate(to, timeZone), holidays);
}

/**
 * The working days a pause consumed: those whose end passed while the clock was paused (from `pausedFrom` up to
 * `resumedAt`). A pause within one day costs nothing; paused Monday 10:00 and resumed Wednesday 09:00 costs two
 * (Monday and Tuesday ended while paused); a pause over a weekend alone costs nothing.
 */
export function pausedWorkingDays(
  pausedFrom: Date,
  resumedAt: Date,
  timeZone: string,
  holidays: ReadonlySet<LocalDate>,
): number {
  return workingDaysInRange(localDate(pausedFrom, timeZone), localDate(resumedAt, timeZone), holidays);
}

/**
 * A due instant moved on by the working days a pause consumed (status awaiting_citizen stops the clock): the end
 * of the working day that many working days after the due day. Unchanged when the pause consumed none.
 */
export function extendDue(
  due: Date,
  pausedFrom: Date,
  resumedAt: Date,
  timeZone: string,
  holidays: ReadonlySet<LocalDate>,
): Date {
  const lost = pausedWorkingDays(pausedFrom, resumedAt, timeZone, holidays);
  return lost === 0 ? due : dueAfterWorkingDays(due, lost, timeZone, holidays);
}

/** A local date for people: 'Jumat, 16 Januari 2026' (locale 'id-ID') or 'Friday, 16 January 2026' ('en-GB'). */
export function formatLocalDate(date: LocalDate, locale: string): string {
  return dateFormatter(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(parseLocalDate(date)));
}
