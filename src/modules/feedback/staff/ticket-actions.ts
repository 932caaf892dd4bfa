import type Joi from 'joi';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { type Actor } from '../../../platform/access.js';
import {
  appliesTo,
  inputOf,
  isAllowedFrom,
  refusalOf,
  ticketActions,
  ticketAction,
  type ActionName,
} from '../actions.js';
import { actionFactsOf } from '../inbox-item.js';
import { isNamed, mayTake } from '../conflict.js';
import type { TicketDoc } from '../model.js';
import type { Status } from '../statuses.js';
import { refuseNamed, ticketFor } from './access.js';
import { textOfTemplate } from './changes.js';
import { effects, type ActionInput } from './effects.js';

/**
 * Every staff change to a ticket goes through `takeAction`: the ticket for this reader, the input checked against
 * the action's schema, the conflict-of-interest and permission rules, the message to the citizen, the statuses the
 * action is allowed from (all from actions.ts), and then the action's effect (effects.ts).
 */

async function takeAction(
  actor: Actor | undefined,
  code: unknown,
  raw: unknown,
  schema: Joi.ObjectSchema,
  actionOf: (input: ActionInput) => ActionName,
): Promise<TicketDoc> {
  const ticket = await ticketFor(actor, code);
  const input = check<ActionInput>(schema, raw);
  const action = actionOf(input);
  const named = await isNamed(actor, ticket);
  if (named) refuseNamed();
  if (!mayTake(actor!, ticket, named, action)) throw new AppError('forbidden');
  const body = input.body || (await textOfTemplate(input.template, ticket)) || null;
  if ('needsBody' in ticketActions[action] && !body)
    throw AppError.validation({ body: { key: 'validation.required' } });
  const status = ticket.status as Status;
  if (!isAllowedFrom(action, status)) throw new AppError('conflict', 'feedback.not_now');
  if (!appliesTo(action, actionFactsOf(ticket))) throw new AppError('conflict', refusalOf(action));
  return effects[action]({ actor: actor!, ticket, status, input, body, action, now: new Date() });
}

/** PATCH /api/v1/tickets/:code — verify, reject, forward, assign, prioritise, recategorise, tag, ask, resolve, close, reopen. */
export const actOnTicket = (actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> =>
  takeAction(actor, code, raw, ticketAction, (input) => input.action!);

/** A public reply (the citizen sees it, by e-mail too) or an internal note (staff only). */
export const replyToTicket = (actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> =>
  takeAction(actor, code, raw, inputOf('reply'), (input) => (input.internal ? 'note' : 'reply'));

/** A finding about one tagged officer: the only way a complaint can count against them. */
export const recordFinding = (actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> =>
  takeAction(actor, code, raw, inputOf('finding'), () => 'finding');

/** Marks a ticket as a duplicate of another open one; the citizen is told, and no internal note crosses. */
export const mergeTicket = (actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> =>
  takeAction(actor, code, raw, inputOf('merge'), () => 'merge');
