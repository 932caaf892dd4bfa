import { clock } from '../../platform/clock.js';
import { updateAndRead } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { recordEvent, writeWithEvents } from '../../platform/event-log.js';
import { publish } from '../../platform/events.js';
import { check } from '../../platform/validate.js';
import { calendarFor } from '../calendar/index.js';
import { findUnitById } from '../directory/index.js';
import { decisionScope, tellDeciders } from './conflict.js';
import { informationClocks, isInformationRequest } from './information-clock.js';
import { Ticket, type TicketDoc } from './model.js';
import { replyInput } from './schemas.js';
import { sealCitizenText } from './sealed-text.js';
import { eventOf } from './service.js';
import { answeredStatuses, runningStatuses, type Status } from './statuses.js';

/**
 * Information requests under UU 14/2008 (docs/domain.md#information-requests): what the requester sees of the
 * answer clock and its extension, and the objection (keberatan) they may lodge from the tracking page when the
 * request is refused, not answered in time, or answered to their dissatisfaction. The objection goes to the unit
 * above the one that answered (the PPID's superior), with its own 30-working-day clock. The staff side (extend,
 * answer the objection) is in actions.ts like every other staff action.
 */

export type ObjectionGrounds = 'refused' | 'late' | 'unsatisfied';

/** Why the requester may object now, and since when (the window counts from then); null when they may not. */
export function objectionGrounds(
  ticket: TicketDoc,
  now = new Date(clock.now()),
): { grounds: ObjectionGrounds; since: Date } | null {
  if (!isInformationRequest(ticket) || ticket.objection?.at) return null;
  const status = ticket.status as Status;
  if (status === 'rejected') return { grounds: 'refused', since: ticket.closedAt ?? ticket.updatedAt };
  if (answeredStatuses.includes(status))
    return { grounds: 'unsatisfied', since: ticket.resolvedAt ?? ticket.closedAt ?? ticket.updatedAt };
  // Late only while the clock runs: a request waiting for the requester's answer is paused, not late.
  if (
    runningStatuses.includes(status) &&
    ticket.dueClock === 'inform' &&
    ticket.dueAt &&
    ticket.dueAt.getTime() < now.getTime()
  )
    return { grounds: 'late', since: ticket.dueAt };
  return null;
}

/** Until when the requester may object: 30 working days from the refusal, the answer or the missed due time. */
async function objectionWindow(ticket: TicketDoc, now: Date) {
  const grounds = objectionGrounds(ticket, now);
  if (!grounds) return null;
  const until = (await calendarFor(ticket)).dueAfterWorkingDays(
    grounds.since,
    informationClocks.objectionWindowWorkingDays,
  );
  return { ...grounds, until, open: now.getTime() <= until.getTime() };
}

/** The unit that decides an objection: the one above the unit that decides the request (an agency decides its own). */
function superiorOf(ticket: TicketDoc): string {
  const path = decisionScope(ticket).unitPath.map(String);
  return path.length > 1 ? path[path.length - 2]! : path[0]!;
}

/** What the tracking page shows of an information request: due time, the extension and why, the objection. */
export async function informationView(ticket: TicketDoc) {
  if (!isInformationRequest(ticket)) return null;
  const now = new Date(clock.now());
  const window = await objectionWindow(ticket, now);
  const objectionUnit = ticket.objection?.unitCode ?? null;
  return {
    extension: ticket.extension?.at ? { at: ticket.extension.at, reason: ticket.extension.reason ?? '' } : null,
    objection: ticket.objection?.at
      ? {
          at: ticket.objection.at,
          grounds: ticket.objection.grounds,
          unitCode: objectionUnit,
          dueAt: ticket.due?.objection ?? null,
          outcome: ticket.objection.outcome ?? null,
        }
      : null,
    mayObject: Boolean(window?.open),
    grounds: window?.grounds ?? null,
    objectUntil: window?.open ? window.until : null,
  };
}
export type InformationView = Awaited<ReturnType<typeof informationView>>;

/**
 * The requester lodges an objection with their reasons: once, on grounds the law gives, within the window. The
 * request is back in progress with the objection clock running, decided by the unit above (whose heads hear of it
 * at once); the change is one atomic write conditioned on the ticket being as read, so a staff change at the same
 * moment wins or loses whole.
 */
export async function lodgeObjection(ticket: TicketDoc, raw: unknown): Promise<TicketDoc> {
  const { body } = check(replyInput, raw);
  if (!isInformationRequest(ticket)) throw new AppError('conflict', 'feedback.not_now');
  if (ticket.objection?.at) throw new AppError('conflict', 'feedback.objection_once');
  const now = new Date(clock.now());
  const window = await objectionWindow(ticket, now);
  if (!window) throw new AppError('conflict', 'feedback.objection_not_yet');
  if (!window.open) throw new AppError('conflict', 'feedback.objection_expired');
  const superiorId = superiorOf(ticket);
  const superior = await findUnitById(superiorId);
  const due = (await calendarFor(ticket)).dueAfterWorkingDays(now, informationClocks.objectionWorkingDays);
  const text = sealCitizenText(body);
  const moved = String(ticket.decisionUnitId ?? ticket.unitId) !== superiorId;
  const updated = await writeWithEvents(async (session) => {
    const changed = await updateAndRead<TicketDoc>(
      Ticket,
      { _id: ticket._id, revision: ticket.revision, 'objection.at': null },
      {
        $set: {
          status: 'in_progress',
          resolvedAt: null,
          closedAt: null,
          pausedAt: null,
          dueAt: due,
          dueClock: 'objection',
          'due.objection': due,
          objection: { at: now, grounds: window.grounds, unitCode: superior?.code ?? null },
          ...(moved ? { decisionUnitId: superior?._id ?? null, decisionUnitCode: superior?.code ?? null } : {}),
        },
        $inc: { revision: 1 },
        $push: {
          history: {
            $each: [
              {
                at: now,
                actor: { kind: 'citizen' },
                action: 'objection',
                from: ticket.status,
                to: 'in_progress',
                body: text.scrubbed,
                bodySealed: text.sealed,
                public: true,
              },
              ...(moved
                ? [
                    {
                      at: now,
                      actor: { kind: 'system' },
                      action: 'decision_moved',
                      from: ticket.decisionUnitCode ?? ticket.unitCode,
                      to: superior?.code ?? null,
                      public: false,
                    },
                  ]
                : []),
            ],
          },
        },
      },
      { session },
    );
    if (changed)
      await recordEvent(session, 'ticket.updated', { ...eventOf(changed), change: 'objection', public: true });
    return changed;
  });
  if (!updated) throw new AppError('conflict', 'feedback.not_now');
  publish('ticket.updated', { ...eventOf(updated), change: 'objection', public: true });
  await tellDeciders({ to: superiorId }, updated);
  return updated;
}
