import { endOfLocalDay, localDate, startOfLocalDay, type LocalDate } from '../../../platform/calendar.js';
import { AppError, type FieldErrors } from '../../../platform/errors.js';
import { t, type Lang } from '../../../platform/i18n.js';
import { check } from '../../../platform/validate.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { type Actor } from '../../../platform/access.js';
import { findOfficersByIds, type OfficerDoc } from '../../directory/index.js';
import {
  activeCategories,
  findFinding,
  findTicketTopic,
  latestFindingsOf,
  latestTicketsNaming,
} from '../../feedback/index.js';
import { canCoach, isObjectId, isSelf, officerFor, officerOf, officerSummary, oid } from '../access.js';
import { recordChanged, upsertFeedItem } from '../record/feed-model.js';
import { CoachingAction, CoachingSession, type ActionDoc, type SessionDoc } from './model.js';
import { sessionInput, type SessionInput } from './schemas.js';

/**
 * Coaching sessions (dialog kinerja, docs/domain.md "Coaching record"): what was talked about (findings and tickets
 * about the officer), notes, and the actions agreed, each with an owner and a due day; each session is an item of the
 * officer's record.
 */

const REMIND_AT_HOUR = 7; // reminders go out from 07:00 on the due day, on the agency's wall clock
const HOUR_MS = 60 * 60 * 1000;

async function categoryName(code: string | null | undefined, lang: Lang = 'id'): Promise<string> {
  if (!code) return '';
  const category = (await activeCategories()).find((candidate) => candidate.code === code);
  return category?.name?.[lang] ?? code;
}

/** A topic must be a finding about this officer or a ticket that names them. */
async function resolveTopics(officer: OfficerDoc, topics: SessionInput['topics']) {
  const errors: FieldErrors = {};
  const resolved = [];
  for (const [index, topic] of topics.entries()) {
    if (topic.kind === 'finding') {
      const finding = isObjectId(topic.id) ? await findFinding(topic.id) : null;
      if (!finding || String(finding.officerId) !== String(officer._id)) {
        errors[`topics.${index}.id`] = { key: 'coaching.work.topic_not_officer' };
        continue;
      }
      resolved.push({
        kind: 'finding',
        refId: finding._id,
        label: `${finding.code} · ${await categoryName(finding.category)}`,
      });
    } else {
      const ticket = await findTicketTopic(topic.id);
      if (!ticket || !ticket.officerIds.some((id) => String(id) === String(officer._id))) {
        errors[`topics.${index}.id`] = { key: 'coaching.work.topic_not_officer' };
        continue;
      }
      resolved.push({
        kind: 'ticket',
        refId: ticket._id,
        label: `${ticket.code} · ${await categoryName(ticket.category)}`,
      });
    }
  }
  if (Object.keys(errors).length) throw AppError.validation(errors);
  return resolved;
}

const remindAtOf = (dueDate: LocalDate, timeZone: string) =>
  new Date(startOfLocalDay(dueDate, timeZone).getTime() + REMIND_AT_HOUR * HOUR_MS);

/** Holds a coaching session (dialog kinerja) with its topics, notes and agreed actions. */
export async function createSession(actor: Actor | undefined, nip: unknown, raw: unknown) {
  const context = await officerFor(actor, nip, 'coaching.write');
  const input = check<SessionInput>(sessionInput, raw);
  const errors: FieldErrors = {};
  // A dialog leaves a trace: what was said, or what was agreed.
  if (!input.notes && input.actions.length === 0) errors.notes = { key: 'coaching.work.session.empty' };
  input.actions.forEach((action, index) => {
    if (action.dueDate < input.date) errors[`actions.${index}.dueDate`] = { key: 'coaching.work.due_before_session' };
  });
  if (Object.keys(errors).length) throw AppError.validation(errors);
  const topics = await resolveTopics(context.officer, input.topics);
  const { officer, timeZone } = context;
  const [session] = await CoachingSession.create([
    {
      officerId: officer._id,
      unitPath: officer.unitPath,
      timeZone,
      date: input.date,
      at: startOfLocalDay(input.date, timeZone),
      coach: { userId: actor!.id, name: actor!.name },
      topics,
      notes: input.notes,
    },
  ]);
  if (input.actions.length)
    await CoachingAction.insertMany(
      input.actions.map((action) => ({
        sessionId: session!._id,
        officerId: officer._id,
        unitPath: officer.unitPath,
        text: action.text,
        owner: action.owner,
        ownerName: action.owner === 'officer' ? officer.name : actor!.name,
        coachUserId: oid(actor!.id),
        dueDate: action.dueDate,
        dueAt: endOfLocalDay(action.dueDate, timeZone),
        remindAt: remindAtOf(action.dueDate, timeZone),
      })),
    );
  await recordAudit(actor!, 'coaching.session.create', officer.nip, { sessionId: String(session!._id) }, null, officer);
  await refreshSessionFeed(session!.toObject() as SessionDoc);
  return sessionView(String(session!._id));
}

