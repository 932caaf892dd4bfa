import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/**
 * What the code serving a request may need to know about it without every caller passing it along: the client's
 * address, as Express computes it under the `trust proxy` setting (config.ts `TRUST_PROXY`).
 */
export interface RequestContext {
  ip: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs the rest of the request inside its context; set once, early in app.ts. */
export const requestContext: RequestHandler = (req, _res, next) => {
  storage.run({ ip: req.ip ?? null }, next);
};

/** The context of the request being served, or undefined outside one (scheduled jobs, sockets, scripts). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
