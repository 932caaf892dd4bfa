import Joi from 'joi';
import { unitCode } from '../directory/index.js';
import { findingOutcomes, kinds, priorities, rejectReasons, statuses } from './statuses.js';

const revision = Joi.number().integer().min(0).required();
const officer = Joi.string().trim().max(40);

/** PATCH /api/v1/tickets/:code: one action per request, against the revision the person was looking at. */
export const ticketAction = Joi.object({
  revision,
  action: Joi.string()
    .valid(
      'verify',
      'reject',
      'forward',
      'assign',
      'priority',
      'category',
      'tag',
      'untag',
      'ask',
      'resolve',
      'close',
      'reopen',
    )
    .required(),
  reason: Joi.when('action', {
    switch: [
      {
        is: 'reject',
        then: Joi.string()
          .valid(...rejectReasons)
          .required(),
      },
      // Taking a name off a complaint is audited with the reason given (never by the person named).
      { is: 'untag', then: Joi.string().trim().min(5).max(500).required() },
    ],
    otherwise: Joi.forbidden(),
  }),
  unitCode: Joi.when('action', { is: 'forward', then: unitCode.required(), otherwise: Joi.forbidden() }),
  assigneeId: Joi.when('action', {
    is: 'assign',
    then: Joi.string().hex().length(24).required(),
    otherwise: Joi.forbidden(),
  }),
  priority: Joi.when('action', {
    is: 'priority',
    then: Joi.string()
      .valid(...priorities)
      .required(),
    otherwise: Joi.forbidden(),
  }),
  category: Joi.when('action', {
    is: 'category',
    then: Joi.string().trim().max(40).required(),
    otherwise: Joi.forbidden(),
  }),
  officerNip: Joi.when('action', { is: Joi.valid('tag', 'untag'), then: officer, otherwise: Joi.forbidden() }),
  officerRef: Joi.when('action', { is: Joi.valid('tag', 'untag'), then: officer, otherwise: Joi.forbidden() }),
  template: Joi.string().trim().max(60).allow(''),
  // A public message to the citizen with the change (required when asking them something, unless a template is given).
  body: Joi.string()
    .trim()
    .max(4000)
    .allow('')
    .when('action', {
      is: 'ask',
      then: Joi.when('template', { is: Joi.string().min(1), otherwise: Joi.string().min(1).required() }),
    }),
});

export const staffReply = Joi.object({
  revision,
  // The text, or a response template whose text (in the citizen's language) is sent instead.
  body: Joi.string().trim().max(4000).allow(''),
  template: Joi.string().trim().max(60).allow(''),
  internal: Joi.boolean().truthy('on', '1', 'true').falsy('0', 'false', '').default(false),
}).or('body', 'template');

export const findingInput = Joi.object({
  revision,
  officerNip: officer,
  officerRef: officer,
  outcome: Joi.string()
    .valid(...findingOutcomes)
    .required(),
  note: Joi.string().trim().max(2000).allow('').default(''),
}).xor('officerNip', 'officerRef');

export const mergeInput = Joi.object({ revision, into: Joi.string().trim().max(20).required() });

export const contactInput = Joi.object({
  reason: Joi.string().valid('verification', 'follow_up', 'clarification', 'inspection').required(),
});

export const inboxQuery = Joi.object({
  unitCode: unitCode.allow(''),
  status: Joi.string()
    .valid(...statuses, 'open', 'overdue')
    .allow(''),
  kind: Joi.string()
    .valid(...kinds)
    .allow(''),
  category: Joi.string().trim().max(40).allow(''),
  officerNip: Joi.string().trim().max(40).allow(''),
  mine: Joi.boolean().truthy('1', 'on').falsy('0', '').default(false),
  q: Joi.string().trim().max(200).allow(''),
  page: Joi.number().integer().min(1).max(10_000).default(1),
});
