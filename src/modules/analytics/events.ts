import { publish, subscribe } from '../../platform/events.js';
import { logger } from '../../platform/logger.js';
import { Finding, Ticket } from '../feedback/model.js';
import { SurveyResponse } from '../surveys/model.js';
import {
  applyEntries,
  applySourceState,
  applySourceStates,
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

/** Applies several tickets as they are now in one transaction (what `rollUpTicket` does for one). */
export async function rollUpTickets(ticketIds: string[]): Promise<void> {
  const tickets = await Ticket.find({ _id: { $in: ticketIds } })
    .select(TICKET_FIELDS)
    .lean<TicketLike[]>();
  if (!tickets.length) return;
  await applySourceStates(
    tickets.map((ticket) => ({
      id: ticket._id,
      revision: ticket.revision ?? 0,
      contribution: ticketContribution(ticket),
    })),
  );
}

/**
 * Ticket events within one short window are applied together: at intake rates many tickets share their rollup
 * documents (same day, unit, category), so one transaction with one `$inc` per document replaces one transaction per
 * event, and intake keeps the database to itself for longer. The window is the only delay a dashboard sees; a crash
 * inside it loses nothing that the next event for the ticket or a rebuild does not repair (as with any subscriber).
 */
const COALESCE_MS = 100;
let pending: { ids: Set<string>; applied: Promise<void> } | null = null;

function rollUpSoon(ticketId: string): Promise<void> {
  if (!pending) {
    const ids = new Set<string>();
    const applied = new Promise((resolve) => setTimeout(resolve, COALESCE_MS)).then(() => {
      pending = null;
      return rollUpTickets([...ids]);
    });
    pending = { ids, applied };
  }
  pending.ids.add(ticketId);
  return pending.applied;
}

/**
 * Counts a survey answer on its rollups (one bulk write per rollup collection, not one transaction: a reader in
 * between may see it on the unit's documents and not yet on the subtree's), then says so with `survey.rolled_up`,
 * so that what shows figures from rollups (the hall display) reads them once they all count it.
 */
export async function rollUpSurvey(surveyId: string): Promise<void> {
  const survey = await SurveyResponse.findById(surveyId).select(SURVEY_FIELDS).lean<SurveyLike>();
  if (!survey) return;
  await applyEntries(surveyContribution(survey, (await unitInfo(survey.unitId)).timeZone));
  publish('survey.rolled_up', { surveyId, unitPath: survey.unitPath.map(String) });
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
  subscribe('ticket.created', (event) => logged('ticket', () => rollUpSoon(event.ticketId))());
  subscribe('ticket.updated', (event) => logged('ticket', () => rollUpSoon(event.ticketId))());
  subscribe('survey.submitted', (event) => logged('survey', () => rollUpSurvey(event.surveyId))());
  subscribe('finding.recorded', (event) => logged('finding', () => rollUpFinding(event.findingId))());
}
