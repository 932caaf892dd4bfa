import { can, type Actor } from '../../platform/access.js';
import { canRead, ticketScope as feedbackTicketScope } from '../feedback/index.js';
import { rooms } from './events.js';

/**
 * Who may hear what on the live inbox. The rules are the HTTP ones (src/modules/feedback/staff.ts `canRead`):
 * 'tickets.read' reads a unit subtree; 'tickets.work' reads a ticket only while it is assigned to the person.
 */

/** Where a ticket sits, for a permission check: its unit path (agency first) and its handler. */
export interface TicketScope {
  unitPath: readonly string[];
  assigneeId: string | null;
}

export function mayRead(actor: Actor, ticket: TicketScope): boolean {
  return canRead(actor, { unitPath: ticket.unitPath, assignee: { userId: ticket.assigneeId } });
}

/**
 * The unit rooms a person listens to: one per grant that reads its subtree, so a head of a parent unit hears every
 * unit below it through the ticket's ancestors; a grant on every unit listens to `unit:*`.
 */
export function unitRoomsOf(actor: Actor): string[] {
  const joined = new Set<string>();
  for (const grant of actor.grants) {
    const onlyThisGrant = { ...actor, grants: [grant] };
    const unitPath = grant.unitId === null ? [] : [grant.unitId];
    if (!can(onlyThisGrant, 'tickets.read', { unitPath })) continue;
    joined.add(grant.unitId === null ? rooms.everyUnit : rooms.unit(grant.unitId));
  }
  return [...joined];
}

/** The scope of one ticket, or null when there is no such ticket (asked of the feedback module). */
export async function ticketScope(ticketId: string): Promise<TicketScope | null> {
  const scope = await feedbackTicketScope(ticketId);
  if (!scope) return null;
  return {
    unitPath: scope.unitPath.map(String),
    assigneeId: scope.assignee?.userId ? String(scope.assignee.userId) : null,
  };
}
