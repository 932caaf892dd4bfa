import Joi from 'joi';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { check } from '../../platform/validate.js';
import { assertCan, scopeOf, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { publish } from '../../platform/events.js';
import { localDate, utcOffsetMs } from '../../platform/calendar.js';
import { Unit } from './model.js';
import { findUnitByCode } from './service.js';

/**
 * Opening hours per unit: a weekly pattern in the unit's time zone plus dated exceptions (a holiday closed, a short
 * day). The surveys' integrity evidence asks `isOpenAt` whether an answer came while the unit served.
 */

/** Local "HH:MM" open–close ranges (close after open, same day) per ISO weekday, and dated exceptions. */
export interface OpeningHours {
  weekly: { weekday: number; open: string; close: string }[];
  /** A date with `open: null` is closed all day; several entries for one date are several ranges. */
  exceptions: { date: string; open: string | null; close: string | null }[];
}

const hhmm = Joi.string().pattern(/^([01]\d|2[0-3]):[0-5]\d$/);
const range = { open: hhmm.required(), close: hhmm.required() };

export const openingHoursInput = Joi.object({
  weekly: Joi.array()
    .items(Joi.object({ weekday: Joi.number().integer().min(1).max(7).required(), ...range }))
    .max(7 * 6)
    .default([]),
  exceptions: Joi.array()
    .items(
      Joi.object({
        date: Joi.string()
          .pattern(/^\d{4}-\d{2}-\d{2}$/)
          .required(),
        open: hhmm.allow(null).default(null),
        close: hhmm.allow(null).default(null),
      }),
    )
    .max(400)
    .default([]),
});

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Every range closes after it opens, and an exception with an opening time has a closing one too. */
function rangeProblems(hours: OpeningHours): FieldErrors {
  const fields: FieldErrors = {};
  hours.weekly.forEach((item, index) => {
    if (minutesOf(item.close) <= minutesOf(item.open))
      fields[`weekly.${index}.close`] = { key: 'directory.hours_close_before_open' };
  });
  hours.exceptions.forEach((item, index) => {
    if ((item.open === null) !== (item.close === null))
      fields[`exceptions.${index}.close`] = { key: 'validation.required' };
    else if (item.open && item.close && minutesOf(item.close) <= minutesOf(item.open))
      fields[`exceptions.${index}.close`] = { key: 'directory.hours_close_before_open' };
  });
  return fields;
}

/** "08:00-12:00, 13:00-16:00" → ranges; "" → none (closed). Anything else → null (not understood). */
function rangesFromText(text: string): { open: string; close: string }[] | null {
  const parts = text
    .split(/[,;]/)
    .map((part) => part.trim())
    .filter(Boolean);
  const ranges = parts.map((part) => /^(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})$/.exec(part));
  if (ranges.some((match) => !match)) return null;
  return ranges.map((match) => ({
    open: `${match![1]!.padStart(2, '0')}:${match![2]}`,
    close: `${match![3]!.padStart(2, '0')}:${match![4]}`,
  }));
}

/**
 * The admin page's plain form: one text field per weekday (`day1`…`day7`, "08:00-12:00, 13:00-16:00", empty =
 * closed) and one line per exception (`2026-12-24 08:00-12:00`, or `2026-12-25 tutup`/`closed`).
 */
export function openingHoursFromForm(body: Record<string, unknown>): OpeningHours {
  const fields: FieldErrors = {};
  const weekly: OpeningHours['weekly'] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    const ranges = rangesFromText(String(body[`day${weekday}`] ?? ''));
    if (!ranges) fields[`day${weekday}`] = { key: 'directory.hours_format' };
    else weekly.push(...ranges.map((item) => ({ weekday, ...item })));
  }
  const exceptions: OpeningHours['exceptions'] = [];
  const lines = String(body.exceptions ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const match = /^(\d{4}-\d{2}-\d{2})\s+(.+)$/.exec(line);
    const rest = match?.[2]?.trim().toLowerCase() ?? '';
    const ranges = ['tutup', 'closed', 'libur'].includes(rest) ? [] : rangesFromText(rest);
    if (!match || !ranges) {
      fields.exceptions = { key: 'directory.hours_exception_format', params: { line: index + 1 } };
      continue;
    }
    if (ranges.length === 0) exceptions.push({ date: match[1]!, open: null, close: null });
    else exceptions.push(...ranges.map((item) => ({ date: match[1]!, ...item })));
  }
  if (Object.keys(fields).length) throw AppError.validation(fields);
  return { weekly, exceptions };
}

