import type { Types } from 'mongoose';
import { publish } from '../../platform/events.js';
import { t, type Lang } from '../../platform/i18n.js';
import { type Actor, can, type Scoped } from '../../platform/access.js';
import { accountsOfOfficers, usersWithRoleOn } from '../accounts/index.js';
import { findOfficer, findOfficersByIds } from '../directory/index.js';
import { isDecision, type ActionName } from './actions.js';
import type { InboxItem } from './inbox-item.js';

/**
 * Conflict of interest (docs/conflict-of-interest.md). A ticket names an officer when the citizen named them or
 * staff tagged them. Every account linked to a named officer, while named, takes no decision on the ticket and sees
 * none of the citizen's words; when a unit's head is named, the ticket is decided one unit up (`decisionUnitId`).
 */

/** What these rules read of a ticket. */
export interface ConflictFacts {
  unitPath: readonly (Types.ObjectId | string)[];
  officerIds: readonly (Types.ObjectId | string)[];
  decisionUnitId?: Types.ObjectId | string | null;
  assignee?: { userId?: unknown } | null;
}

/** The officer (id) this account is, or null: an account not linked to an officer is never named. */
export async function officerIdOf(actor: Actor | undefined): Promise<string | null> {
  if (!actor?.officerNip) return null;
  const officer = await findOfficer({ nip: actor.officerNip });
  return officer ? String(officer._id) : null;
}

/** Does the ticket name the officer this account is? */
export function names(ticket: Pick<ConflictFacts, 'officerIds'>, officerId: string | null): boolean {
  return officerId !== null && ticket.officerIds.some((id) => String(id) === officerId);
}

export async function isNamed(actor: Actor | undefined, ticket: Pick<ConflictFacts, 'officerIds'>): Promise<boolean> {
  return ticket.officerIds.length > 0 && names(ticket, await officerIdOf(actor));
}

/**
 * Where decisions on the ticket are allowed: its unit path, cut at the unit that decides. A grant on the ticket's
 * own unit does not reach a ticket decided above it, so neither the named head nor their deputies decide it.
 */
export function decisionScope(ticket: ConflictFacts): Scoped {
  const path = ticket.unitPath.map(String);
  const decider = ticket.decisionUnitId ? String(ticket.decisionUnitId) : null;
  const at = decider ? path.indexOf(decider) : -1;
  return { unitPath: at >= 0 ? path.slice(0, at + 1) : path };
}

/** Decisions (triage, findings, merges, contact): never by a person the ticket names, and only where it is decided. */
export function canDecide(actor: Actor, ticket: ConflictFacts, named: boolean): boolean {
  return !named && can(actor, 'tickets.triage', decisionScope(ticket));
}

/** Answering and resolving: whoever decides, or the handler it is assigned to, unless the ticket names them. */
export function canWork(actor: Actor, ticket: ConflictFacts, named: boolean): boolean {
  const handler = String(ticket.assignee?.userId ?? '') === actor.id;
  return (
    canDecide(actor, ticket, named) ||
    (!named && handler && can(actor, 'tickets.work', { unitPath: ticket.unitPath.map(String) }))
  );
}

/** May this person take this action (actions.ts says whether it is a decision or work) on the ticket? */
export function mayTake(actor: Actor, ticket: ConflictFacts, named: boolean, action: ActionName): boolean {
  return isDecision(action) ? canDecide(actor, ticket, named) : canWork(actor, ticket, named);
}

/**
 * The unit that decides a ticket naming these officers: null for the ticket's own unit, or the nearest unit above
 * it none of whose heads is named. An agency (a root) whose own head is named keeps the ticket: its other triagers
 * decide, and the named head is refused one by one.
 */
export async function decisionUnitFor(
  unitPath: readonly (Types.ObjectId | string)[],
  officerIds: readonly (Types.ObjectId | string)[],
): Promise<string | null> {
  if (officerIds.length === 0) return null;
  const officers = await findOfficersByIds(officerIds.map(String));
  const named = new Set((await accountsOfOfficers(officers.map((officer) => officer.nip))).map((actor) => actor.id));
  if (named.size === 0) return null;
  let level = unitPath.length - 1;
  while (level > 0 && (await usersWithRoleOn('unit_head', unitPath[level]!)).some((head) => named.has(head.id)))
    level--;
  return level === unitPath.length - 1 ? null : String(unitPath[level]);
}

/** Account ids linked to the officers a ticket names: never offered as assignees, never assigned. */
export async function namedAccountIds(officerIds: readonly (Types.ObjectId | string)[]): Promise<Set<string>> {
  if (officerIds.length === 0) return new Set();
  const officers = await findOfficersByIds(officerIds.map(String));
  return new Set((await accountsOfOfficers(officers.map((officer) => officer.nip))).map((actor) => actor.id));
}

/** The inbox row as the named officer may see it: that a complaint names them and its category, not its words. */
export function withheldFromNamed(item: InboxItem): InboxItem {
  return { ...item, summary: '', attachments: 0, named: true };
}

/** The heads of a unit that now decides a ticket hear of it at once (a personal notice on the live inbox). */
export async function tellDeciders(move: { to: string | null }, ticket: { code: string }): Promise<void> {
  if (!move.to) return;
  for (const head of await usersWithRoleOn('unit_head', move.to))
    publish('user.notice', {
      userId: head.id,
      kind: 'decision_moved',
      ticketCode: ticket.code,
      message: t(head.lang as Lang, 'inbox.notice.decision_moved', { code: ticket.code }),
    });
}
