import { updateAndRead } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { recordEvent, writeWithEvents } from '../../platform/event-log.js';
import { publish } from '../../platform/events.js';
import { check } from '../../platform/validate.js';
import { calendarFor } from '../calendar/index.js';
import { isAccessToken, normaliseTrackingCode } from './codes.js';
import { dueFor } from './clock-settings.js';
import { Ticket, type TicketDoc } from './model.js';
import { ratingInput, reopenInput, replyInput } from './schemas.js';
import {
  answeredStatuses,
  isOpen,
  REOPEN_WINDOW_DAYS,
  resolvedStatuses,
  runningStatuses,
  statusType,
  type Status,
} from './statuses.js';
import { originalBody, originalDescription, sealCitizenText } from './sealed-text.js';
import { eventOf } from './service.js';

/**
 * The citizen's side of a ticket after filing: reading it with the code and access token, replying, confirming,
 * reopening within the window and rating the answer (docs/domain.md#transitions).
 */

/** The ticket behind a code and its access token; anything else is the same 404, so nothing can be probed. */
export async function ticketForCitizen(code: unknown, token: unknown): Promise<TicketDoc> {
  const normalised = normaliseTrackingCode(code);
  const ticket = normalised ? await Ticket.findOne({ code: normalised }).lean<TicketDoc>() : null;
  if (!ticket || !isAccessToken(ticket.code, ticket.tokenSalt, token))
    throw new AppError('not_found', 'feedback.not_found');
  return ticket;
}

const DAY_MS = 24 * 3600 * 1000;

function reopenDeadline(ticket: TicketDoc): Date | null {
  const answeredAt =
    ticket.status === 'resolved' ? ticket.resolvedAt : ticket.status === 'closed' ? ticket.closedAt : null;
  return answeredAt ? new Date(answeredAt.getTime() + REOPEN_WINDOW_DAYS * DAY_MS) : null;
}

/** What the citizen sees: status, the public timeline, replies from the unit — no internal notes, no staff names. */
export function citizenView(ticket: TicketDoc) {
  const deadline = reopenDeadline(ticket);
  const type = statusType(ticket.status as Status);
  return {
    code: ticket.code,
    kind: ticket.kind,
    status: ticket.status,
    statusType: type,
    unitCode: ticket.unitCode,
    timeZone: ticket.timeZone,
    serviceCode: ticket.serviceCode ?? null,
    counter: ticket.counterCode ?? null,
    category: ticket.category ?? null,
    privacy: ticket.privacy,
    // The citizen holds the access token: they read their own words as they wrote them.
    description: originalDescription(ticket),
    occurredAt: ticket.occurredAt ?? null,
    waitMinutes: ticket.waitMinutes ?? null,
    createdAt: ticket.createdAt,
    dueAt: ['open', 'paused'].includes(type) ? (ticket.dueAt ?? null) : null,
    attachments: ticket.attachments.map((a) => ({
      id: a.id,
      name: a.originalName ?? null,
      type: a.type,
      size: a.size,
    })),
    timeline: ticket.history
      .filter((entry) => entry.public)
      .map((entry) => ({
        at: entry.at,
        action: entry.action,
        by: entry.actor.kind === 'staff' ? 'unit' : entry.actor.kind,
        status: entry.action === 'status' || entry.action === 'created' ? entry.to : null,
        body: originalBody(entry),
      })),
    rating: ticket.rating?.score
      ? {
          score: ticket.rating.score,
          comment: originalBody({ body: ticket.rating.comment, bodySealed: ticket.rating.commentSealed }),
        }
      : null,
    can: {
      reply: isOpen(ticket.status as Status) || ticket.status === 'resolved',
      confirm: ticket.status === 'resolved',
      reopen: deadline !== null && deadline.getTime() > Date.now(),
      rate: answeredStatuses.includes(ticket.status as Status),
    },
    reopenUntil: deadline && deadline.getTime() > Date.now() ? deadline : null,
  };
}
export type CitizenView = ReturnType<typeof citizenView>;

/**
 * Applies one citizen action atomically: the update only lands if the ticket is still in a status that allows it
 * (a concurrent staff change wins, and the citizen gets a clear 409 instead of overwriting it).
 */
