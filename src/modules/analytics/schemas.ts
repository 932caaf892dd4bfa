import Joi from 'joi';
import { ELEMENT_COUNT } from '../surveys/index.js';
import { checkbox } from '../../platform/validate.js';
import { transparencyPeriods } from './shared/days.js';

/** Request shapes of the analytics API. Dates are agency-local days, 'YYYY-MM-DD'; `to` is inclusive. */

const localDay = Joi.string()
  .pattern(/^\d{4}-\d{2}-\d{2}$/)
  .custom((value: string) => {
    const date = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
      throw new Error('analytics.date_invalid');
    return value;
  });
const unitCode = Joi.string()
  .trim()
  .uppercase()
  .pattern(/^[A-Z0-9][A-Z0-9-]{1,39}$/);
const serviceCode = Joi.string().trim().max(40).allow('', null);

export const ikmQuery = Joi.object({
  unitCode: unitCode.required(),
  from: localDay,
  to: localDay,
  serviceCode,
  subtree: checkbox(true),
});

export const trendsQuery = Joi.object({
  unitCode: unitCode.required(),
  from: localDay,
  to: localDay,
  serviceCode,
  interval: Joi.string().valid('week', 'month').default('month'),
});

export const periodQuery = Joi.object({ unitCode: unitCode, from: localDay, to: localDay });

export const weightsInput = Joi.object({
  weights: Joi.array()
    .items(Joi.number().min(0).max(1).required())
    .length(ELEMENT_COUNT)
    .allow(null)
    .required()
    .messages({
      'array.length': 'surveys.weights_invalid',
      'array.includesRequiredUnknowns': 'surveys.weights_invalid',
    }),
});

export const transparencyPeriodInput = Joi.object({
  transparencyPeriod: Joi.string()
    .valid(...transparencyPeriods)
    .required()
    .messages({
      'any.only': 'analytics.transparency_period_invalid',
      'any.required': 'analytics.transparency_period_invalid',
    }),
});
