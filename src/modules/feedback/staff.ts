/**
 * The staff side of a ticket (docs/domain.md): the inbox, the staff view, and every action of actions.ts — each
 * checked in the service against the actor's grants (never only in the route), each appending history, each refused
 * when the ticket changed since the person loaded it. The pieces live in staff/; this file gathers them.
 */
export { canRead, ticketScope, type TicketScope } from './staff/access.js';
export { setPublicUrl } from './staff/changes.js';
export { listInbox } from './staff/inbox.js';
export { actOnTicket, mergeTicket, recordFinding, replyToTicket } from './staff/ticket-actions.js';
export { attachmentFor, openTicket, revealContact, staffView, type StaffView } from './staff/ticket-reads.js';
