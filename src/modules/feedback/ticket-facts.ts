import { Types } from 'mongoose';
import { readBySlices, type Slice, type SlicePosition } from '../../platform/slices.js';
import { Ticket, type TicketDoc } from './model.js';
import { answeredStatuses, closedStatuses, type Kind, type Status } from './statuses.js';

/**
 * What other modules count of tickets (analytics' rollups, the showcase of resolved tickets), computed here from the
 * ticket and its history, so that no other module reads history entries or knows their kinds.
 */

/** The fields of a ticket its facts are computed from (a projection keeps reads of many tickets small). */
const FACT_FIELDS = {
  kind: 1,
  category: 1,
  unitId: 1,
  unitPath: 1,
  agencyCode: 1,
  timeZone: 1,
  serviceCode: 1,
  waitMinutes: 1,
  status: 1,
  revision: 1,
  createdAt: 1,
  updatedAt: 1,
  resolvedAt: 1,
  closedAt: 1,
  rating: 1,
  due: 1,
  'history.at': 1,
  'history.action': 1,
  'history.from': 1,
  'history.to': 1,
  'history.public': 1,
  'history.actor.kind': 1,
} as const;

interface HistoryLike {
  at: Date;
  action: string;
  from?: string | null;
  to?: string | null;
  public?: boolean;
  actor?: { kind?: string } | null;
}

/** A ticket as read with FACT_FIELDS. */
interface StoredTicket {
  _id: Types.ObjectId;
  kind: Kind;
  category?: string | null;
  unitId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  agencyCode?: string | null;
  timeZone: string;
  serviceCode?: string | null;
  waitMinutes?: number | null;
  status: Status;
  revision?: number | null;
  createdAt: Date;
  updatedAt?: Date | null;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  rating?: { score?: number | null; at?: Date | null } | null;
  due?: { verify?: Date | null; followUp?: Date | null } | null;
  history?: HistoryLike[] | null;
}

/** A step answered against a legal clock: when, since when the clock ran, and whether it was in time. */
export interface ClockedStep {
  at: Date;
  clockStartedAt: Date;
  /** By the stored due time; null when no due time is known for it. */
  withinLimit: boolean | null;
}

/** What a ticket amounts to for counting: where it belongs, and when each step of its handling happened. */
export interface TicketFacts {
  id: Types.ObjectId;
  /** Bumped by every change: facts of a higher revision replace those of a lower one. */
  revision: number;
  kind: Kind;
  category: string | null;
  unitId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  agencyCode: string | null;
  timeZone: string;
  serviceCode: string | null;
  /** The citizen's reported waiting minutes, when given and sensible. */
  waitMinutes: number | null;
  createdAt: Date;
  updatedAt: Date;
  /** The first decision on the received ticket (verified, rejected, merged) since the last forward. */
  verification: (ClockedStep & { verified: boolean }) | null;
  /** The first public staff answer (a reply or a resolution) after verification. */
  firstResponse: ClockedStep | null;
  resolvedAt: Date | null;
  /** How and when the ticket ended, when it ended closed, rejected or merged. */
  ended: { as: Status; at: Date } | null;
  /** One instant per reopening. */
  reopenedAt: Date[];
  rating: { score: number; at: Date } | null;
}

const time = (value: Date | string) => new Date(value).getTime();

const isReopening = (entry: HistoryLike) =>
  entry.action === 'reopened' ||
  (entry.action === 'status' && answeredStatuses.includes(entry.from as Status) && entry.to === 'in_progress');

/** The first decision on a received ticket since the last forward (forwarding restarts the verify clock). */
function verificationOf(ticket: StoredTicket, history: HistoryLike[]): TicketFacts['verification'] {
  let forwardedAt: Date | null = null;
  for (const entry of history) if (entry.action === 'forwarded') forwardedAt = new Date(entry.at);
  const clockStartedAt = forwardedAt ?? new Date(ticket.createdAt);
  const decision = history.find(
    (entry) => entry.action === 'status' && entry.from === 'received' && new Date(entry.at) >= clockStartedAt,
  );
  if (!decision) return null;
  const at = new Date(decision.at);
  const due = ticket.due?.verify ? new Date(ticket.due.verify) : null;
  return { at, clockStartedAt, verified: decision.to === 'verified', withinLimit: due ? at <= due : null };
}

/**
 * The first public staff answer after verification; its clock runs from the last verification or assignment before
 * it. A reopening overwrites the stored follow-up due time, so a reopened ticket has no known due time for it.
 */
function firstResponseOf(ticket: StoredTicket, history: HistoryLike[], verifiedAt: Date): ClockedStep | null {
  const answer = history.find(
    (entry) =>
      new Date(entry.at) >= verifiedAt &&
      entry.actor?.kind === 'staff' &&
      entry.public !== false &&
      (entry.action === 'reply' || (entry.action === 'status' && entry.to === 'resolved')),
  );
  if (!answer) return null;
  const at = new Date(answer.at);
  let clockStartedAt = verifiedAt;
  for (const entry of history) {
    const entryAt = new Date(entry.at);
    if (entryAt > at) break;
    if (entry.action === 'status' && (entry.to === 'verified' || entry.to === 'assigned')) clockStartedAt = entryAt;
  }
  const due = ticket.due?.followUp && !history.some(isReopening) ? new Date(ticket.due.followUp) : null;
  return { at, clockStartedAt, withinLimit: due ? at <= due : null };
}

