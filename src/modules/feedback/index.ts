/**
 * The feedback module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import adminMessages from './admin-messages.js';
import { adminRoutes } from './admin-routes.js';
import attachmentMessages from './attachment-messages.js';
import { s3Store } from './attachments/s3-store.js';
import { useAttachmentStore } from './attachments/storage.js';
import { gridFsStore } from './attachments/store.js';
import { ensureCategories } from './categories.js';
import clockMessages from './clock-messages.js';
import { registerClockJobs } from './clocks.js';
import messages from './messages.js';
import staffMessages from './staff-messages.js';
import { feedbackRoutes } from './routes.js';
import { setPublicUrl as usePublicUrl } from './staff.js';
import { staffRoutes } from './staff-routes.js';
import { ensureResponseTemplates } from './templates.js';
import { registerUnitPathFollower } from './unit-moves.js';
export { feedbackRoutes } from './routes.js';
export { actOnTicket, canRead, recordFinding, replyToTicket, setPublicUrl, staffView, ticketScope } from './staff.js';
export { staffRoutes } from './staff-routes.js';
export { ticketActions } from './actions.js';
export type { ActionName } from './actions.js';
export { fileTicket } from './service.js';
export type { IntakeContext, Receipt } from './service.js';
export { ticketsPerChannel } from './channel-counts.js';
export {
  publicRequest,
  publicRequests,
  recordLaporState,
  ticketForLaporReport,
  ticketsForHandOver,
} from './hand-over.js';
export type { HandOverTicket, LaporState, PublicRequest } from './hand-over.js';
export { normaliseTrackingCode } from './codes.js';
export type { FindingDoc, TicketDoc } from './model.js';
export { scrubPersonalData } from './text.js';
export { clockDefaults, kinds, ticketChannels } from './statuses.js';
export { clockBounds, clockLengthKeys, clockLengthsFor, clockLengthsInput, setClockLengths } from './clock-settings.js';
export type { ClockLengthKey, ClockLengths } from './clock-settings.js';
export type { FindingOutcome } from './statuses.js';
export { decisionScope, isNamed, officerIdOf, withheldFromNamed } from './conflict.js';
export { activeCategories, categoryNames, ensureCategories } from './categories.js';
export { answerFinding } from './findings.js';
export { audienceOf, loadInboxItem } from './inbox-item.js';
export type { InboxItem } from './inbox-item.js';
export { ensureResponseTemplates } from './templates.js';
export { registerClockJobs } from './clocks.js';
export { purgeAttachments, purgeContactData } from './retention.js';
export { answeredStatuses, closedStatuses } from './statuses.js';
export {
  answeredPublicTickets,
  estimatedTicketCount,
  findTicketByCode,
  isAnswered,
  ticketFactsByIds,
  ticketFactsChangedIn,
  ticketFactSlices,
  ticketFactsOf,
} from './ticket-facts.js';
export type { AnsweredTicket, ClockedStep, TicketFacts } from './ticket-facts.js';
export { countedOutcomes, followUpStatuses, unverifiedStatuses } from './statuses.js';
export {
  eachComplimentNamingOfficers,
  eachFindingOf,
  findComplimentFacts,
  findFinding,
  findingIdsOfOfficer,
  findingsOfOfficer,
  findTicketTopic,
  latestFindingsOf,
  latestTicketsNaming,
  officersWithFindings,
  ticketsHandledBy,
} from './officer-facts.js';
export type { ComplimentFacts, TicketTopic } from './officer-facts.js';
export { findingAnswerInput } from './findings.js';

export const feedback: ModuleManifest = {
  name: 'feedback',
  messages: [messages, staffMessages, attachmentMessages, clockMessages, adminMessages],
  configure: (config) => {
    usePublicUrl(config.publicUrl); // links in the e-mails staff actions send
    useAttachmentStore(config.attachmentsS3 ? s3Store(config.attachmentsS3) : gridFsStore());
  },
  routes: (config) => [feedbackRoutes(config), staffRoutes(config), adminRoutes()],
  subscribers: registerUnitPathFollower, // tickets follow a moved unit (unit-moves.ts)
  jobs: (config) => registerClockJobs(config),
  referenceData: async () => {
    await ensureCategories();
    await ensureResponseTemplates();
  },
};
