import type { Types } from 'mongoose';
import { eachBySlices } from '../../platform/slices.js';
import { normaliseTrackingCode } from './codes.js';
import { Finding, Ticket, type FindingDoc, type TicketDoc } from './model.js';
import { followUpStatuses, type FindingOutcome } from './statuses.js';

/**
 * What feedback knows about one officer, for the coaching records (docs/architecture.md, "Modules"): the findings
 * about them, the compliments naming them, the tickets their accounts handled. Coaching reads these through this
 * file and never through the models, so the ticket's shape stays feedback's own.
 */

type Window = { from: Date; to: Date };

export async function findFinding(id: string | Types.ObjectId): Promise<FindingDoc | null> {
  return Finding.findById(id).lean<FindingDoc>();
}

/** The officer's latest findings, newest first (what a coaching session may take up as a topic). */
export async function latestFindingsOf(officerId: Types.ObjectId, limit: number): Promise<FindingDoc[]> {
  return Finding.find({ officerId }).sort({ createdAt: -1 }).limit(limit).lean<FindingDoc[]>();
}

/** The officer's findings with one of these outcomes (and category, when given) last changed in the window, oldest first. */
export async function findingsOfOfficer(
  officerId: Types.ObjectId,
  which: { outcomes: readonly FindingOutcome[]; category?: string; changed: Window; limit?: number },
): Promise<FindingDoc[]> {
  const filter: Record<string, unknown> = {
    officerId,
    outcome: { $in: [...which.outcomes] },
    updatedAt: { $gte: which.changed.from, $lte: which.changed.to },
  };
  if (which.category !== undefined) filter.category = which.category;
  return Finding.find(filter)
    .sort({ updatedAt: 1 })
    .limit(which.limit ?? 0)
    .lean<FindingDoc[]>();
}

/** Ids of the officer's findings of a category with one of these outcomes, last changed in the window. */
export async function findingIdsOfOfficer(
  officerId: Types.ObjectId,
  which: { outcomes: readonly FindingOutcome[]; category: string; changed: Window },
): Promise<Types.ObjectId[]> {
  const findings = await Finding.find({
    officerId,
    category: which.category,
    outcome: { $in: [...which.outcomes] },
    updatedAt: { $gte: which.changed.from, $lte: which.changed.to },
  })
    .select({ _id: 1 })
    .lean<{ _id: Types.ObjectId }[]>();
  return findings.map((finding) => finding._id);
}

/** Officers with a finding of one of these outcomes last changed in the window. */
export async function officersWithFindings(which: {
  outcomes: readonly FindingOutcome[];
  changed: Window;
}): Promise<Types.ObjectId[]> {
  return (await Finding.distinct('officerId', {
    outcome: { $in: [...which.outcomes] },
    updatedAt: { $gte: which.changed.from, $lte: which.changed.to },
  })) as Types.ObjectId[];
}

/** Every finding about these officers, officer by officer (platform/slices.ts), for a rebuild or a drift check. */
export function eachFindingOf(officerIds: Types.ObjectId[], keep?: (finding: FindingDoc) => boolean) {
  return eachBySlices<FindingDoc>(Finding.collection, 'officerId', officerIds, { keep });
}

/** What a compliment tells about the officers it names. */
export type ComplimentFacts = Pick<
  TicketDoc,
  '_id' | 'code' | 'kind' | 'status' | 'category' | 'serviceCode' | 'unitCode' | 'officerIds' | 'description'
> & { createdAt: Date };

const complimentFields = {
  code: 1,
  kind: 1,
  status: 1,
  category: 1,
  serviceCode: 1,
  unitCode: 1,
  officerIds: 1,
  description: 1,
  createdAt: 1,
} as const;

/** The ticket's compliment facts (any kind: the caller checks it is a compliment). */
export async function findComplimentFacts(ticketId: string): Promise<ComplimentFacts | null> {
  return Ticket.findById(ticketId).select(complimentFields).lean<ComplimentFacts>();
}

/** Every compliment that names an officer, unit by unit (platform/slices.ts), those `keep` keeps. */
export function eachComplimentNamingOfficers(unitIds: Types.ObjectId[], keep?: (ticket: ComplimentFacts) => boolean) {
  return eachBySlices<ComplimentFacts>(Ticket.collection, 'unitId', unitIds, {
    projection: complimentFields,
    keep: (ticket) => ticket.kind === 'compliment' && ticket.officerIds?.length > 0 && (keep?.(ticket) ?? true),
  });
}

/** What a ticket is called in a coaching session's topics. */
export type TicketTopic = Pick<TicketDoc, '_id' | 'code' | 'category' | 'officerIds'>;

/** A ticket by its tracking code (as a citizen may type it) or by its id. */
export async function findTicketTopic(ref: string): Promise<TicketTopic | null> {
  const fields = { code: 1, category: 1, officerIds: 1 };
  const code = normaliseTrackingCode(ref);
  if (code) return Ticket.findOne({ code }).select(fields).lean<TicketTopic>();
  if (/^[0-9a-f]{24}$/i.test(ref)) return Ticket.findById(ref).select(fields).lean<TicketTopic>();
  return null;
}

/** The latest tickets naming the officer, newest first. */
export async function latestTicketsNaming(officerId: Types.ObjectId, limit: number) {
  return Ticket.find({ officerIds: officerId })
    .sort({ createdAt: -1 })
    .limit(limit)
    .select({ code: 1, category: 1, kind: 1, createdAt: 1 })
    .lean<Pick<TicketDoc, '_id' | 'code' | 'category' | 'kind'>[]>();
}

interface HandledTicket {
  due?: { followUp?: Date | null };
  history?: { at: Date; action: string; to?: string | null }[];
}

/**
 * Tickets assigned to these accounts and resolved in the window; "within time" when the first follow-up (the ticket
 * moving on to a follow-up status) came by the follow-up due time stored on the ticket.
 */
export async function ticketsHandledBy(accountIds: readonly Types.ObjectId[], window: Window) {
  if (!accountIds.length) return { handled: 0, withinTime: 0 };
  const tickets = await Ticket.find({
    'assignee.userId': { $in: [...accountIds] },
    resolvedAt: { $gte: window.from, $lte: window.to },
  })
    .select({ 'due.followUp': 1, 'history.at': 1, 'history.action': 1, 'history.to': 1 })
    .limit(5000)
    .lean<HandledTicket[]>();
  let withinTime = 0;
  for (const ticket of tickets) {
    const followUp = (ticket.history ?? []).find(
      (entry) => entry.action === 'status' && (followUpStatuses as readonly string[]).includes(entry.to ?? ''),
    );
    const due = ticket.due?.followUp;
    if (followUp && (!due || new Date(followUp.at) <= new Date(due))) withinTime++;
  }
  return { handled: tickets.length, withinTime };
}