/** The form's text back from stored hours, for showing them in the same fields. */
export function openingHoursFormValues(hours: OpeningHours | null | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  for (let weekday = 1; weekday <= 7; weekday++)
    values[`day${weekday}`] = (hours?.weekly ?? [])
      .filter((item) => item.weekday === weekday)
      .map((item) => `${item.open}-${item.close}`)
      .join(', ');
  const byDate = new Map<string, string[]>();
  for (const item of hours?.exceptions ?? [])
    byDate.set(item.date, [...(byDate.get(item.date) ?? []), ...(item.open ? [`${item.open}-${item.close}`] : [])]);
  values.exceptions = [...byDate]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, ranges]) => `${date} ${ranges.length ? ranges.join(', ') : 'tutup'}`)
    .join('\n');
  return values;
}

/**
 * Whether the unit serves at that instant, on its wall clock: the date's exceptions if it has any, else the week's
 * pattern. Null when the unit has no opening hours (unknown, never "closed").
 */
export function isOpenAt(unit: { timeZone: string; openingHours?: unknown }, at: Date): boolean | null {
  const hours = unit.openingHours as OpeningHours | null | undefined;
  if (!hours) return null;
  const date = localDate(at, unit.timeZone);
  const wall = new Date(at.getTime() + utcOffsetMs(at, unit.timeZone));
  const minute = wall.getUTCHours() * 60 + wall.getUTCMinutes();
  const weekday = wall.getUTCDay() || 7;
  const exceptions = hours.exceptions.filter((item) => item.date === date);
  const ranges = exceptions.length
    ? exceptions.flatMap((item) => (item.open && item.close ? [{ open: item.open, close: item.close }] : []))
    : hours.weekly.filter((item) => item.weekday === weekday);
  return ranges.some((item) => minute >= minutesOf(item.open) && minute < minutesOf(item.close));
}

/** A unit's opening hours by code, or null when unknown (no such unit, or none given). */
export async function openingHoursOf(unitCode: string): Promise<OpeningHours | null> {
  const unit = await findUnitByCode(unitCode);
  return (unit?.openingHours as OpeningHours | null | undefined) ?? null;
}

/** The week as lines for a page: each weekday with its ranges ("08:00–12:00, 13:00–16:00"), or none (closed). */
export function weekOf(hours: OpeningHours | null | undefined): { weekday: number; ranges: string | null }[] | null {
  if (!hours) return null;
  return [1, 2, 3, 4, 5, 6, 7].map((weekday) => {
    const ranges = hours.weekly.filter((item) => item.weekday === weekday);
    return { weekday, ranges: ranges.length ? ranges.map((item) => `${item.open}–${item.close}`).join(', ') : null };
  });
}

/** Replaces a unit's opening hours (JSON, or the admin form's text fields when `fromForm`). */
export async function setOpeningHours(
  actor: Actor,
  code: string,
  raw: unknown,
  fromForm = false,
): Promise<OpeningHours> {
  const unit = await findUnitByCode(code);
  if (!unit) throw new AppError('not_found');
  assertCan(actor, 'directory.manage', { unitPath: unit.path.map(String) });
  const parsed = fromForm ? openingHoursFromForm((raw ?? {}) as Record<string, unknown>) : raw;
  const hours = check(openingHoursInput, parsed ?? {}) as OpeningHours;
  const problems = rangeProblems(hours);
  if (Object.keys(problems).length) throw AppError.validation(problems);
  hours.weekly.sort((a, b) => a.weekday - b.weekday || a.open.localeCompare(b.open));
  hours.exceptions.sort((a, b) => a.date.localeCompare(b.date) || (a.open ?? '').localeCompare(b.open ?? ''));
  await Unit.updateOne({ _id: unit._id }, { $set: { openingHours: hours } });
  await recordAudit(actor, 'unit.opening_hours', unit.code, { before: unit.openingHours ?? null, after: hours }, null, {
    unitPath: unit.path,
  });
  publish('unit.changed', { unitId: String(unit._id), code: unit.code });
  return hours;
}

/** How many active units in the actor's scope have no opening hours yet (for the admin home's to-do list). */
export async function unitsWithoutOpeningHours(actor: Actor): Promise<number> {
  const scope = scopeOf(actor, 'directory.read');
  if (scope !== 'all' && scope.length === 0) return 0;
  return Unit.countDocuments({
    ...(scope === 'all' ? {} : { path: { $in: scope } }),
    active: true,
    openingHours: null,
  });
}
