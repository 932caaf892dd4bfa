import { updateAndRead } from '../../../platform/db.js';
import { AppError } from '../../../platform/errors.js';
import { recordEvent } from '../../../platform/event-log.js';
import { publish, type DomainEvents } from '../../../platform/events.js';
import { actorForUserId } from '../../accounts/index.js';
import { can, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findOfficer, findUnitByCode } from '../../directory/index.js';
import { ticketActions, type ActionName } from '../actions.js';
import { activeCategories } from '../categories.js';
import { normaliseTrackingCode } from '../codes.js';
import { namedAccountIds, tellDeciders } from '../conflict.js';
import { Finding, Ticket, type FindingDoc, type TicketDoc } from '../model.js';
import { reopenedState } from '../citizen.js';
import { informationClocks } from '../information-clock.js';
import { wallClockLabel } from '../../../platform/calendar.js';
import { t, type Lang } from '../../../platform/i18n.js';
import { calendarFor } from '../../calendar/index.js';
import {
  awaitingFollowUpStatuses,
  isOpen,
  type FindingOutcome,
  type Priority,
  type RejectReason,
  type Status,
} from '../statuses.js';
import { canRead } from './access.js';
import { apply, clockFields, decisionMove, statusStep, type Change } from './changes.js';
import { clockLengthsFor, dueFor } from '../clock-settings.js';

/**
 * What each action of actions.ts does to a ticket, once takeAction has checked who may take it and from which
 * status: the fields it sets, the history it writes, what the citizen is told.
 */

/** Everything an action's request may carry; each action's schema says which of these it reads. */
export interface ActionInput {
  revision: number;
  action?: ActionName;
  body?: string;
  template?: string;
  internal?: boolean;
  reason?: RejectReason | string;
  unitCode?: string;
  assigneeId?: string;
  priority?: Priority;
  category?: string;
  officerNip?: string;
  officerRef?: string;
  outcome?: FindingOutcome;
  note?: string;
  into?: string;
}

export interface ActionContext {
  actor: Actor;
  ticket: TicketDoc;
  status: Status;
  input: ActionInput;
  /** The message to the citizen: typed, or a response template's text in their language. */
  body: string | null;
  action: ActionName;
  now: Date;
}
type Effect = (ctx: ActionContext) => Promise<TicketDoc>;

/** Applies a change named as actions.ts names the action's change. */
const land = (ctx: ActionContext, change: Omit<Change, 'change'>) =>
  apply(ctx.actor, ctx.ticket, ctx.input.revision, { ...change, change: ticketActions[ctx.action].change });

const unitPathOf = (ticket: TicketDoc) => ({ unitPath: ticket.unitPath.map(String) });

const verify: Effect = async (ctx) =>
  land(ctx, {
    set: { status: 'verified', ...(await clockFields('verify', ctx.ticket, ctx.now)) },
    history: statusStep(ctx.status, 'verified', ctx.body),
    mail: { template: 'ticket.status' },
  });

const reject: Effect = async (ctx) =>
  land(ctx, {
    set: {
      status: 'rejected',
      rejectReason: ctx.input.reason,
      closedAt: ctx.now,
      ...(await clockFields('reject', ctx.ticket, ctx.now)),
    },
    history: [
      { action: 'status', from: ctx.status, to: 'rejected', body: ctx.input.reason, public: true },
      ...(ctx.body ? [{ action: 'reply', body: ctx.body, public: true }] : []),
    ],
    mail: { template: 'ticket.status', body: ctx.body ?? undefined },
  });

