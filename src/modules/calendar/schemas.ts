import Joi from 'joi';
import { isLocalDate } from '../../platform/calendar.js';
import { unitCode } from '../directory/index.js';
import { holidayKinds } from './model.js';

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

const year = Joi.number().integer().min(MIN_YEAR).max(MAX_YEAR);

/** A real calendar day as 'YYYY-MM-DD' (what `<input type="date">` sends), within the years we keep. */
const localDate = Joi.string()
  .trim()
  .custom((value: string) => {
    if (!isLocalDate(value)) throw new Error('holiday.bad_date');
    const y = Number(value.slice(0, 4));
    if (y < MIN_YEAR || y > MAX_YEAR) throw new Error('holiday.bad_date');
    return value;
  });

const name = Joi.string().trim().min(2).max(120);

/** A holiday from the admin form or the API; `agencyCode` is required for a local one and ignored otherwise. */
export const holidayInput = Joi.object({
  date: localDate.required(),
  name_id: name.required(),
  name: name.required(),
  kind: Joi.string()
    .valid(...holidayKinds)
    .required(),
  agencyCode: Joi.when('kind', {
    is: 'local',
    then: unitCode.required(),
    otherwise: Joi.any().strip(),
  }),
});
export type HolidayInput = { date: string; name_id: string; name: string; kind: string; agencyCode?: string };

export const yearQuery = Joi.object({ year });
export const holidaysQuery = Joi.object({ year, agencyCode: unitCode.allow('') });