async function refreshSessionFeed(session: SessionDoc): Promise<void> {
  const actions = await CoachingAction.find({ sessionId: session._id }).lean<ActionDoc[]>();
  const open = actions.filter((action) => !action.done).length;
  await upsertFeedItem({
    officerId: session.officerId,
    unitPath: session.unitPath,
    type: 'session',
    sourceId: session._id,
    at: session.at,
    data: {
      title: t('id', 'coaching.work.feed_session', { coach: session.coach.name }),
      summary: t('id', 'coaching.work.feed_session_summary', { actions: actions.length, open }),
      url: `/coaching/sessions/${String(session._id)}`,
      coach: session.coach.name,
      date: session.date,
      topics: session.topics.map((topic) => topic.label),
      actions: actions.length,
      openActions: open,
    },
  });
}

async function sessionView(id: string) {
  const session = await CoachingSession.findById(id).lean<SessionDoc>();
  if (!session) throw new AppError('not_found');
  const actions = await CoachingAction.find({ sessionId: session._id }).sort({ dueAt: 1 }).lean<ActionDoc[]>();
  const now = Date.now();
  return {
    id: String(session._id),
    officerId: String(session.officerId),
    date: session.date,
    at: session.at,
    timeZone: session.timeZone,
    coach: { id: String(session.coach.userId), name: session.coach.name },
    topics: session.topics.map((topic) => ({ kind: topic.kind, id: String(topic.refId), label: topic.label })),
    notes: session.notes,
    actions: actions.map((action) => ({
      id: String(action._id),
      text: action.text,
      owner: action.owner,
      ownerName: action.ownerName,
      dueDate: action.dueDate,
      dueAt: action.dueAt,
      done: action.done,
      doneAt: action.doneAt,
      overdue: !action.done && action.dueAt.getTime() < now,
    })),
  };
}

/** One session, for the coach, a unit head in scope, or the officer it is about. */
export async function getSession(actor: Actor | undefined, id: unknown) {
  const session = isObjectId(id) ? await CoachingSession.findById(id).lean<SessionDoc>() : null;
  if (!session) throw new AppError('not_found');
  const context = await officerOf(actor, session.officerId, 'coaching.read', 'session');
  const view = await sessionView(String(session._id));
  const canWrite = canCoach(actor, context.officer);
  return {
    ...view,
    // The coach marks any action done; the officer their own.
    actions: view.actions.map((action) => ({
      ...action,
      canComplete: !action.done && (canWrite || (context.self && action.owner === 'officer')),
    })),
    officer: officerSummary(context),
    canWrite,
  };
}

/** Marks an agreed action done: the coach in scope, or the officer when the action is theirs. Idempotent. */
export async function completeAction(actor: Actor | undefined, sessionId: unknown, actionId: unknown) {
  const action =
    isObjectId(actionId) && isObjectId(sessionId)
      ? await CoachingAction.findOne({ _id: actionId, sessionId }).lean<ActionDoc>()
      : null;
  if (!action) throw new AppError('not_found');
  if (!actor) throw new AppError('unauthenticated');
  const [officer] = await findOfficersByIds([String(action.officerId)]);
  if (!officer) throw new AppError('not_found');
  const ownAction = isSelf(actor, officer) && action.owner === 'officer';
  if (!ownAction) await officerFor(actor, officer.nip, 'coaching.write');
  await CoachingAction.updateOne(
    { _id: action._id, done: false },
    { $set: { done: true, doneAt: new Date(), doneBy: actor.name } },
  );
  await recordChanged(officer._id);
  const session = await CoachingSession.findById(action.sessionId).lean<SessionDoc>();
  if (session) await refreshSessionFeed(session);
  return sessionView(String(action.sessionId));
}

/** What a new session's form offers as topics: the officer's findings and the tickets naming them, newest first. */
export async function sessionForm(actor: Actor | undefined, nip: unknown) {
  const context = await officerFor(actor, nip, 'coaching.write');
  const [findings, tickets] = await Promise.all([
    latestFindingsOf(context.officer._id, 30),
    latestTicketsNaming(context.officer._id, 30),
  ]);
  return {
    officer: officerSummary(context),
    today: localDate(new Date(), context.timeZone),
    findings: findings.map((finding) => ({
      id: String(finding._id),
      code: finding.code,
      category: finding.category,
      outcome: finding.outcome,
    })),
    tickets: tickets.map((ticket) => ({
      id: String(ticket._id),
      code: ticket.code,
      kind: ticket.kind,
      category: ticket.category,
    })),
  };
}
