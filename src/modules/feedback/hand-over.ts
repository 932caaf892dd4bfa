import { scopeOf, type Actor } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { canDecide, names, officerIdOf } from './conflict.js';
import { Ticket, type TicketDoc } from './model.js';
import { apply } from './staff/changes.js';
import { acceptedStatuses, openStatuses, statusType, type Status } from './statuses.js';

/**
 * Tickets as other systems see them: Open311 clients read the public requests; a LAPOR! hand-over reads what a staff
 * member may see and keeps what LAPOR! says of each report next to the ticket. Never contact data, never the sealed
 * originals: the scrubbed text only.
 */

// ---------------------------------------------------------------------------------------------------------------
// Public requests (Open311 GeoReport v2)

export interface PublicRequestQuery {
  codes?: string[];
  /** Requests of these (unit, category) pairs only. */
  services?: { unitCode: string; category: string }[];
  from: Date;
  to: Date;
  state?: 'open' | 'closed';
  limit: number;
}

/** A request as anyone may read it: no reporter, no officer; the text only once a verifier has accepted it. */
export interface PublicRequest {
  code: string;
  kind: string;
  category: string | null;
  unitCode: string;
  agencyCode: string;
  status: Status;
  open: boolean;
  /** The scrubbed text, or null while it awaits moderation or after it was turned down. */
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  dueAt: Date | null;
}

const publicFields = {
  code: 1,
  kind: 1,
  category: 1,
  unitCode: 1,
  agencyCode: 1,
  status: 1,
  description: 1,
  createdAt: 1,
  updatedAt: 1,
  dueAt: 1,
} as const;

function toPublicRequest(ticket: TicketDoc): PublicRequest {
  const status = ticket.status as Status;
  return {
    code: ticket.code,
    kind: ticket.kind,
    category: ticket.category ?? null,
    unitCode: ticket.unitCode,
    agencyCode: ticket.agencyCode,
    status,
    open: openStatuses.includes(status),
    description: acceptedStatuses.includes(status) ? ticket.description : null,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    dueAt: ticket.dueAt ?? null,
  };
}

/**
 * Public requests, newest first. Only tickets whose citizen chose `public`: confidential and anonymous ones publish
 * nothing (docs/domain.md#privacy), not even that they exist.
 */
export async function publicRequests(query: PublicRequestQuery): Promise<PublicRequest[]> {
  const filter: Record<string, unknown> = {
    privacy: 'public',
    createdAt: { $gte: query.from, $lte: query.to },
  };
  if (query.codes) filter.code = { $in: query.codes };
  if (query.services)
    filter.$or = query.services.map((service) => ({ unitCode: service.unitCode, category: service.category }));
  if (query.state) filter.status = query.state === 'open' ? { $in: openStatuses } : { $nin: openStatuses };
  const tickets = await Ticket.find(filter)
    .sort({ createdAt: -1 })
    .limit(query.limit)
    .select(publicFields)
    .lean<TicketDoc[]>();
  return tickets.map(toPublicRequest);
}

