import { EventEmitter } from 'node:events';
import type { DomainEvents } from './domain-events.js';
import { projectorsSettled } from './event-log.js';
import { logger } from './logger.js';

export type { DomainEvents, SurveyEvent, TicketEvent } from './domain-events.js';

/**
 * The in-process domain event bus (docs/architecture.md#events-and-projections), for live fan-out: services publish after their write has
 * committed; subscribers do side effects (sockets). A failing subscriber is logged and never fails the publisher's
 * request. What is stored from events (rollups, records) does not come from here: it comes from the event records
 * written in the change's own transaction (event-log.ts).
 */
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
