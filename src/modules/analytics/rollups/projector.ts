import { registerProjector, type StoredEvent } from '../../../platform/event-log.js';
import { publish, type DomainEvents } from '../../../platform/events.js';
import { findUnitById } from '../../directory/index.js';
import { ticketFactsByIds } from '../../feedback/index.js';
import { answerFactsById } from '../../surveys/index.js';
import { surveyContribution, ticketContribution } from './contribution.js';
import { applyOnce, applySourceStates } from './writes.js';

/**
 * The analytics projector (platform/event-log.ts): keeps the rollups with `$inc` upserts from the durable event
 * records, which every process applies in batches under a lease. Registered once per process by the server and by
 * the test set-up; calling it again does nothing.
 *
 * Every application is idempotent, so an event applied twice (a lease that ran out, a process that died before
 * marking it done) changes nothing: tickets through their stored states and revisions, survey answers through their
 * marker states. A failed application leaves the event pending and it is tried again (event-log.ts says when);
 * `npm run verify` compares the rollups with a recomputation from the sources.
 */
export const ANALYTICS_PROJECTOR = 'analytics.rollups';
let registered = false;

/** Applies a ticket as it is now (not as the event saw it): the state's revision decides what is new. */
export async function rollUpTicket(ticketId: string): Promise<void> {
  await rollUpTickets([ticketId]);
}

/** Applies several tickets as they are now in one transaction (what `rollUpTicket` does for one). */
export async function rollUpTickets(ticketIds: string[]): Promise<void> {
  const tickets = await ticketFactsByIds(ticketIds);
  if (!tickets.length) return;
  await applySourceStates(
    tickets.map((ticket) => ({ id: ticket.id, revision: ticket.revision, contribution: ticketContribution(ticket) })),
  );
}

/** The time zone of a unit (its agency's): survey answers carry none. */
const timeZoneOf = async (unitId: unknown) => (await findUnitById(String(unitId)))?.timeZone ?? 'Asia/Jakarta';

/**
 * Counts a survey answer on its rollups once (one transaction with its marker state; again it changes nothing),
 * then says so with `survey.rolled_up`, so that what shows figures from rollups (the hall display) reads them now.
 */
export async function rollUpSurvey(surveyId: string): Promise<void> {
  const survey = await answerFactsById(surveyId);
  if (!survey) return;
  await applyOnce(`survey:${surveyId}`, surveyContribution(survey, await timeZoneOf(survey.unitId)));
  publish('survey.rolled_up', { surveyId, unitPath: survey.unitPath.map(String) });
}

/** Applies a batch of event records: the batch's tickets together in one transaction, the answers one by one. */
async function project(events: StoredEvent[]): Promise<void> {
  const tickets = new Set<string>();
  for (const event of events)
    if (event.name === 'ticket.created' || event.name === 'ticket.updated')
      tickets.add((event.payload as DomainEvents['ticket.created']).ticketId);
  if (tickets.size) await rollUpTickets([...tickets]);
  for (const event of events)
    if (event.name === 'survey.submitted')
      await rollUpSurvey((event.payload as DomainEvents[typeof event.name]).surveyId);
}

export function registerAnalyticsSubscribers(): void {
  if (registered) return;
  registered = true;
  registerProjector({
    name: ANALYTICS_PROJECTOR,
    events: ['ticket.created', 'ticket.updated', 'survey.submitted'],
    apply: project,
  });
}