const forward: Effect = async (ctx) => {
  const { ticket } = ctx;
  const unit = await findUnitByCode(ctx.input.unitCode!);
  if (!unit || !unit.active) throw AppError.validation({ unitCode: { key: 'feedback.unknown_unit' } });
  if (String(unit._id) === String(ticket.unitId)) throw new AppError('conflict', 'feedback.not_now');
  // The verification clock starts again in the receiving agency's calendar, with its clock lengths.
  const clock = await clockFields('forward', ticket, ctx.now, unit);
  const move = await decisionMove(ticket, unit.path, ticket.officerIds, unit.code);
  const updated = await land(ctx, {
    set: {
      unitId: unit._id,
      unitCode: unit.code,
      unitPath: unit.path,
      agencyCode: unit.agencyCode,
      timeZone: unit.timeZone,
      serviceCode: null,
      counterCode: null,
      status: 'received',
      assignee: { userId: null, name: null },
      ...clock,
      escalated: [],
      ...move.set,
    },
    history: [{ action: 'forwarded', from: ticket.unitCode, to: unit.code, public: true }, ...move.history],
  });
  await tellDeciders(move, updated);
  return updated;
};

const assign: Effect = async (ctx) => {
  const { ticket, status } = ctx;
  const assignee = await actorForUserId(ctx.input.assigneeId!);
  if (!assignee || !can(assignee, 'tickets.work', unitPathOf(ticket)))
    throw AppError.validation({ assigneeId: { key: 'feedback.not_assignable' } });
  if ((await namedAccountIds(ticket.officerIds)).has(assignee.id))
    throw AppError.validation({ assigneeId: { key: 'feedback.assignee_named' } });
  // A ticket already in progress keeps its clock; a newly assigned one starts the follow-up clock.
  const started = status === 'in_progress';
  return land(ctx, {
    set: {
      status: started ? 'in_progress' : 'assigned',
      assignee: { userId: assignee.id, name: assignee.name },
      ...(started ? {} : await clockFields('assign', ticket, ctx.now)),
    },
    history: [
      { action: 'assigned', to: assignee.name, public: false },
      ...(started ? [] : [{ action: 'status', from: status, to: 'assigned', public: true }]),
    ],
  });
};

const priority: Effect = (ctx) =>
  land(ctx, {
    set: { priority: ctx.input.priority },
    history: [{ action: 'priority', from: ctx.ticket.priority ?? 'normal', to: ctx.input.priority, public: false }],
  });

const category: Effect = async (ctx) => {
  const chosen = (await activeCategories(ctx.ticket.agencyCode)).find(
    (candidate) => candidate.code === ctx.input.category,
  );
  if (!chosen || !chosen.kinds.includes(ctx.ticket.kind))
    throw AppError.validation({ category: { key: 'feedback.category_for_kind' } });
  return land(ctx, {
    set: { category: chosen.code },
    history: [{ action: 'category', from: ctx.ticket.category ?? null, to: chosen.code, public: false }],
  });
};

/** Tagging names an officer on the ticket, untagging takes the name off; either may move where it is decided. */
const tagOrUntag: Effect = async (ctx) => {
  const { ticket, input, status } = ctx;
  const tagging = ctx.action === 'tag';
  const officer = await findOfficer(input.officerNip ? { nip: input.officerNip } : { ref: input.officerRef });
  if (!officer || !officer.unitPath.map(String).includes(String(ticket.unitId)))
    throw AppError.validation({ officer: { key: 'feedback.unknown_officer' } });
  const tagged = ticket.officerIds.some((id) => String(id) === String(officer._id));
  if (tagged === tagging) return ticket;
  const officerIds = tagging
    ? [...ticket.officerIds, officer._id]
    : ticket.officerIds.filter((id) => String(id) !== String(officer._id));
  const move = await decisionMove(ticket, ticket.unitPath, officerIds, ticket.unitCode);
  // A handler the ticket now names gives it back: no one works on a complaint about themselves.
  const assigneeId = ticket.assignee?.userId ? String(ticket.assignee.userId) : null;
  const unassign = tagging && assigneeId !== null && (await namedAccountIds([officer._id])).has(assigneeId);
  const updated = await land(ctx, {
    set: {
      officerIds,
      ...move.set,
      ...(unassign ? { assignee: { userId: null, name: null } } : {}),
      ...(unassign && status === 'assigned' ? { status: 'verified' } : {}),
    },
    history: [
      { action: ctx.action, to: officer.name, body: tagging ? null : input.reason, public: false },
      ...(unassign ? [{ action: 'unassigned', from: ticket.assignee?.name ?? null, public: false }] : []),
      ...move.history,
    ],
  });
  if (!tagging)
    await recordAudit(ctx.actor, 'ticket.untag', ticket.code, { officerNip: officer.nip }, String(input.reason), {
      unitPath: ticket.unitPath.map(String),
    });
  await tellDeciders(move, updated);
  return updated;
};

