import type { RequestHandler } from 'express';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { AppError } from './errors.js';
import { logger } from './logger.js';

/**
 * Backpressure for public intake: when this process cannot keep up, a new ticket or survey answer is refused at once
 * with 503 and Retry-After (the client retries, safely with an Idempotency-Key) rather than accepted and answered
 * after the client has given up. Reads and staff work are never shed. Bounds are per process (config.ts).
 */
export interface BackpressureBounds {
  /** Mean event-loop delay, in ms, in each of the last two half-second samples, above which intake is shed; 0: off. */
  maxEventLoopDelayMs: number;
  /** Requests in flight past the database gate above which intake is shed; 0 turns the signal off. */
  maxInFlight: number;
  /** The least Retry-After sent; each answer adds up to as much again at random, so shed clients spread out. */
  retryAfterSeconds: number;
  /** Domain events not yet applied by every projector above which intake is shed (server.ts); 0 turns it off. */
  maxProjectorBacklog: number;
}

const SAMPLE_MS = 500;
const RESOLUTION_MS = 10;

let histogram: IntervalHistogram | undefined;
let lastSampleMs = 0;
/** The lower of the last two samples' mean delays: one long synchronous task is not a backlog, lag that lasts is. */
let eventLoopDelayMs = 0;

/** One monitor per process: the event loop is the process's, whichever app asks. */
function watchEventLoop(): void {
  if (histogram) return;
  histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const sample = setInterval(() => {
    // The monitor's own timer fires every RESOLUTION_MS at best: what lies beyond that is lag (no reading: none).
    const meanMs = histogram!.count > 0 ? histogram!.mean / 1e6 : RESOLUTION_MS;
    const sampleMs = Math.max(0, meanMs - RESOLUTION_MS);
    eventLoopDelayMs = Math.min(lastSampleMs, sampleMs);
    lastSampleMs = sampleMs;
    histogram!.reset();
  }, SAMPLE_MS);
  sample.unref();
}

const sources = new Map<string, () => boolean>();

/**
 * A further signal, e.g. a projector whose backlog is past its bound: while `isOverloaded()` says true, intake is
 * shed. A source that throws counts as not overloaded (a broken gauge must not close intake). Returns the undo.
 */
export function registerPressureSource(name: string, isOverloaded: () => boolean): () => void {
  sources.set(name, isOverloaded);
  return () => {
    if (sources.get(name) === isOverloaded) sources.delete(name);
  };
}

function overloadedSource(): string | undefined {
  for (const [name, isOverloaded] of sources) {
    try {
      if (isOverloaded()) return name;
    } catch (error) {
      logger.warn({ err: error, source: name }, 'pressure source failed; counted as not overloaded');
    }
  }
  return undefined;
}

export interface Backpressure {
  /** Counts the request as in flight until its response is finished or its connection is gone. */
  countInFlight: RequestHandler;
  /** Refuses public intake with AppError('overloaded') while any signal is past its bound; staff pass. */
  shedIntake: RequestHandler;
  /** Why intake would be shed now ('event_loop_delay', 'in_flight' or a source's name), or undefined. */
  pressure(): string | undefined;
}

const SHED_INTAKE = 'shedIntake';

/**
 * The app's `shedIntake` at a point a route chooses: a page form that reads its upload first sheds after it, so the
 * form can be shown again with everything the citizen typed and chose (an app-level shed runs before a multipart
 * body is read). The app puts its gate in `app.locals` (`useIntakeGate`); without one, nothing is shed.
 */
export const shedIntakeHere: RequestHandler = (req, res, next) => {
  const gate = req.app.locals[SHED_INTAKE] as RequestHandler | undefined;
  if (gate) gate(req, res, next);
  else next();
};

export function useIntakeGate(locals: Record<string, unknown>, backpressure: Backpressure): void {
  locals[SHED_INTAKE] = backpressure.shedIntake;
}

export function createBackpressure(bounds: BackpressureBounds): Backpressure {
  if (bounds.maxEventLoopDelayMs > 0) watchEventLoop();
  let inFlight = 0;
  let shedSinceLog = 0;
  let lastLog = 0;

  const pressure = (): string | undefined => {
    if (bounds.maxEventLoopDelayMs > 0 && eventLoopDelayMs > bounds.maxEventLoopDelayMs) return 'event_loop_delay';
    if (bounds.maxInFlight > 0 && inFlight > bounds.maxInFlight) return 'in_flight';
    return overloadedSource();
  };

  const countInFlight: RequestHandler = (_req, res, next) => {
    inFlight++;
    let counted = true;
    // 'close' comes once the response is sent or the client has gone, whichever is first.
    res.once('close', () => {
      if (counted) inFlight--;
      counted = false;
    });
    next();
  };

  const shedIntake: RequestHandler = (req, _res, next) => {
    const reason = req.actor ? undefined : pressure();
    if (!reason) return next();
    shedSinceLog++;
    // One line per ten seconds of shedding, not one per refused request.
    if (Date.now() - lastLog > 10_000) {
      logger.warn({ reason, shed: shedSinceLog, inFlight, eventLoopDelayMs }, 'intake shed: overloaded');
      lastLog = Date.now();
      shedSinceLog = 0;
    }
    const retryAfterSeconds = bounds.retryAfterSeconds + Math.floor(Math.random() * (bounds.retryAfterSeconds + 1));
    next(new AppError('overloaded', 'error.overloaded', { retryAfterSeconds }));
  };

  return { countInFlight, shedIntake, pressure };
}
