import type { RequestHandler } from 'express';
import { AppError } from '../../platform/errors.js';
import { csrfTokenFor } from '../../platform/security.js';
import { hasAnyRole, scopeOf } from '../../platform/access.js';
import { actorForApiToken } from './tokens.js';
import { actorForUserId } from './actors.js';

/**
 * Who is asking: an API token (`Authorization: Bearer …`) or the session's user. Sets `req.actor` and, for
 * pages, `res.locals.actor`/`csrfToken`. It never rejects: routes that need someone use `requireActor`.
 */
export const loadActor: RequestHandler = async (req, res, next) => {
  const bearer = req.get('authorization')?.match(/^Bearer\s+(suara_[\w-]{10,})$/)?.[1];
  if (bearer) {
    req.actor = await actorForApiToken(bearer);
    if (!req.actor) return next(new AppError('unauthenticated'));
    req.apiToken = true;
  } else if (req.session?.userId) {
    req.actor = await actorForUserId(req.session.userId);
    if (!req.actor) delete req.session.userId;
  }
  res.locals.actor = req.actor;
  res.locals.isAdmin = hasAnyRole(req.actor, 'admin');
  res.locals.canDirectory = hasAnyRole(req.actor, 'admin', 'unit_head', 'coach', 'viewer');
  res.locals.canInbox = hasAnyRole(req.actor, 'unit_head', 'handler', 'viewer');
  res.locals.canCoaching = hasAnyRole(req.actor, 'unit_head', 'coach') || Boolean(req.actor?.officerNip);
  res.locals.canAnalytics = hasAnyRole(req.actor, 'admin', 'unit_head', 'coach', 'viewer');
  res.locals.canAudit = hasAnyRole(req.actor, 'admin', 'viewer');
  res.locals.canKiosks = hasAnyRole(req.actor, 'admin', 'unit_head');
  // Officers record reports on a citizen's behalf without an inbox: the menu takes them to the form (the inbox links it).
  const recordScope = scopeOf(req.actor, 'tickets.record');
  res.locals.canRecordOnly = !res.locals.canInbox && (recordScope === 'all' || recordScope.length > 0);
  // Pages get the token lazily: only a page that renders a form puts one in the session. A function, which Handlebars
  // calls where `{{csrfToken}}` appears; not a getter, which Express's render would call when it copies res.locals,
  // so that every page — the public transparency page included — made a session (a durable write) and a cookie.
  res.locals.csrfToken = () => csrfTokenFor(req.session);
  next();
};
