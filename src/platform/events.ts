import { EventEmitter } from 'node:events';
import type { InboxItem } from '../modules/feedback/inbox-item.js';
import { logger } from './logger.js';

/**
 * The in-process domain event bus (DESIGN.md section 4). Services publish after their write has succeeded;
 * subscribers do side effects. A failing subscriber is logged and never fails the publisher's request: work that
 * must not be lost (mail) is written to the database by the subscriber before anything else can go wrong.
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
 * Resolves once every handler started so far (and any they started in turn) has finished: before the database
 * closes, so that no subscriber's transaction is cut off half-way (a rollup or record update would then drift
 * until a rebuild), and in specs before reading what subscribers write.
 */
export async function eventsSettled(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}
