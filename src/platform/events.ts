import { EventEmitter } from 'node:events';
import type { InboxItem } from '../modules/feedback/inbox-item.js';
import { projectorsSettled } from './event-log.js';
import { logger } from './logger.js';

/**
 * The in-process domain event bus (DESIGN.md section 4), for live fan-out: services publish after their write has
 * committed; subscribers do side effects (sockets). A failing subscriber is logged and never fails the publisher's
 * request. What is stored from events (rollups, records) does not come from here: it comes from the event records
 * written in the change's own transaction (event-log.ts).
 */
/** What a ticket event carries: ids and codes for routing (rooms, rollups, records); never contact data. */
export interface TicketEvent {
  ticketId: string;
  code: string;
  kind: string;
  status: string;
  category: string | null;
  privacy: string;
  unitId: string;
  unitPath: string[];
  serviceCode: string | null;
  officerIds: string[];
  /** The staff-safe projection at the moment of the change, so the live inbox need not read the ticket again. */
  item?: InboxItem;
  at: Date;
}

export interface SurveyEvent {
  surveyId: string;
  unitId: string;
  unitPath: string[];
  serviceCode: string | null;
  officerId: string | null;
  answers: number[];
  at: Date;
}

export interface DomainEvents {
  'ticket.created': TicketEvent;
  'ticket.updated': TicketEvent & { change: string; public: boolean };
  'survey.submitted': SurveyEvent;
  'finding.recorded': {
    findingId: string;
    ticketId: string;
    officerId: string;
    outcome: string;
    category: string | null;
    unitPath: string[];
    at: Date;
  };
  'finding.answered': { findingId: string; ticketId: string; officerId: string; at: Date };
  /** A survey answer's rollups are written (all of them): figures read from rollups now count it. */
  'survey.rolled_up': { surveyId: string; unitPath: string[] };
  'unit.changed': { unitId: string; code: string };
  'officer.changed': { officerId: string; nip: string };
  'user.signed_in': { userId: string };
  /** A session ended (sign-out), or every session of a user (disabled, password reset): live sockets stop. */
  'user.sessions_ended': { userId: string | null; sessionId: string | null };
  'user.notice': { userId: string; kind: string; ticketCode: string; message: string };
}

type Handler<K extends keyof DomainEvents> = (payload: DomainEvents[K]) => void | Promise<void>;

const emitter = new EventEmitter();
emitter.setMaxListeners(100);

/** Handlers still running: a clean shutdown, a test's teardown or a spec waiting for a read model waits on them. */
const inFlight = new Set<Promise<void>>();

export function subscribe<K extends keyof DomainEvents>(event: K, handler: Handler<K>): () => void {
  const wrapped = (payload: DomainEvents[K]) => {
    const run: Promise<void> = Promise.resolve()
      .then(() => handler(payload))
      .catch((error: unknown) => logger.error({ err: error, event }, 'event subscriber failed'))
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  };
  emitter.on(event, wrapped);
  return () => emitter.off(event, wrapped);
}

export function publish<K extends keyof DomainEvents>(event: K, payload: DomainEvents[K]): void {
  emitter.emit(event, payload);
}

/**
 * Resolves once every handler started so far (and any they started in turn) has finished and this process's
 * projectors have applied every event recorded so far (event-log.ts): before the database closes, and in specs
 * before reading what subscribers and projectors write.
 */
export async function eventsSettled(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
  await projectorsSettled();
  while (inFlight.size) await Promise.all([...inFlight]);
}