/** The facts of one ticket, from the document alone (no clock, no database). */
export function ticketFactsOf(ticket: StoredTicket): TicketFacts {
  const history = [...(ticket.history ?? [])].sort((a, b) => time(a.at) - time(b.at));
  const created = new Date(ticket.createdAt);
  const verification = verificationOf(ticket, history);
  const wait = ticket.waitMinutes;
  const score = ticket.rating?.score;
  return {
    id: new Types.ObjectId(String(ticket._id)),
    revision: ticket.revision ?? 0,
    kind: ticket.kind,
    category: ticket.category ?? null,
    unitId: new Types.ObjectId(String(ticket.unitId)),
    unitPath: ticket.unitPath.map((id) => new Types.ObjectId(String(id))),
    agencyCode: ticket.agencyCode ?? null,
    timeZone: ticket.timeZone,
    serviceCode: ticket.serviceCode ?? null,
    waitMinutes: typeof wait === 'number' && Number.isFinite(wait) && wait >= 0 ? wait : null,
    createdAt: created,
    updatedAt: new Date(ticket.updatedAt ?? created),
    verification,
    firstResponse: verification?.verified ? firstResponseOf(ticket, history, verification.at) : null,
    resolvedAt: ticket.resolvedAt ? new Date(ticket.resolvedAt) : null,
    ended:
      ticket.closedAt && closedStatuses.includes(ticket.status)
        ? { as: ticket.status, at: new Date(ticket.closedAt) }
        : null,
    reopenedAt: history.filter(isReopening).map((entry) => new Date(entry.at)),
    rating: score
      ? { score, at: new Date(ticket.rating?.at ?? ticket.closedAt ?? ticket.resolvedAt ?? created) }
      : null,
  };
}

/** The facts of the tickets with these ids (those that exist). */
export async function ticketFactsByIds(ids: string[]): Promise<TicketFacts[]> {
  const tickets = await Ticket.find({ _id: { $in: ids } })
    .select(FACT_FIELDS)
    .lean<StoredTicket[]>();
  return tickets.map(ticketFactsOf);
}

/** About how many tickets there are (the collection's estimate, for progress lines). */
export const estimatedTicketCount = () => Ticket.collection.estimatedDocumentCount();

/**
 * Every ticket's facts, a unit at a time (platform/slices.ts says why not one cursor), from `from` on: the same
 * data gives the same sequence, so a saved position continues exactly after what an earlier read took.
 */
export async function* ticketFactSlices(
  unitIds: Types.ObjectId[],
  from: SlicePosition | null = null,
): AsyncGenerator<Slice<TicketFacts>> {
  for await (const { slice, docs, offset } of readBySlices<StoredTicket>(Ticket.collection, 'unitId', unitIds, {
    projection: FACT_FIELDS,
    from,
  }))
    yield { slice, docs: docs.map(ticketFactsOf), offset };
}

/** The facts of the tickets of these units created before `to` and changed since `since`, one at a time. */
export async function* ticketFactsChangedIn(
  unitIds: Types.ObjectId[],
  window: { since: Date; to: Date },
): AsyncGenerator<TicketFacts> {
  for await (const { docs } of ticketFactSlices(unitIds))
    for (const facts of docs) if (facts.createdAt < window.to && facts.updatedAt >= window.since) yield facts;
}

/** A resolved public ticket as the showcase suggests it: what the citizen wrote and the unit's last public answer. */
export interface AnsweredTicket {
  _id: Types.ObjectId;
  code: string;
  kind: Kind;
  category: string | null;
  description: string;
  unitCode: string;
  resolvedAt: Date | null;
  lastPublicAnswer: string | null;
}

/** The last public reply of staff (a resolution's message is a reply entry after the status step). */
const lastPublicAnswerOf = (history: TicketDoc['history']) =>
  [...history]
    .reverse()
    .find((entry) => entry.public && entry.action === 'reply' && entry.actor?.kind === 'staff' && entry.body)?.body ??
  null;

/**
 * Answered public tickets (not rejected or merged), newest resolution first, at most `limit`: of a unit's subtree
 * (`unitId`) or within the units of `scope` ('all' for every unit), leaving out those naming `notNaming`.
 */
export async function answeredPublicTickets(options: {
  scope: 'all' | string[];
  unitId?: Types.ObjectId | null;
  notNaming?: string | null;
  limit: number;
}): Promise<AnsweredTicket[]> {
  const filter: Record<string, unknown> = {
    privacy: 'public',
    status: { $in: answeredStatuses },
    rejectReason: null,
    mergedInto: null,
  };
  if (options.scope !== 'all') filter.unitPath = { $in: options.scope.map((id) => new Types.ObjectId(id)) };
  if (options.notNaming) filter.officerIds = { $ne: new Types.ObjectId(options.notNaming) };
  if (options.unitId) filter.unitPath = options.unitId;
  const tickets = await Ticket.find(filter)
    .sort({ resolvedAt: -1, updatedAt: -1 })
    .limit(options.limit)
    .select({ code: 1, kind: 1, category: 1, description: 1, unitCode: 1, resolvedAt: 1, history: 1 })
    .lean<TicketDoc[]>();
  return tickets.map((ticket) => ({
    _id: ticket._id,
    code: ticket.code,
    kind: ticket.kind as Kind,
    category: ticket.category ?? null,
    description: ticket.description,
    unitCode: ticket.unitCode,
    resolvedAt: ticket.resolvedAt ?? null,
    lastPublicAnswer: lastPublicAnswerOf(ticket.history),
  }));
}

/** Whether a ticket is answered (resolved, or closed after a resolution; never rejected or merged). */
export const isAnswered = (ticket: Pick<TicketDoc, 'status' | 'rejectReason' | 'mergedInto'>) =>
  answeredStatuses.includes(ticket.status as Status) && !ticket.rejectReason && !ticket.mergedInto;

/** A ticket by its tracking code (already normalised), whole, for a decision about it. */
export function findTicketByCode(code: string): Promise<TicketDoc | null> {
  return Ticket.findOne({ code }).lean<TicketDoc>();
}
