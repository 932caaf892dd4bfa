import Joi from 'joi';
import { jsonObject } from '../../platform/validate.js';
import { unitCode } from '../directory/index.js';
import { kinds, privacies } from './statuses.js';

const optionalCode = Joi.string().trim().uppercase().max(40).allow('', null);
const checkbox = Joi.boolean().truthy('on', '1', 'yes', 'ya').falsy('', '0', 'off', 'no');

/** POST /api/v1/tickets and the public form (README.md#api). Long texts are bounded like Open311's. */
export const ticketInput = Joi.object({
  kind: Joi.string()
    .valid(...kinds)
    .required()
    .messages({ 'any.only': 'feedback.kind_required', 'any.required': 'feedback.kind_required' }),
  unitCode: unitCode.required(),
  serviceCode: optionalCode,
  counter: optionalCode,
  officerNip: Joi.string().trim().max(40).allow('', null),
  officerRef: Joi.string().trim().max(40).allow('', null),
  category: Joi.string()
    .trim()
    .lowercase()
    .max(40)
    .allow('', null)
    .when('kind', { is: 'complaint', then: Joi.invalid('', null).required() })
    .messages({ 'any.invalid': 'feedback.category_required', 'any.required': 'feedback.category_required' }),
  description: Joi.string()
    .trim()
    .min(10)
    .max(4000)
    .required()
    .messages({ 'any.required': 'feedback.description_required', 'string.empty': 'feedback.description_required' }),
  // A form's datetime-local has no zone: it is read in the unit's local time by the service.
  occurredAt: Joi.string()
    .trim()
    .pattern(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/)
    .allow('', null)
    .messages({ 'string.pattern.base': 'feedback.occurred_format' }),
  waitMinutes: Joi.number().integer().min(0).max(1440).allow('', null).messages({
    'number.base': 'feedback.wait_format',
    'number.integer': 'feedback.wait_format',
    'number.min': 'feedback.wait_format',
    'number.max': 'feedback.wait_format',
  }),
  reporter: jsonObject({
    name: Joi.string().trim().max(100).allow(''),
    email: Joi.string()
      .trim()
      .lowercase()
      .email({ tlds: false })
      .max(200)
      .allow('')
      .messages({ 'string.email': 'feedback.email_format' }),
    phone: Joi.string()
      .trim()
      .pattern(/^\+?[0-9][0-9 ()-]{6,19}$/)
      .allow('')
      .messages({ 'string.pattern.base': 'feedback.phone_format' }),
  }).default({}),
  privacy: Joi.string()
    .valid(...privacies)
    .required()
    .messages({ 'any.only': 'feedback.privacy_required', 'any.required': 'feedback.privacy_required' }),
  consent: checkbox
    .valid(true)
    .required()
    .messages({ 'any.only': 'feedback.consent_required', 'any.required': 'feedback.consent_required' }),
});

export type TicketInput = {
  kind: (typeof kinds)[number];
  unitCode: string;
  serviceCode?: string | null;
  counter?: string | null;
  officerNip?: string | null;
  officerRef?: string | null;
  category?: string | null;
  description: string;
  occurredAt?: string | null;
  waitMinutes?: number | '' | null;
  reporter: { name?: string; email?: string; phone?: string };
  privacy: (typeof privacies)[number];
  consent: true;
};

export const replyInput = Joi.object({ body: Joi.string().trim().min(1).max(4000).required() });
/** Reopening: the reporter may say why, or not. */
export const reopenInput = replyInput.fork(['body'], (s) => s.optional().allow(''));
export const ratingInput = Joi.object({
  score: Joi.number().integer().min(1).max(5).required(),
  comment: Joi.string().trim().max(1000).allow('', null),
});
export const similarQuery = Joi.object({
  unitCode: unitCode.required(),
  category: Joi.string().trim().max(40).allow(''),
  q: Joi.string().trim().max(500).allow(''),
});
