import mongoose from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { can, type Actor } from '../../../platform/access.js';
import { normaliseTrackingCode } from '../codes.js';
import { Ticket, type TicketDoc } from '../model.js';

/**
 * Who may read a ticket, and finding it for them: every staff use case starts here, so a ticket is never handed out
 * without the reader's grants checked in the service (never only in the route).
 */

/** Where a ticket sits, for a permission check: its unit path (agency first) and its handler. */
export interface TicketScope {
  unitPath: readonly unknown[];
  assignee?: { userId?: unknown } | null;
}

export const isAssignee = (actor: Actor, ticket: TicketScope) => String(ticket.assignee?.userId ?? '') === actor.id;

/** Heads and viewers read their subtree; a handler reads only what is assigned to them (HTTP and live alike). */
export function canRead(actor: Actor | undefined, ticket: TicketScope): boolean {
  if (!actor) return false;
  const scope = { unitPath: ticket.unitPath.map(String) };
  return can(actor, 'tickets.read', scope) || (isAssignee(actor, ticket) && can(actor, 'tickets.work', scope));
}

/** A ticket's scope by id, for checks outside this module (the live gateway); null when there is no such ticket. */
export async function ticketScope(ticketId: string): Promise<TicketScope | null> {
  if (!mongoose.Types.ObjectId.isValid(ticketId)) return null;
  return Ticket.findById(ticketId).select({ unitPath: 1, assignee: 1 }).lean<TicketDoc>();
}

/** Refuses a person the ticket names with a message that says why, so they know the decision is someone else's. */
export function refuseNamed(): never {
  throw new AppError('forbidden', 'feedback.named_refused');
}

/** The ticket with this tracking code, for a person who may read it. */
export async function ticketFor(actor: Actor | undefined, code: unknown): Promise<TicketDoc> {
  if (!actor) throw new AppError('unauthenticated');
  const normalised = normaliseTrackingCode(code);
  const ticket = normalised ? await Ticket.findOne({ code: normalised }).lean<TicketDoc>() : null;
  if (!ticket) throw new AppError('not_found');
  if (!canRead(actor, ticket)) throw new AppError('forbidden');
  return ticket;
}
