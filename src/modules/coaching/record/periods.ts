import Joi from 'joi';
import { endOfLocalDay, addDays, isLocalDate, localDate, startOfLocalDay } from '../../../platform/calendar.js';
import { AppError } from '../../../platform/errors.js';

/** The periods a record, an overview and trends are read for: local days in the agency's time zone. */

export const localDay = Joi.string()
  .trim()
  .custom((value: string) => {
    if (!isLocalDate(value)) throw new Error('coaching.bad_date');
    return value;
  });

const quarterStart = (day: string) => {
  const month = Number(day.slice(5, 7));
  return `${day.slice(0, 4)}-${String(Math.floor((month - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
};
const quarterEnd = (day: string) => {
  const start = quarterStart(day);
  const month = Number(start.slice(5, 7)) + 3;
  const next =
    month > 12 ? `${Number(start.slice(0, 4)) + 1}-01-01` : `${start.slice(0, 4)}-${String(month).padStart(2, '0')}-01`;
  return addDays(next, -1);
};

export interface Period {
  from: Date;
  to: Date;
  /** The local days as asked for (YYYY-MM-DD), for forms and links. */
  fromDay: string;
  toDay: string;
  timeZone: string;
}

/** A period of local days in the zone; by default this quarter; `from` after `to` is a field error. */
export function periodOf(query: { from?: string; to?: string }, timeZone: string, now: Date = new Date()): Period {
  const today = localDate(now, timeZone);
  const fromDay = query.from || quarterStart(query.to || today);
  const toDay = query.to || (query.from ? (query.from > today ? quarterEnd(query.from) : today) : quarterEnd(today));
  if (fromDay > toDay) throw AppError.validation({ from: { key: 'coaching.from_after_to' } });
  return {
    from: startOfLocalDay(fromDay, timeZone),
    to: endOfLocalDay(toDay, timeZone),
    fromDay,
    toDay,
    timeZone,
  };
}
