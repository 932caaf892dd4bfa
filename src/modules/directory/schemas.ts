import Joi from 'joi';
import { timeZones, unitKinds } from './model.js';
import { parseNip } from './nip.js';

export const unitCode = Joi.string()
  .trim()
  .uppercase()
  .pattern(/^[A-Z0-9][A-Z0-9-]{1,39}$/);
const name = Joi.string().trim().min(2).max(200);

/** A NIP or NI PPPK, checked digit by digit; the error names what is wrong (nip.* message keys). */
export const nip = Joi.string()
  .trim()
  .max(40)
  .custom((value: string) => {
    const parsed = parseNip(value);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.value.nip;
  });

const serviceInput = Joi.object({
  code: unitCode.required(),
  name: name.required(),
  targetWaitMinutes: Joi.number()
    .integer()
    .min(0)
    .max(24 * 60)
    .allow(null, ''),
  targetCompletionDays: Joi.number().integer().min(0).max(365).allow(null, ''),
  fee: Joi.number().integer().min(0).max(1_000_000_000).default(0),
});

export const createUnitInput = Joi.object({
  code: unitCode.required(),
  name: name.required(),
  kind: Joi.string()
    .valid(...unitKinds)
    .default('other'),
  parentCode: unitCode.allow(null, ''),
  timeZone: Joi.string().valid(...timeZones),
  population: Joi.number().integer().min(0).allow(null, ''),
});

export const updateUnitInput = Joi.object({
  name,
  kind: Joi.string().valid(...unitKinds),
  timeZone: Joi.string().valid(...timeZones),
  population: Joi.number().integer().min(0).allow(null, ''),
});

export const serviceInputSchema = serviceInput;
export const counterInput = Joi.object({ code: unitCode.required(), name: name.required() });

export const officerInput = Joi.object({
  nip: nip.required(),
  name: name.required(),
  position: Joi.string().trim().max(200).allow('').default(''),
  unitCode: unitCode.required(),
});

export const officerQuery = Joi.object({ unitCode: unitCode.allow('') });

/** The officers' admin list: a part of the name or the start of a NIP, a unit, active or not, a page. */
export const officerSearchQuery = Joi.object({
  q: Joi.string().trim().max(100).allow(''),
  unitCode: unitCode.allow(''),
  status: Joi.string().valid('active', 'inactive', 'all').default('active'),
  page: Joi.number().integer().min(1).max(100_000).default(1),
});

/** What may change of an officer; the NIP never does (it is who the person is). */
export const officerChangeInput = Joi.object({
  name,
  position: Joi.string().trim().max(200).allow(''),
  unitCode,
  // No default: an edit that does not mention it leaves it as it is.
  active: Joi.boolean().truthy('1', 'on', 'true').falsy('0', 'off', 'false'),
  reason: Joi.string().trim().max(500).allow(''),
}).min(1);

export const unitActiveInput = Joi.object({
  active: Joi.boolean().truthy('1', 'on', 'true').falsy('0', 'off', 'false').required(),
  reason: Joi.string().trim().max(500).allow(''),
});

export const unitMoveInput = Joi.object({
  parentCode: unitCode.required(),
  reason: Joi.string().trim().max(500).allow(''),
});