// The clock pauses while the citizen is asked; their answer moves the due time on by the paused working days.
const ask: Effect = async (ctx) =>
  land(ctx, {
    set: { status: 'awaiting_citizen', ...(await clockFields('ask', ctx.ticket, ctx.now)) },
    history: statusStep(ctx.status, 'awaiting_citizen', ctx.body),
    mail: { template: 'ticket.reply', body: ctx.body! },
  });

const resolve: Effect = async (ctx) =>
  land(ctx, {
    set: {
      status: 'resolved',
      resolvedAt: ctx.now,
      pausedAt: null,
      ...(await clockFields('resolve', ctx.ticket, ctx.now)),
    },
    history: statusStep(ctx.status, 'resolved', ctx.body),
    mail: {
      template: 'ticket.resolved',
      body: ctx.body ?? undefined,
      // The citizen is told the agency's own auto-close length.
      data: { autoCloseDays: (await clockLengthsFor(ctx.ticket.agencyCode)).autoCloseWorkingDays },
    },
  });

const close: Effect = async (ctx) =>
  land(ctx, {
    set: { status: 'closed', closedAt: ctx.now, ...(await clockFields('close', ctx.ticket, ctx.now)) },
    history: statusStep(ctx.status, 'closed', ctx.body),
    mail: { template: 'ticket.status' },
  });

const reopen: Effect = async (ctx) =>
  land(ctx, {
    set: reopenedState(await dueFor('followUp', ctx.ticket, ctx.now)),
    history: statusStep(ctx.status, 'in_progress', ctx.body),
    mail: { template: 'ticket.status' },
  });

const reply: Effect = async (ctx) => {
  const { ticket, body } = ctx;
  // The first public answer is the follow-up the legal clock asks for: before any answer, and after a reopening or
  // the citizen's answer to a question asked before the first one (in progress, the follow-up clock still running).
  const firstFollowUp =
    awaitingFollowUpStatuses.includes(ctx.status) || (ctx.status === 'in_progress' && ticket.dueClock === 'followUp');
  return land(ctx, {
    set: firstFollowUp ? { status: 'in_progress', ...(await clockFields('reply', ticket, ctx.now)) } : {},
    history: [
      { action: 'reply', body, public: true },
      ...(firstFollowUp ? [{ action: 'status', from: ticket.status, to: 'in_progress', public: true }] : []),
    ],
    mail: { template: 'ticket.reply', body: body! },
  });
};

const note: Effect = (ctx) => land(ctx, { history: [{ action: 'note', body: ctx.body, public: false }] });

const finding: Effect = async (ctx) => {
  const { ticket, input, actor } = ctx;
  if (ticket.kind !== 'complaint') throw new AppError('conflict', 'feedback.not_now');
  const officer = await findOfficer(input.officerNip ? { nip: input.officerNip } : { ref: input.officerRef });
  if (!officer || !ticket.officerIds.some((id) => String(id) === String(officer._id)))
    throw AppError.validation({ [input.officerNip ? 'officerNip' : 'officerRef']: { key: 'feedback.not_tagged' } });
  let recorded: DomainEvents['finding.recorded'] | undefined;
  const updated = await land(ctx, {
    history: [{ action: 'finding', to: `${officer.name}: ${input.outcome}`, body: input.note || null, public: false }],
    also: async (session) => {
      const saved = await updateAndRead<FindingDoc>(
        Finding,
        { ticketId: ticket._id, officerId: officer._id },
        {
          $set: {
            outcome: input.outcome,
            note: input.note,
            recordedBy: { userId: actor.id, name: actor.name },
            category: ticket.category ?? null,
          },
          $setOnInsert: { code: ticket.code, unitPath: ticket.unitPath },
        },
        { upsert: true, session },
      );
      recorded = {
        findingId: String(saved!._id),
        ticketId: String(ticket._id),
        officerId: String(officer._id),
        outcome: input.outcome!,
        category: ticket.category ?? null,
        unitPath: ticket.unitPath.map(String),
        at: new Date(),
      };
      await recordEvent(session, 'finding.recorded', recorded);
    },
  });
  publish('finding.recorded', recorded!);
  return updated;
};

