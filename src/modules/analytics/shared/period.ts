import Joi from 'joi';
import { AppError } from '../../../platform/errors.js';
import { addDays, localDate, startOfLocalDay, type LocalDate } from '../../../platform/calendar.js';
import { check, checkbox } from '../../../platform/validate.js';
import { findUnitByCode, unitCode, type UnitDoc } from '../../directory/index.js';

/**
 * The period of a report page: local days in the unit's time zone, both ends inclusive as people write them
 * ("1 Jan – 31 Mar"), turned into the half-open instant range [from, to) that the analytics service reads.
 */

const day = Joi.string()
  .trim()
  .pattern(/^\d{4}-\d{2}-\d{2}$/)
  .custom((value: string) => {
    const date = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
      throw new Error('analytics.pages.bad_date');
    return value;
  });
export const MAX_PERIOD_DAYS = 3 * 366 + 1;

export const reportQuery = Joi.object({
  unitCode: unitCode.required(),
  from: day.allow(''),
  to: day.allow(''),
  serviceCode: Joi.string().trim().max(40).allow(''),
  subtree: checkbox(true),
  interval: Joi.string().valid('week', 'month').default('month'),
});

export interface Period {
  unit: UnitDoc;
  /** Local days as typed, `to` inclusive. */
  fromDay: LocalDate;
  toDay: LocalDate;
  /** Instants: the first moment of `fromDay`, the first moment after `toDay`. */
  from: Date;
  to: Date;
  serviceCode: string | null;
  subtree: boolean;
  interval: 'week' | 'month';
  lengthDays: number;
}

/** The calendar quarter around `now` in the zone: the default period of a report (SKM is reported quarterly). */
export function currentQuarter(now: Date, timeZone: string): { fromDay: LocalDate; toDay: LocalDate } {
  const today = localDate(now, timeZone);
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3);
  const fromDay = `${year}-${String(quarter * 3 + 1).padStart(2, '0')}-01`;
  const nextQuarter = quarter === 3 ? `${year + 1}-01-01` : `${year}-${String(quarter * 3 + 4).padStart(2, '0')}-01`;
  return { fromDay, toDay: addDays(nextQuarter, -1) };
}

/** Ready-made periods for the pickers: this quarter, the previous one, this year and the previous year. */
export function periodShortcuts(timeZone: string, now = new Date()) {
  const quarter = currentQuarter(now, timeZone);
  const previous = currentQuarter(startOfLocalDay(addDays(quarter.fromDay, -1), timeZone), timeZone);
  const year = Number(quarter.fromDay.slice(0, 4));
  return [
    { key: 'analytics.pages.this_quarter', ...quarter },
    { key: 'analytics.pages.previous_quarter', ...previous },
    { key: 'analytics.pages.this_year', fromDay: `${year}-01-01`, toDay: `${year}-12-31` },
    { key: 'analytics.pages.previous_year', fromDay: `${year - 1}-01-01`, toDay: `${year - 1}-12-31` },
  ];
}

export const daysBetween = (from: LocalDate, to: LocalDate) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Validates a report query (400 on bad input, 404 for an unknown unit) and resolves its period. */
export async function periodOf(raw: unknown, now = new Date()): Promise<Period> {
  const query = check(reportQuery, raw);
  const unit = await findUnitByCode(query.unitCode);
  if (!unit) throw AppError.validation({ unitCode: { key: 'feedback.unknown_unit' } });
  const quarter = currentQuarter(now, unit.timeZone);
  const fromDay = query.from || (query.to ? addDays(query.to, -89) : quarter.fromDay);
  const toDay = query.to || (query.from ? addDays(query.from, 89) : quarter.toDay);
  const lengthDays = daysBetween(fromDay, toDay) + 1;
  if (lengthDays < 1) throw AppError.validation({ to: { key: 'analytics.pages.to_before_from' } });
  if (lengthDays > MAX_PERIOD_DAYS) throw AppError.validation({ to: { key: 'analytics.pages.period_too_long' } });
  return {
    unit,
    fromDay,
    toDay,
    from: startOfLocalDay(fromDay, unit.timeZone),
    to: startOfLocalDay(addDays(toDay, 1), unit.timeZone),
    serviceCode: query.serviceCode || null,
    subtree: query.subtree,
    interval: query.interval as 'week' | 'month',
    lengthDays,
  };
}

/** The query string of a period, for links and redirects. */
export function periodQuery(period: Pick<Period, 'unit' | 'fromDay' | 'toDay' | 'serviceCode'>, extra = {}): string {
  return new URLSearchParams({
    unitCode: period.unit.code,
    from: period.fromDay,
    to: period.toDay,
    ...(period.serviceCode ? { serviceCode: period.serviceCode } : {}),
    ...extra,
  }).toString();
}
