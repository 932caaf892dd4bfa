import mongoose, { type ClientSession, type Types } from 'mongoose';
import { unseal } from '../../../platform/crypto.js';
import { updateAndRead } from '../../../platform/db.js';
import { AppError } from '../../../platform/errors.js';
import { recordEvent } from '../../../platform/event-log.js';
import { publish } from '../../../platform/events.js';
import { t, type Lang } from '../../../platform/i18n.js';
import { type Actor } from '../../../platform/access.js';
import { findUnitById, serviceCompletionDays } from '../../directory/index.js';
import { queueMail, type MailTemplate } from '../../notifications/index.js';
import { ticketActions, type ActionName, type ClockEffect } from '../actions.js';
import { accessTokenFor } from '../codes.js';
import { decisionUnitFor } from '../conflict.js';
import { informationClockFields } from '../information-clock.js';
import { Ticket, type TicketDoc } from '../model.js';
import { eventOf, trackUrl } from '../service.js';
import { type Status } from '../statuses.js';
import { dueFor } from '../clock-settings.js';
import { templateText } from '../templates.js';

/**
 * How a staff action lands on a ticket: one atomic write against the revision the person was looking at, with its
 * history, the citizen's e-mail, any second document and the event record in one transaction.
 */

export interface Change {
  set?: Record<string, unknown>;
  unset?: string[];
  history: { action: string; from?: string | null; to?: string | null; body?: string | null; public: boolean }[];
  change: string;
  /** What the citizen is told by e-mail, when they gave an address. */
  mail?: { template: MailTemplate; body?: string; data?: Record<string, unknown> };
  /** Other changes that must land with this one (a merge writes two tickets). */
  also?: (session: ClientSession) => Promise<void>;
}

/**
 * Applies a change atomically: only to the revision the actor was looking at (a stale edit is refused, not
 * overwritten), with its history, and in one transaction with the citizen's e-mail and any second document.
 */
export async function apply(actor: Actor, ticket: TicketDoc, revision: number, change: Change): Promise<TicketDoc> {
  const now = new Date();
  const history = change.history.map((entry) => ({
    at: now,
    actor: { kind: 'staff', userId: actor.id, name: actor.name },
    ...entry,
  }));
  const update = {
    $set: change.set ?? {},
    ...(change.unset?.length ? { $unset: Object.fromEntries(change.unset.map((field) => [field, 1])) } : {}),
    $push: { history: { $each: history } },
    $inc: { revision: 1 },
  };
  const email = change.mail && ticket.reporter?.email ? unseal(ticket.reporter.email) : null;
  const event = (updated: TicketDoc) => ({
    ...eventOf(updated),
    change: change.change,
    public: change.history.some((entry) => entry.public),
  });
  // The change, the citizen's mail, any second document and the record of the event: one transaction.
  const updated = await transaction(async (session) => {
    const updated = await updateAndRead<TicketDoc>(Ticket, { _id: ticket._id, revision }, update, { session });
    if (!updated) throw new AppError('conflict', 'feedback.stale');
    if (email && change.mail) await queueMail(citizenMail(updated, change.mail, email), { session });
    await change.also?.(session);
    await recordEvent(session, 'ticket.updated', event(updated));
    return updated;
  });
  publish('ticket.updated', event(updated));
  return updated;
}

async function transaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
  let result: T;
  await mongoose.connection.transaction(async (session) => {
    result = await work(session);
  });
  return result!;
}

function citizenMail(ticket: TicketDoc, mail: NonNullable<Change['mail']>, to: string) {
  const lang = ticket.lang as Lang;
  return {
    to,
    template: mail.template,
    lang,
    data: {
      code: ticket.code,
      trackUrl: trackUrl(publicUrl, ticket.code, accessTokenFor(ticket.code, ticket.tokenSalt)),
      statusLabel: t(lang, `feedback.status.${ticket.status}`),
      ...(mail.body ? { body: mail.body } : {}),
      ...mail.data,
    },
    dedupeKey: `ticket:${ticket.code}:${ticket.revision}:${mail.template}`,
    unitPath: ticket.unitPath.map(String), // the agency's admins see it on their outbox page
  };
}

let publicUrl = 'http://localhost:3000';
/** Links in e-mail need the public address; set once at start from config. */
export function setPublicUrl(url: string): void {
  publicUrl = url;
}

/** A public status change, and the message to the citizen that goes with it when there is one. */
export const statusStep = (from: string, to: Status, body?: string | null) => [
  { action: 'status', from, to, public: true },
  ...(body ? [{ action: 'reply', body, public: true }] : []),
];

/**
 * The ticket fields an action's clock effect (actions.ts) sets: a started clock with its due time, in the calendar
 * and with the clock lengths of the ticket's agency unless another unit is given (a ticket forwarded to another
 * agency), a stopped or a paused one.
 */
export async function clockFields(
  action: ActionName,
  ticket: TicketDoc,
  now: Date,
  to?: { agencyCode: string; timeZone: string },
): Promise<Record<string, unknown>> {
  const clock: ClockEffect = ticketActions[action].clock;
  if (clock === 'keeps') return {};
  if (clock === 'stops') return { dueAt: null, dueClock: null };
  if (clock === 'pauses') return { pausedAt: now };
  const information = informationClockFields(clock, ticket);
  if (information) return information;
  const serviceDays =
    clock.starts === 'resolve' && ticket.serviceCode
      ? await serviceCompletionDays(String(ticket.unitId), ticket.serviceCode)
      : null;
  // The service's standard read is the one of the ticket's service at its unit when the first answer is given.
  const due = await dueFor(clock.starts, to ?? ticket, now, { category: ticket.category, serviceDays });
  return { [`due.${clock.starts}`]: due, dueAt: due, dueClock: clock.starts };
}

export interface DecisionMove {
  set: Record<string, unknown>;
  history: Change['history'];
  /** The unit whose heads now decide, when it moved above the ticket's unit. */
  to: string | null;
}

/**
 * Where the ticket is decided once its unit or its named officers change: fields to set and an internal history
 * line when that moves. The clocks run on unchanged; only who may decide moves.
 */
export async function decisionMove(
  ticket: TicketDoc,
  unitPath: readonly Types.ObjectId[],
  officerIds: readonly Types.ObjectId[],
  ownUnitCode: string,
): Promise<DecisionMove> {
  const decider = await decisionUnitFor(unitPath, officerIds);
  if (decider === (ticket.decisionUnitId ? String(ticket.decisionUnitId) : null))
    return { set: {}, history: [], to: null };
  const unit = decider ? await findUnitById(decider) : null;
  return {
    set: { decisionUnitId: unit?._id ?? null, decisionUnitCode: unit?.code ?? null },
    history: [
      {
        action: 'decision_moved',
        from: ticket.decisionUnitCode ?? ownUnitCode,
        to: unit?.code ?? ownUnitCode,
        public: false,
      },
    ],
    to: unit ? String(unit._id) : null,
  };
}

/** A response template's text in the language the citizen filed in; an unknown template is a field error. */
export async function textOfTemplate(code: string | undefined, ticket: TicketDoc): Promise<string | null> {
  if (!code) return null;
  const unit = await findUnitById(String(ticket.unitId));
  const text = await templateText(
    code,
    ticket.lang as Lang,
    { code: ticket.code, unit: unit?.name ?? '' },
    ticket.agencyCode,
  );
  if (!text) throw AppError.validation({ template: { key: 'validation.invalid' } });
  return text;
}
