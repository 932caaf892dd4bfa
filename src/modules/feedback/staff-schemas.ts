import Joi from 'joi';
import { unitCode } from '../directory/index.js';
import { findingOutcomes, kinds, statuses, ticketChannels } from './statuses.js';

/** The revision the person was looking at: a change to any other is refused as stale. */
export const revision = Joi.number().integer().min(0).required();
/** An officer by NIP or by the public reference on the unit's page. */
export const officer = Joi.string().trim().max(40);

/** A public reply or an internal note, in its own form and at its own address. */
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
  channel: Joi.string()
    .valid(...ticketChannels)
    .allow(''),
  officerNip: Joi.string().trim().max(40).allow(''),
  mine: Joi.boolean().truthy('1', 'on').falsy('0', '').default(false),
  q: Joi.string().trim().max(200).allow(''),
  page: Joi.number().integer().min(1).max(10_000).default(1),
});
