import { subscribe } from '../../platform/events.js';
import { logger } from '../../platform/logger.js';
import { Finding, Ticket } from '../feedback/model.js';
import { SurveyResponse } from '../surveys/model.js';
import {
  applyEntries,
  applySourceState,
  findingContribution,
  findingRevision,
  surveyContribution,
  SURVEY_FIELDS,
  ticketContribution,
  TICKET_FIELDS,
  unitInfo,
  type FindingLike,
  type SurveyLike,
  type TicketLike,
} from './rollups.js';

/**
 * What the analytics module does when other modules publish domain events (DESIGN.md section 4): keeps the rollups
 * with `$inc` upserts. Registered once per process by the server and by the test set-up; calling it again does
 * nothing, so no event is counted twice.
 *
 * Subscribers run after the publisher's write, fire-and-forget. When the database is down (or the process dies)
 * while one runs, its transaction is not committed and the error is logged: the rollups then lack that change (they
 * drift) until the next event for the same ticket (which applies the whole difference from the stored state) or
 * until `npm run rollups:rebuild`, which repairs everything from the source collections. A survey answer missed this
 * way is only repaired by the rebuild.
 */
let registered = false;

/** Applies the ticket as it is now (not as the event saw it): the state's revision decides what is new. */
export async function rollUpTicket(ticketId: string): Promise<void> {
  const ticket = await Ticket.findById(ticketId).select(TICKET_FIELDS).lean<TicketLike>();
  if (!ticket) return;
  await applySourceState(ticket._id, ticket.revision ?? 0, ticketContribution(ticket));
}

export async function rollUpSurvey(surveyId: string): Promise<void> {
  const survey = await SurveyResponse.findById(surveyId).select(SURVEY_FIELDS).lean<SurveyLike>();
  if (!survey) return;
  await applyEntries(surveyContribution(survey, (await unitInfo(survey.unitId)).timeZone));
}

export async function rollUpFinding(findingId: string): Promise<void> {
  const finding = await Finding.findById(findingId).lean<FindingLike>();
  if (!finding) return;
  const unitId = finding.unitPath[finding.unitPath.length - 1]!;
  const { timeZone, agencyCode } = await unitInfo(unitId);
  await applySourceState(
    `finding:${String(finding._id)}`,
    findingRevision(finding),
    findingContribution(finding, timeZone, agencyCode),
  );
}

/** The bus waits for the returned work (`eventsSettled`); a failure is logged here with what it means. */
const logged = (what: string, work: () => Promise<void>) => () =>
  work().catch((error: unknown) => {
    logger.error({ err: error, what }, 'rollup not updated; rollups drift until the next change or a rebuild');
  });

export function registerAnalyticsSubscribers(): void {
  if (registered) return;
  registered = true;
  subscribe('ticket.created', (event) => logged('ticket', () => rollUpTicket(event.ticketId))());
  subscribe('ticket.updated', (event) => logged('ticket', () => rollUpTicket(event.ticketId))());
  subscribe('survey.submitted', (event) => logged('survey', () => rollUpSurvey(event.surveyId))());
  subscribe('finding.recorded', (event) => logged('finding', () => rollUpFinding(event.findingId))());
}