const merge: Effect = async (ctx) => {
  const { ticket, actor } = ctx;
  const intoCode = normaliseTrackingCode(ctx.input.into);
  const target = intoCode ? await Ticket.findOne({ code: intoCode }).lean<TicketDoc>() : null;
  if (!target || target.code === ticket.code || !canRead(actor, target) || !isOpen(target.status as Status))
    throw AppError.validation({ into: { key: 'feedback.merge_target' } });
  return land(ctx, {
    set: {
      status: 'merged',
      mergedInto: target.code,
      closedAt: ctx.now,
      ...(await clockFields('merge', ticket, ctx.now)),
    },
    history: [{ action: 'status', from: ticket.status, to: 'merged', body: target.code, public: true }],
    mail: { template: 'ticket.status' },
    also: async (session) => {
      await Ticket.updateOne(
        { _id: target._id },
        {
          $push: {
            history: {
              at: new Date(),
              actor: { kind: 'staff', userId: actor.id, name: actor.name },
              action: 'merged_from',
              to: ticket.code,
              public: false,
            },
          },
          $inc: { revision: 1 },
        },
        { session },
      );
    },
  });
};

/**
 * An information request's answer clock moved on once by 7 working days, with the reason the requester is told on
 * the tracking page and by e-mail (UU 14/2008 art. 22(7)).
 */
const extend: Effect = async (ctx) => {
  const { ticket } = ctx;
  const calendar = await calendarFor(ticket);
  const due = calendar.dueAfterWorkingDays(ticket.dueAt!, informationClocks.extensionWorkingDays);
  const lang = ticket.lang as Lang;
  const reason = ctx.input.reason!;
  return land(ctx, {
    set: { dueAt: due, 'due.inform': due, extension: { at: ctx.now, reason, by: ctx.actor.name } },
    history: [{ action: 'extended', to: due.toISOString(), body: reason, public: true }],
    mail: {
      template: 'ticket.reply',
      body: t(lang, 'feedback.extension_mail', { due: wallClockLabel(due, ticket.timeZone, lang), reason }),
    },
  });
};

/** The unit above decides the requester's objection: the answer ends its clock like a resolution does. */
const answerObjection: Effect = async (ctx) =>
  land(ctx, {
    set: {
      status: 'resolved',
      resolvedAt: ctx.now,
      pausedAt: null,
      'objection.outcome': ctx.input.outcome,
      'objection.decidedAt': ctx.now,
      ...(await clockFields('answer_objection', ctx.ticket, ctx.now)),
    },
    history: [
      { action: 'objection_decided', to: ctx.input.outcome, public: true },
      ...statusStep(ctx.status, 'resolved', ctx.body),
    ],
    mail: { template: 'ticket.resolved', body: ctx.body ?? undefined },
  });

/** One effect per action of the table: a new action without an effect does not compile. */
export const effects: Record<ActionName, Effect> = {
  verify,
  assign,
  ask,
  resolve,
  close,
  reject,
  forward,
  priority,
  merge,
  reopen,
  category,
  tag: tagOrUntag,
  untag: tagOrUntag,
  reply,
  note,
  extend,
  answer_objection: answerObjection,
  finding,
};
