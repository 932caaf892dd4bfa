import type { NextFunction, Request, Response } from 'express';
import { AppError, isApiRequest } from './errors.js';

/**
 * Who may do what: roles, the actions they grant, and the one check every module makes. The accounts module stores
 * users and their grants and sets `req.actor`; everything else reads it through here (docs/architecture.md).
 */
export const roles = ['admin', 'unit_head', 'handler', 'coach', 'officer', 'viewer'] as const;
export type Role = (typeof roles)[number];

declare module 'express-serve-static-core' {
  interface Request {
    /** The signed-in person or API token holder; set by the accounts module's `loadActor`. */
    actor?: Actor;
    apiToken?: boolean;
  }
}

/** What a signed-in person may do: their id and their role grants, each on a unit subtree (null = everywhere). */
export interface Actor {
  id: string;
  email: string;
  name: string;
  officerNip: string | null;
  grants: { role: Role; unitId: string | null; unitCode: string | null }[];
}

export type Action =
  | 'directory.read' // see units, services, counters in admin pages
  | 'directory.manage' // create and change units, services, counters, officers; import CSV
  | 'officers.read' // staff directory look-up (names, NIP, positions)
  | 'accounts.manage' // create staff accounts and grant roles
  | 'calendar.manage' // holidays: national ones with a grant everywhere, local ones on the agency
  | 'tickets.read' // see tickets of the subtree in the inbox (handlers: only those assigned to them)
  | 'tickets.triage' // verify, reject, forward, assign, prioritise, tag, merge, close, reopen, record findings
  | 'tickets.record' // file a ticket on a citizen's behalf (counter, phone, letter, WhatsApp...) in the subtree
  | 'tickets.work' // reply, write notes, ask the citizen, resolve (handlers: on tickets assigned to them)
  | 'tickets.contact' // see the complainant's contact data (the verifiers), each view audited
  | 'coaching.read' // officers' records (feed, summary, evaluations) in the subtree; each read audited
  | 'coaching.write' // hold coaching sessions, record training, draft and sign evaluations
  | 'analytics.read' // IKM reports, trends and exports of the subtree (the public page needs no grant)
  | 'kiosks.manage' // register and revoke the counter kiosks of the subtree
  | 'audit.read'; // the audit log of the subtree (the inspectorate); entries about no unit need a grant everywhere

/** Role → actions. Later modules add their actions here, so there is one table to read. */
const actionsOf: Record<Role, readonly Action[]> = {
  admin: [
    'directory.read',
    'directory.manage',
    'officers.read',
    'accounts.manage',
    'calendar.manage',
    'analytics.read',
    'audit.read',
    'kiosks.manage',
  ],
  unit_head: [
    'directory.read',
    'officers.read',
    'tickets.read',
    'tickets.triage',
    'tickets.record',
    'tickets.work',
    'tickets.contact',
    'coaching.read',
    'analytics.read',
    'kiosks.manage',
  ],
  coach: ['directory.read', 'officers.read', 'coaching.read', 'coaching.write', 'analytics.read'],
  handler: ['officers.read', 'tickets.record', 'tickets.work'],
  // Front-line staff take complaints at the counter and on the phone; recording one decides nothing.
  officer: ['tickets.record'],
  viewer: ['directory.read', 'tickets.read', 'analytics.read', 'audit.read'],
};

/** A resource is located by its unit's path (root agency first, the unit itself last); [] is "a new agency". */
export interface Scoped {
  unitPath: readonly (string | { toString(): string })[];
}

/** The one permission check: does any grant of the actor allow the action on a unit in the resource's path? */
export function can(actor: Actor | undefined, action: Action, resource: Scoped): boolean {
  if (!actor) return false;
  const path = resource.unitPath.map(String);
  return actor.grants.some(
    (grant) => actionsOf[grant.role].includes(action) && (grant.unitId === null || path.includes(grant.unitId)),
  );
}

export function assertCan(actor: Actor | undefined, action: Action, resource: Scoped): void {
  if (!actor) throw new AppError('unauthenticated');
  if (!can(actor, action, resource)) throw new AppError('forbidden');
}

/**
 * The unit subtrees in which the actor may do the action, for building queries: `'all'`, or the unit ids whose
 * subtrees are allowed (match with `{ path: { $in: ids } }`). An empty list means nowhere.
 */
export function scopeOf(actor: Actor | undefined, action: Action): 'all' | string[] {
  if (!actor) return [];
  const grants = actor.grants.filter((grant) => actionsOf[grant.role].includes(action));
  if (grants.some((grant) => grant.unitId === null)) return 'all';
  return [...new Set(grants.map((grant) => grant.unitId!))];
}

export function hasAnyRole(actor: Actor | undefined, ...wanted: Role[]): boolean {
  return Boolean(actor?.grants.some((grant) => wanted.includes(grant.role)));
}

/** Where a person's working day starts after sign-in: the page of the role that has daily work first. */
export function startPageFor(actor: Actor): string {
  if (hasAnyRole(actor, 'unit_head', 'handler')) return '/inbox';
  if (hasAnyRole(actor, 'coach')) return '/coaching';
  if (hasAnyRole(actor, 'viewer')) return '/analytics/ikm';
  if (hasAnyRole(actor, 'admin')) return '/admin';
  if (actor.officerNip) return '/coaching/me';
  return '/';
}

/** Sign-in required: 401 JSON for the API, a redirect to the sign-in page for pages. */
export function requireActor(req: Request, res: Response, next: NextFunction): void {
  if (req.actor) return next();
  if (isApiRequest(req)) return next(new AppError('unauthenticated'));
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
}
