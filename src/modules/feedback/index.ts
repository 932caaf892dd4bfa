/**
 * The feedback module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { feedbackRoutes } from './routes.js';
export { actOnTicket, canRead, recordFinding, replyToTicket, setPublicUrl, staffView, ticketScope } from './staff.js';
export { staffRoutes } from './staff-routes.js';
export { ticketActions } from './actions.js';
export type { ActionName } from './actions.js';
export { fileTicket } from './service.js';
export { normaliseTrackingCode } from './codes.js';
export { Finding, Ticket } from './model.js';
export type { FindingDoc, TicketDoc } from './model.js';
export { scrubPersonalData } from './text.js';
export { clockDefaults, kinds } from './statuses.js';
export type { FindingOutcome } from './statuses.js';
export { decisionScope, isNamed, officerIdOf, withheldFromNamed } from './conflict.js';
export { activeCategories, ensureCategories } from './categories.js';
export { answerFinding } from './findings.js';
export { audienceOf, loadInboxItem } from './inbox-item.js';
export type { InboxItem } from './inbox-item.js';
export { ensureResponseTemplates } from './templates.js';
export { registerClockJobs } from './clocks.js';