async function citizenChange(
  ticket: TicketDoc,
  allowed: readonly Status[],
  set: Record<string, unknown>,
  entry: Record<string, unknown>,
  change: string,
) {
  const now = new Date();
  const updated = await writeWithEvents(async (session) => {
    const changed = await updateAndRead<TicketDoc>(
      Ticket,
      { _id: ticket._id, status: { $in: allowed } },
      {
        $set: set,
        $inc: { revision: 1 },
        $push: { history: { at: now, actor: { kind: 'citizen' }, public: true, ...entry } },
      },
      { session },
    );
    if (changed) await recordEvent(session, 'ticket.updated', { ...eventOf(changed), change, public: true });
    return changed;
  });
  if (!updated) throw new AppError('conflict', 'feedback.not_now');
  publish('ticket.updated', { ...eventOf(updated), change, public: true });
  return updated;
}

/** A history entry's body from the citizen: the scrubbed copy that views read, and the sealed original. */
function citizenBody(text: string | null | undefined): { body: string | null; bodySealed?: string } {
  if (!text) return { body: null };
  const { scrubbed, sealed } = sealCitizenText(text);
  return { body: scrubbed, bodySealed: sealed };
}

/** The citizen adds information or answers a question; a ticket waiting for them goes back to the unit. */
export async function citizenReply(ticket: TicketDoc, raw: unknown) {
  const { body } = check(replyInput, raw);
  const open: readonly Status[] = [...runningStatuses, ...resolvedStatuses];
  // An answer to the unit's question restarts the paused clock, moved on by the working days it waited.
  const resumed = ticket.status === 'awaiting_citizen';
  const extended =
    resumed && ticket.dueAt && ticket.pausedAt
      ? (await calendarFor(ticket)).extendDue(ticket.dueAt, ticket.pausedAt, new Date())
      : undefined;
  const back: Record<string, unknown> = resumed
    ? { status: 'in_progress', pausedAt: null, ...(extended ? { dueAt: extended } : {}) }
    : {};
  return citizenChange(
    ticket,
    [...open, 'awaiting_citizen'],
    back,
    { action: 'citizen_reply', ...citizenBody(body), from: ticket.status, to: resumed ? 'in_progress' : ticket.status },
    'citizen_reply',
  );
}

export async function confirmResolved(ticket: TicketDoc) {
  return citizenChange(
    ticket,
    resolvedStatuses,
    { status: 'closed', closedAt: new Date(), dueAt: null, dueClock: null },
    { action: 'confirmed', from: 'resolved', to: 'closed' },
    'confirmed',
  );
}

/** A reopened ticket, by the citizen or by staff: back in progress, with a new first follow-up clock. */
export const reopenedState = (followUp: Date) => ({
  status: 'in_progress',
  resolvedAt: null,
  closedAt: null,
  'due.followUp': followUp,
  dueAt: followUp,
  dueClock: 'followUp',
});

/** Reopening is allowed within 30 days of the answer (resolved or closed; not rejected or merged). */
export async function reopen(ticket: TicketDoc, raw: unknown) {
  const deadline = reopenDeadline(ticket);
  if (!deadline) throw new AppError('conflict', 'feedback.not_now');
  if (deadline.getTime() <= Date.now()) throw new AppError('conflict', 'feedback.reopen_expired');
  const { body } = check(reopenInput, raw ?? {});
  const followUp = await dueFor('followUp', ticket, new Date());
  return citizenChange(
    ticket,
    answeredStatuses,
    reopenedState(followUp),
    { action: 'reopened', from: ticket.status, to: 'in_progress', ...citizenBody(body) },
    'reopened',
  );
}

export async function rateAnswer(ticket: TicketDoc, raw: unknown) {
  const input = check(ratingInput, raw);
  const comment = citizenBody(input.comment);
  return citizenChange(
    ticket,
    answeredStatuses,
    { rating: { score: input.score, comment: comment.body, commentSealed: comment.bodySealed, at: new Date() } },
    { action: 'rating', ...comment, to: String(input.score) },
    'rated',
  );
}