/** One public request by its code, or null (unknown, confidential or anonymous alike). */
export async function publicRequest(code: string): Promise<PublicRequest | null> {
  const ticket = await Ticket.findOne({ code, privacy: 'public' }).select(publicFields).lean<TicketDoc>();
  return ticket ? toPublicRequest(ticket) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// SP4N-LAPOR! hand-over

export interface HandOverQuery {
  codes?: string[];
  from?: Date;
  to?: Date;
  limit: number;
}

/** A ticket as a LAPOR! hand-over file carries it. */
export interface HandOverTicket {
  code: string;
  trackingNumber: string | null;
  kind: string;
  category: string | null;
  unitCode: string;
  agencyCode: string;
  privacy: string;
  status: Status;
  statusType: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  rejectReason: string | null;
  laporStatus: string | null;
  laporDisposition: string | null;
}

function toHandOver(ticket: TicketDoc): HandOverTicket {
  return {
    code: ticket.code,
    trackingNumber: ticket.lapor?.trackingNumber ?? null,
    kind: ticket.kind,
    category: ticket.category ?? null,
    unitCode: ticket.unitCode,
    agencyCode: ticket.agencyCode,
    privacy: ticket.privacy,
    status: ticket.status as Status,
    statusType: statusType(ticket.status as Status),
    description: ticket.description,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    resolvedAt: ticket.resolvedAt ?? null,
    closedAt: ticket.closedAt ?? null,
    rejectReason: ticket.rejectReason ?? null,
    laporStatus: ticket.lapor?.status ?? null,
    laporDisposition: ticket.lapor?.disposition ?? null,
  };
}

/**
 * The tickets a staff member may hand over: those of the subtrees they read (`tickets.read`), newest first, less
 * any ticket that names them.
 */
/** Whether the hand-over page is for this person: they read tickets of some unit (handlers only see their own). */
export function mayHandOver(actor: Actor | undefined): boolean {
  const scope = scopeOf(actor, 'tickets.read');
  return scope === 'all' || scope.length > 0;
}

export async function ticketsForHandOver(actor: Actor, query: HandOverQuery): Promise<HandOverTicket[]> {
  const scope = scopeOf(actor, 'tickets.read');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const filter: Record<string, unknown> = scope === 'all' ? {} : { unitPath: { $in: scope } };
  if (query.codes) filter.code = { $in: query.codes };
  if (query.from || query.to)
    filter.createdAt = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) };
  const ownOfficerId = await officerIdOf(actor);
  if (ownOfficerId) filter.officerIds = { $ne: ownOfficerId };
  const tickets = await Ticket.find(filter)
    .sort({ createdAt: -1 })
    .limit(query.limit)
    .select({ reporter: 0, descriptionSealed: 0, history: 0, searchTokens: 0, evidence: 0, tokenSalt: 0 })
    .lean<TicketDoc[]>();
  return tickets.map(toHandOver);
}

/** The ticket a LAPOR! report was linked to, as its hand-over row, or null. */
export async function ticketForLaporReport(trackingNumber: string): Promise<HandOverTicket | null> {
  const ticket = await Ticket.findOne({ 'lapor.trackingNumber': trackingNumber })
    .select({ reporter: 0, descriptionSealed: 0, history: 0, searchTokens: 0, evidence: 0, tokenSalt: 0 })
    .lean<TicketDoc>();
  return ticket ? toHandOver(ticket) : null;
}

export interface LaporState {
  trackingNumber: string;
  status: string | null;
  disposition: string | null;
}

/**
 * Keeps what LAPOR! says of a report on its ticket: the tracking number once, then LAPOR!'s status and disposition,
 * beside (never instead of) the ticket's own status and clocks. Only someone who decides the ticket may, and the
 * ticket's history records each change. Returns whether anything changed: the same state twice changes nothing.
 */
export async function recordLaporState(
  actor: Actor,
  code: string,
  state: LaporState,
): Promise<'updated' | 'unchanged'> {
  // A concurrent change moves the revision on: read again and decide again, a few times at most.
  for (let attempt = 1; ; attempt++) {
    const ticket = await Ticket.findOne({ code }).lean<TicketDoc>();
    if (!ticket) throw new AppError('not_found');
    if (!canDecide(actor, ticket, names(ticket, await officerIdOf(actor)))) throw new AppError('forbidden');
    const current = ticket.lapor;
    if (current && current.trackingNumber !== state.trackingNumber)
      throw new AppError('conflict', 'lapor.linked_elsewhere', { number: current.trackingNumber });
    if (current && current.status === state.status && current.disposition === state.disposition) return 'unchanged';
    const words = (facts: { status?: string | null; disposition?: string | null } | null | undefined) =>
      facts ? [facts.status, facts.disposition].filter(Boolean).join(' / ') || null : null;
    try {
      // The one way a staff change lands: against this revision, with its history entry and the event record.
      await apply(actor, ticket, ticket.revision, {
        set: { lapor: { ...state, updatedAt: new Date() } },
        history: [{ action: 'lapor', from: words(current), to: words(state), public: false }],
        change: 'lapor',
      });
      return 'updated';
    } catch (error) {
      const stale = error instanceof AppError && error.messageKey === 'feedback.stale';
      if (!stale || attempt >= 3) numberTaken(error, state.trackingNumber);
    }
  }
}

/** A tracking number is on one ticket at most (a unique index): a second ticket claiming it is refused. */
function numberTaken(error: unknown, trackingNumber: string): never {
  if ((error as { code?: number }).code === 11000)
    throw new AppError('conflict', 'lapor.number_taken', { number: trackingNumber });
  throw error;
}
