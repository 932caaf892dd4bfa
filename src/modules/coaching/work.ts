import mongoose, { type Types } from 'mongoose';
import { addDays, endOfLocalDay, localDate, startOfLocalDay, type LocalDate } from '../../platform/calendar.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { t, type Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import { assertCan, can, type Actor } from '../accounts/index.js';
import { recordAudit } from '../accounts/index.js';
import {
  findOfficer,
  findOfficersByIds,
  findUnitByCode,
  findUnitById,
  officerTimeZone,
  type OfficerDoc,
  type UnitDoc,
} from '../directory/index.js';
import {
  activeCategories,
  countedOutcomes,
  findFinding,
  findingsOfOfficer,
  findTicketTopic,
  latestFindingsOf,
  latestTicketsNaming,
} from '../feedback/index.js';
import { recordChanged, upsertFeedItem } from './model.js';
import { behaviourRating, predikat } from './predikat.js';
import { recordSummary } from './record.js';
import {
  berakhlakValues,
  CoachingAction,
  CoachingSession,
  CoachingSetting,
  Evaluation,
  PlanSuggestion,
  Training,
  type ActionDoc,
  type EvaluationDoc,
  type EvaluationPeriod,
  type Rating,
  type SessionDoc,
  type SuggestionDoc,
  type TrainingDoc,
} from './work-model.js';
import {
  evaluationInput,
  evaluationUpdate,
  revisionInput,
  sessionInput,
  settingsInput,
  suggestionDecision,
  trainingInput,
  type EvaluationInput,
  type EvaluationUpdate,
  type SessionInput,
  type SuggestionDecision,
  type TrainingInput,
} from './work-schemas.js';

/**
 * The coaching work (DESIGN.md section 3, "Coaching"; issue 5): coaching sessions with agreed actions, the
 * development plan (suggestions and training) and periodic evaluations with the predikat. Every use case checks the
 * actor here: coaches (`coaching.write`) on the officer's unit subtree write; coaches and unit heads
 * (`coaching.read`) read, each read audited; the officer reads their own signed evaluations, sessions and plan.
 */

export const JP_TARGET = 20;
const REMIND_AT_HOUR = 7; // reminders go out from 07:00 on the due day, on the agency's wall clock
const HOUR_MS = 60 * 60 * 1000;

const oid = (id: string | Types.ObjectId) => new mongoose.Types.ObjectId(String(id));
const isObjectId = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value);

// ---------------------------------------------------------------------------------------------------------------
// Access

interface OfficerContext {
  officer: OfficerDoc;
  unit: UnitDoc;
  timeZone: string;
  /** The actor is this officer. */
  self: boolean;
}

const isSelf = (actor: Actor, officer: Pick<OfficerDoc, 'nip'>) =>
  Boolean(actor.officerNip) && actor.officerNip === officer.nip;

async function contextOf(officer: OfficerDoc, actor: Actor): Promise<OfficerContext> {
  const unit: UnitDoc | null = await findUnitById(String(officer.unitId));
  if (!unit) throw new AppError('not_found');
  return { officer, unit, timeZone: unit.timeZone, self: isSelf(actor, officer) };
}

/**
 * The officer named by a NIP, for an action. Reading: the officer themselves, or `coaching.read` on their unit
 * (audited). Writing: `coaching.write` on their unit, and never about oneself.
 */
async function officerFor(
  actor: Actor | undefined,
  nip: unknown,
  action: 'coaching.read' | 'coaching.write',
  what = 'record',
): Promise<OfficerContext> {
  if (!actor) throw new AppError('unauthenticated');
  const officer = typeof nip === 'string' && nip ? await findOfficer({ nip }) : null;
  if (!officer) throw new AppError('not_found');
  const scope = { unitPath: officer.unitPath.map(String) };
  const self = isSelf(actor, officer);
  if (action === 'coaching.write') {
    assertCan(actor, 'coaching.write', scope);
    if (self) throw new AppError('forbidden');
  } else if (!self) {
    assertCan(actor, 'coaching.read', scope);
    await recordAudit(actor, 'coaching.read', officer.nip, { what }, null, scope);
  }
  return contextOf(officer, actor);
}

/** The same checks for something that belongs to an officer (a session, a suggestion, an evaluation). */
async function officerOf(
  actor: Actor | undefined,
  officerId: Types.ObjectId,
  action: 'coaching.read' | 'coaching.write',
  what: string,
): Promise<OfficerContext> {
  if (!actor) throw new AppError('unauthenticated');
  const [officer] = await findOfficersByIds([String(officerId)]);
  if (!officer) throw new AppError('not_found');
  return officerFor(actor, officer.nip, action, what);
}

/** May the actor write about this officer? (For showing buttons; the services check again.) */
export function canCoach(actor: Actor | undefined, officer: Pick<OfficerDoc, 'nip' | 'unitPath'>): boolean {
  return (
    Boolean(actor) &&
    can(actor, 'coaching.write', { unitPath: officer.unitPath.map(String) }) &&
    !isSelf(actor!, officer)
  );
}

const officerSummary = (context: OfficerContext) => ({
  id: String(context.officer._id),
  nip: context.officer.nip,
  name: context.officer.name,
  position: context.officer.position,
  unitCode: context.unit.code,
  unitName: context.unit.name,
  timeZone: context.timeZone,
});

// ---------------------------------------------------------------------------------------------------------------
// Sessions and actions

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

// ---------------------------------------------------------------------------------------------------------------
// Development plan and training

/**
 * The calendar year a training's JP count in: the year of its last day (a local date on the agency's wall clock).
 * A course from 28 December to 3 January counts, whole, in the new year — the year the certificate is issued
 * (and the year in which the hours are reported for the SKP); it is never split.
 */
export const trainingYear = (endDate: LocalDate) => Number(endDate.slice(0, 4));

export async function jpInYear(officerId: string | Types.ObjectId, year: number): Promise<number> {
  const [total] = await Training.aggregate<{ jp: number }>([
    { $match: { officerId: oid(officerId), year } },
    { $group: { _id: null, jp: { $sum: '$jp' } } },
  ]);
  return total?.jp ?? 0;
}

export async function recordTraining(actor: Actor | undefined, nip: unknown, raw: unknown) {
  const context = await officerFor(actor, nip, 'coaching.write');
  const input = check<TrainingInput>(trainingInput, raw);
  if (input.endDate < input.startDate)
    throw AppError.validation({ endDate: { key: 'coaching.work.end_before_start' } });
  let suggestionId: Types.ObjectId | null = null;
  if (input.suggestionId) {
    const suggestion = await PlanSuggestion.findById(input.suggestionId).lean<SuggestionDoc>();
    if (!suggestion || String(suggestion.officerId) !== String(context.officer._id))
      throw AppError.validation({ suggestionId: { key: 'coaching.work.suggestion_not_officer' } });
    suggestionId = suggestion._id;
  }
  const { officer } = context;
  const [training] = await Training.create([
    {
      officerId: officer._id,
      unitPath: officer.unitPath,
      title: input.title,
      provider: input.provider,
      startDate: input.startDate,
      endDate: input.endDate,
      year: trainingYear(input.endDate),
      jp: input.jp,
      suggestionId,
      recordedBy: { userId: actor!.id, name: actor!.name },
    },
  ]);
  await recordAudit(
    actor!,
    'coaching.training.create',
    officer.nip,
    { trainingId: String(training!._id) },
    null,
    officer,
  );
  await upsertFeedItem({
    officerId: officer._id,
    unitPath: officer.unitPath,
    type: 'training',
    sourceId: training!._id,
    at: endOfLocalDay(input.endDate, context.timeZone),
    data: {
      title: input.title,
      summary: t('id', 'coaching.work.feed_training', { provider: input.provider, jp: input.jp }),
      url: `/coaching/officers/${officer.nip}/plan`,
      provider: input.provider,
      startDate: input.startDate,
      endDate: input.endDate,
      jp: input.jp,
    },
  });
  return trainingView(training!.toObject() as TrainingDoc);
}

const trainingView = (training: TrainingDoc) => ({
  id: String(training._id),
  title: training.title,
  provider: training.provider,
  startDate: training.startDate,
  endDate: training.endDate,
  year: training.year,
  jp: training.jp,
  suggestionId: training.suggestionId ? String(training.suggestionId) : null,
});

const suggestionView = (suggestion: SuggestionDoc, lang: Lang) => ({
  id: String(suggestion._id),
  ruleCode: suggestion.ruleCode,
  category: suggestion.category,
  competency: suggestion.competency[lang],
  training: suggestion.training[lang],
  findingIds: suggestion.findingIds.map(String),
  status: suggestion.status,
  edited: suggestion.edited,
  reason: suggestion.reason,
  decidedBy: suggestion.decidedBy?.name ?? null,
  decidedAt: suggestion.decidedAt,
  createdAt: suggestion.createdAt,
});

/** The development plan: suggestions (open first), training records, and JP per year against the target. */
export async function developmentPlan(actor: Actor | undefined, nip: unknown, lang: Lang = 'id') {
  const context = await officerFor(actor, nip, 'coaching.read', 'plan');
  const [suggestions, trainings] = await Promise.all([
    PlanSuggestion.find({ officerId: context.officer._id }).sort({ createdAt: -1 }).lean<SuggestionDoc[]>(),
    Training.find({ officerId: context.officer._id }).sort({ endDate: -1 }).lean<TrainingDoc[]>(),
  ]);
  const year = Number(localDate(new Date(), context.timeZone).slice(0, 4));
  const byYear = new Map<number, number>();
  for (const training of trainings) byYear.set(training.year, (byYear.get(training.year) ?? 0) + training.jp);
  return {
    officer: officerSummary(context),
    canWrite: canCoach(actor, context.officer),
    suggestions: suggestions
      .map((suggestion) => suggestionView(suggestion, lang))
      .sort((a, b) => Number(b.status === 'suggested') - Number(a.status === 'suggested')),
    trainings: trainings.map(trainingView),
    jp: { year, total: byYear.get(year) ?? 0, target: JP_TARGET },
    years: [...byYear.entries()].sort((a, b) => b[0] - a[0]).map(([y, jp]) => ({ year: y, jp, target: JP_TARGET })),
  };
}

/** The coach accepts, edits (accepts with another competency or training) or dismisses a suggestion, with a reason. */
export async function decideSuggestion(actor: Actor | undefined, id: unknown, raw: unknown, lang: Lang = 'id') {
  const suggestion = isObjectId(id) ? await PlanSuggestion.findById(id).lean<SuggestionDoc>() : null;
  if (!suggestion) throw new AppError('not_found');
  const context = await officerOf(actor, suggestion.officerId, 'coaching.write', 'plan');
  const input = check<SuggestionDecision>(suggestionDecision, raw);
  const set: Record<string, unknown> = {
    status: input.decision === 'dismiss' ? 'dismissed' : 'accepted',
    edited: input.decision === 'edit',
    reason: input.reason,
    decidedBy: { userId: oid(actor!.id), name: actor!.name },
    decidedAt: new Date(),
  };
  if (input.decision === 'edit') {
    set.competency = { id: input.competency, en: input.competency };
    set.training = { id: input.training, en: input.training };
  }
  const updated = await PlanSuggestion.findOneAndUpdate(
    { _id: suggestion._id, status: 'suggested' },
    { $set: set },
    { returnDocument: 'after' },
  ).lean<SuggestionDoc>();
  if (!updated) throw new AppError('conflict', 'coaching.work.already_decided');
  await recordAudit(
    actor!,
    `coaching.suggestion.${input.decision}`,
    context.officer.nip,
    { suggestionId: String(suggestion._id) },
    null,
    context.officer,
  );
  return suggestionView(updated, lang);
}

// ---------------------------------------------------------------------------------------------------------------
// The figures the record shows

/** What the coaching work adds to an officer's summary for a period. */
export interface CoachingFigures {
  sessionsHeld: number;
  openActions: { sessionId: string; text: string; owner: string; dueAt: Date; overdue: boolean }[];
  /** Training hours (JP) in the calendar year (agency local time) of `period.to`, against the 20 JP target. */
  training: { year: number; jp: number; target: number };
}

/**
 * Sessions held in the period, the actions still open now (whatever the period: an open action is open), and the
 * JP of the calendar year of `period.to` on the agency's wall clock.
 */
export async function coachingFigures(
  officerId: string | Types.ObjectId,
  period: { from: Date; to: Date },
): Promise<CoachingFigures> {
  const timeZone = (await officerTimeZone(officerId)) ?? 'Asia/Jakarta';
  const year = Number(localDate(period.to, timeZone).slice(0, 4));
  const [sessionsHeld, actions, jp] = await Promise.all([
    CoachingSession.countDocuments({ officerId: oid(officerId), at: { $gte: period.from, $lte: period.to } }),
    CoachingAction.find({ officerId: oid(officerId), done: false })
      .sort({ dueAt: 1 })
      .limit(100)
      .lean<ActionDoc[]>(),
    jpInYear(officerId, year),
  ]);
  const now = Date.now();
  return {
    sessionsHeld,
    openActions: actions.map((action) => ({
      sessionId: String(action.sessionId),
      text: action.text,
      owner: action.ownerName,
      dueAt: action.dueAt,
      overdue: action.dueAt.getTime() < now,
    })),
    training: { year, jp, target: JP_TARGET },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluations

/** How often an agency evaluates its officers; quarterly unless the agency set otherwise. */
export async function evaluationPeriodOf(agencyId: string | Types.ObjectId): Promise<EvaluationPeriod> {
  const setting = await CoachingSetting.findOne({ agencyId: oid(agencyId) }).lean();
  return (setting?.evaluationPeriod as EvaluationPeriod | undefined) ?? 'quarterly';
}

async function agencyFor(actor: Actor | undefined, agencyCode: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const unit = typeof agencyCode === 'string' ? await findUnitByCode(agencyCode) : null;
  if (!unit || unit.path.length !== 1) throw new AppError('not_found');
  assertCan(actor, 'directory.manage', { unitPath: unit.path.map(String) });
  return unit;
}

/** The agency's coaching settings, for its admins. */
export async function evaluationSettings(actor: Actor | undefined, agencyCode: unknown) {
  const unit = await agencyFor(actor, agencyCode);
  return { agencyCode: unit.code, agencyName: unit.name, evaluationPeriod: await evaluationPeriodOf(unit._id) };
}

/** An agency admin sets the evaluation period of the agency. */
export async function setEvaluationPeriod(actor: Actor | undefined, agencyCode: unknown, raw: unknown) {
  const unit = await agencyFor(actor, agencyCode);
  const input = check<{ evaluationPeriod: EvaluationPeriod }>(settingsInput, raw);
  await CoachingSetting.updateOne(
    { agencyId: unit._id },
    { $set: { evaluationPeriod: input.evaluationPeriod } },
    { upsert: true },
  );
  await recordAudit(actor!, 'coaching.settings', unit.code, { evaluationPeriod: input.evaluationPeriod }, null, {
    unitPath: unit.path,
  });
  return { agencyCode: unit.code, evaluationPeriod: input.evaluationPeriod };
}

const partsPerYear: Record<EvaluationPeriod, number> = { quarterly: 4, semester: 2, annual: 1 };
const monthsPerPart: Record<EvaluationPeriod, number> = { quarterly: 3, semester: 6, annual: 12 };

/** The local dates and instants of one period in the agency's time zone. */
export function periodOf(kind: EvaluationPeriod, year: number, part: number, timeZone: string) {
  const months = monthsPerPart[kind];
  const first = (part - 1) * months + 1;
  const pad = (n: number) => String(n).padStart(2, '0');
  const fromDate = `${year}-${pad(first)}-01`;
  const next = first + months > 12 ? `${year + 1}-01-01` : `${year}-${pad(first + months)}-01`;
  const toDate = addDays(next, -1);
  const key = kind === 'quarterly' ? `${year}-Q${part}` : kind === 'semester' ? `${year}-S${part}` : `${year}`;
  return {
    kind,
    key,
    fromDate,
    toDate,
    from: startOfLocalDay(fromDate, timeZone),
    to: endOfLocalDay(toDate, timeZone),
  };
}

const roman = ['I', 'II', 'III', 'IV'];
export function periodLabel(period: { kind: string; key: string }, lang: Lang): string {
  const year = period.key.slice(0, 4);
  const part = Number(period.key.slice(6)) || 1;
  if (period.kind === 'quarterly') return t(lang, 'coaching.work.period_quarter', { part: roman[part - 1], year });
  if (period.kind === 'semester') return t(lang, 'coaching.work.period_semester', { part: roman[part - 1], year });
  return t(lang, 'coaching.work.period_year', { year });
}

/** Substantiated and partially substantiated findings of the period: the evidence an evaluation links to. */
async function evidenceOf(officerId: Types.ObjectId, period: { from: Date; to: Date }) {
  const findings = await findingsOfOfficer(officerId, { outcomes: countedOutcomes, changed: period, limit: 200 });
  return findings.map((finding) => ({
    findingId: finding._id,
    code: finding.code,
    category: finding.category ?? null,
    outcome: finding.outcome,
  }));
}

/** Drafts the evaluation of a period (default: the current one) from the period's figures, with the evidence. */
export async function draftEvaluation(actor: Actor | undefined, nip: unknown, raw: unknown) {
  const context = await officerFor(actor, nip, 'coaching.write');
  const input = check<EvaluationInput>(evaluationInput, raw ?? {});
  const kind = await evaluationPeriodOf(context.unit.path[0]!);
  let { year, part } = input;
  if (year === undefined || part === undefined) {
    const today = localDate(new Date(), context.timeZone);
    year = Number(today.slice(0, 4));
    part = Math.floor((Number(today.slice(5, 7)) - 1) / monthsPerPart[kind]) + 1;
  }
  if (part > partsPerYear[kind])
    throw AppError.validation({ part: { key: 'coaching.work.bad_part', params: { limit: partsPerYear[kind] } } });
  const period = periodOf(kind, year, part, context.timeZone);
  const { officer } = context;
  const [summary, figures, evidence] = await Promise.all([
    recordSummary(officer._id, { from: period.from, to: period.to }),
    coachingFigures(officer._id, { from: period.from, to: period.to }),
    evidenceOf(officer._id, period),
  ]);
  let evaluation;
  try {
    [evaluation] = await Evaluation.create([
      {
        officerId: officer._id,
        unitPath: officer.unitPath,
        timeZone: context.timeZone,
        period,
        version: 1,
        figures: { ...summary, ...figures, openActions: figures.openActions.length },
        evidence,
        createdBy: { userId: actor!.id, name: actor!.name },
      },
    ]);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new AppError('conflict', 'coaching.work.evaluation_exists');
    throw error;
  }
  await recordAudit(
    actor!,
    'coaching.evaluation.draft',
    officer.nip,
    { evaluationId: String(evaluation!._id) },
    null,
    officer,
  );
  return evaluationView(evaluation!.toObject() as EvaluationDoc, context, actor!);
}

type Rated = { rating?: Rating | null; reason?: string | null };

function evaluationView(evaluation: EvaluationDoc, context: OfficerContext, actor: Actor) {
  const values = evaluation.values as unknown as Record<string, Rated>;
  return {
    id: String(evaluation._id),
    officer: officerSummary(context),
    period: {
      kind: evaluation.period.kind,
      key: evaluation.period.key,
      fromDate: evaluation.period.fromDate,
      toDate: evaluation.period.toDate,
      label: { id: periodLabel(evaluation.period, 'id'), en: periodLabel(evaluation.period, 'en') },
    },
    version: evaluation.version,
    previousId: evaluation.previousId ? String(evaluation.previousId) : null,
    supersededBy: evaluation.supersededBy ? String(evaluation.supersededBy) : null,
    status: evaluation.status,
    figures: evaluation.figures,
    evidence: evaluation.evidence.map((item) => ({
      findingId: String(item.findingId),
      code: item.code,
      category: item.category,
      outcome: item.outcome,
    })),
    results: { rating: evaluation.results?.rating ?? null, reason: evaluation.results?.reason ?? '' },
    values: Object.fromEntries(
      berakhlakValues.map((value) => [
        value,
        { rating: values?.[value]?.rating ?? null, reason: values?.[value]?.reason ?? '' },
      ]),
    ) as Record<(typeof berakhlakValues)[number], { rating: Rating | null; reason: string }>,
    behaviour: evaluation.behaviour ?? null,
    predikat: evaluation.predikat ?? null,
    createdBy: evaluation.createdBy.name,
    signedBy: evaluation.signedBy?.name ?? null,
    signedAt: evaluation.signedAt ?? null,
    revision: evaluation.revision,
    canWrite: canCoach(actor, context.officer),
  };
}
export type EvaluationView = ReturnType<typeof evaluationView>;

/** An evaluation the actor may read; an officer sees only their own signed (or superseded) versions, never drafts. */
async function evaluationFor(actor: Actor | undefined, id: unknown, action: 'coaching.read' | 'coaching.write') {
  const evaluation = isObjectId(id) ? await Evaluation.findById(id).lean<EvaluationDoc>() : null;
  if (!evaluation) throw new AppError('not_found');
  const context = await officerOf(actor, evaluation.officerId, action, 'evaluation');
  if (context.self && evaluation.status === 'draft') throw new AppError('not_found');
  return { evaluation, context };
}

export async function getEvaluation(actor: Actor | undefined, id: unknown) {
  const { evaluation, context } = await evaluationFor(actor, id, 'coaching.read');
  const versions = await Evaluation.find({ officerId: evaluation.officerId, 'period.key': evaluation.period.key })
    .sort({ version: 1 })
    .select({ version: 1, status: 1, signedAt: 1, predikat: 1 })
    .lean<EvaluationDoc[]>();
  return {
    ...evaluationView(evaluation, context, actor!),
    versions: versions
      .filter((version) => !context.self || version.status !== 'draft')
      .map((version) => ({
        id: String(version._id),
        version: version.version,
        status: version.status,
        signedAt: version.signedAt ?? null,
        predikat: version.predikat ?? null,
      })),
  };
}

export async function listEvaluations(actor: Actor | undefined, nip: unknown) {
  const context = await officerFor(actor, nip, 'coaching.read', 'evaluations');
  const filter: Record<string, unknown> = { officerId: context.officer._id };
  if (context.self) filter.status = { $ne: 'draft' };
  const evaluations = await Evaluation.find(filter).sort({ 'period.from': -1, version: -1 }).lean<EvaluationDoc[]>();
  const kind = await evaluationPeriodOf(context.unit.path[0]!);
  const today = localDate(new Date(), context.timeZone);
  return {
    officer: officerSummary(context),
    canWrite: canCoach(actor, context.officer),
    periodKind: kind,
    current: {
      year: Number(today.slice(0, 4)),
      part: Math.floor((Number(today.slice(5, 7)) - 1) / monthsPerPart[kind]) + 1,
    },
    parts: partsPerYear[kind],
    items: evaluations.map((evaluation) => ({
      id: String(evaluation._id),
      period: {
        key: evaluation.period.key,
        label: { id: periodLabel(evaluation.period, 'id'), en: periodLabel(evaluation.period, 'en') },
      },
      version: evaluation.version,
      status: evaluation.status,
      predikat: evaluation.predikat ?? null,
      signedAt: evaluation.signedAt ?? null,
    })),
  };
}

const locked = () => new AppError('conflict', 'coaching.work.signed_locked');

/** Saves ratings and reasons of a draft; a signed evaluation cannot change (409): make a new version instead. */
export async function updateEvaluation(actor: Actor | undefined, id: unknown, raw: unknown) {
  const { evaluation, context } = await evaluationFor(actor, id, 'coaching.write');
  const input = check<EvaluationUpdate>(evaluationUpdate, raw);
  if (evaluation.status !== 'draft') throw locked();
  const current = evaluation.values as unknown as Record<string, Rated>;
  const merge = (before: Rated | undefined, change: { rating?: string | null; reason?: string } | undefined) => ({
    rating: (change && 'rating' in change ? change.rating || null : (before?.rating ?? null)) as Rating | null,
    reason: change && 'reason' in change ? (change.reason ?? '') : (before?.reason ?? ''),
  });
  const results = merge(evaluation.results as Rated, input.results);
  const values = Object.fromEntries(
    berakhlakValues.map((value) => [value, merge(current?.[value], input.values?.[value])]),
  ) as Record<(typeof berakhlakValues)[number], { rating: Rating | null; reason: string }>;
  const behaviour = behaviourRating(Object.fromEntries(berakhlakValues.map((value) => [value, values[value].rating])));
  const updated = await Evaluation.findOneAndUpdate(
    { _id: evaluation._id, status: 'draft', revision: input.revision },
    {
      $set: {
        results,
        values,
        behaviour,
        predikat: results.rating && behaviour ? predikat(results.rating, behaviour) : null,
      },
      $inc: { revision: 1 },
    },
    { returnDocument: 'after' },
  ).lean<EvaluationDoc>();
  if (!updated) {
    const now = await Evaluation.findById(evaluation._id).select({ status: 1 }).lean();
    throw now?.status === 'draft' ? new AppError('conflict', 'coaching.work.stale') : locked();
  }
  return evaluationView(updated, context, actor!);
}

/** Signs a complete draft: every rating given, each with a reason. Locks it; the version it replaces is superseded. */
export async function signEvaluation(actor: Actor | undefined, id: unknown, raw: unknown) {
  const { evaluation, context } = await evaluationFor(actor, id, 'coaching.write');
  const input = check<{ revision: number }>(revisionInput, raw);
  if (evaluation.status !== 'draft') throw locked();
  const errors: FieldErrors = {};
  const need = (path: string, rated: Rated | undefined) => {
    if (!rated?.rating) errors[`${path}.rating`] = { key: 'coaching.work.rating_required' };
    if (!rated?.reason?.trim()) errors[`${path}.reason`] = { key: 'coaching.work.reason_required' };
  };
  need('results', evaluation.results as Rated);
  const values = evaluation.values as unknown as Record<string, Rated>;
  for (const value of berakhlakValues) need(`values.${value}`, values?.[value]);
  if (Object.keys(errors).length) throw AppError.validation(errors, 'coaching.work.incomplete');
  const signedAt = new Date();
  const signed = await Evaluation.findOneAndUpdate(
    { _id: evaluation._id, status: 'draft', revision: input.revision },
    {
      $set: { status: 'signed', signedAt, signedBy: { userId: oid(actor!.id), name: actor!.name } },
      $inc: { revision: 1 },
    },
    { returnDocument: 'after' },
  ).lean<EvaluationDoc>();
  if (!signed) throw new AppError('conflict', 'coaching.work.stale');
  if (signed.previousId) {
    await Evaluation.updateOne(
      { _id: signed.previousId },
      { $set: { status: 'superseded', supersededBy: signed._id }, $inc: { revision: 1 } },
    );
    const previous = await Evaluation.findById(signed.previousId).lean<EvaluationDoc>();
    if (previous) await evaluationFeed(previous);
  }
  await evaluationFeed(signed);
  await recordAudit(
    actor!,
    'coaching.evaluation.sign',
    context.officer.nip,
    { evaluationId: String(signed._id), version: signed.version, predikat: signed.predikat },
    null,
    context.officer,
  );
  return evaluationView(signed, context, actor!);
}

/** A change after signing: a new draft version (n + 1) copied from the signed one, linked to it. */
export async function newEvaluationVersion(actor: Actor | undefined, id: unknown) {
  const { evaluation, context } = await evaluationFor(actor, id, 'coaching.write');
  if (evaluation.status !== 'signed') throw new AppError('conflict', 'coaching.work.not_latest_signed');
  let created;
  try {
    [created] = await Evaluation.create([
      {
        officerId: evaluation.officerId,
        unitPath: evaluation.unitPath,
        timeZone: evaluation.timeZone,
        period: evaluation.period,
        version: evaluation.version + 1,
        previousId: evaluation._id,
        figures: evaluation.figures,
        evidence: evaluation.evidence,
        results: evaluation.results,
        values: evaluation.values,
        behaviour: evaluation.behaviour,
        predikat: evaluation.predikat,
        createdBy: { userId: actor!.id, name: actor!.name },
      },
    ]);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new AppError('conflict', 'coaching.work.version_exists');
    throw error;
  }
  await recordAudit(
    actor!,
    'coaching.evaluation.version',
    context.officer.nip,
    { evaluationId: String(created!._id), previousId: String(evaluation._id) },
    null,
    context.officer,
  );
  return evaluationView(created!.toObject() as EvaluationDoc, context, actor!);
}

/** Signed evaluations (every version) are on the record; a superseded one says so and links to its successor. */
async function evaluationFeed(evaluation: EvaluationDoc): Promise<void> {
  await upsertFeedItem({
    officerId: evaluation.officerId,
    unitPath: evaluation.unitPath,
    type: 'evaluation',
    sourceId: evaluation._id,
    at: evaluation.signedAt ?? new Date(),
    data: {
      title: t('id', 'coaching.work.feed_evaluation', {
        period: periodLabel(evaluation.period, 'id'),
        version: evaluation.version,
      }),
      summary: evaluation.predikat ?? '',
      url: `/coaching/evaluations/${String(evaluation._id)}`,
      predikat: evaluation.predikat,
      period: evaluation.period.key,
      version: evaluation.version,
      status: evaluation.status,
      superseded: evaluation.status === 'superseded',
      supersededBy: evaluation.supersededBy ? String(evaluation.supersededBy) : null,
      signedBy: evaluation.signedBy?.name ?? null,
    },
  });
}

/** An evaluation for export (PDF, CSV): the same reading rules, audited as an export. */
export async function evaluationForExport(actor: Actor | undefined, id: unknown, format: 'pdf' | 'csv') {
  const view = await getEvaluation(actor, id);
  await recordAudit(actor!, 'coaching.evaluation.export', view.officer.nip, { evaluationId: view.id, format });
  // The printed copy carries the agency's name at its head.
  const unit = await findUnitByCode(view.officer.unitCode);
  const agency = unit && unit.agencyCode !== unit.code ? await findUnitByCode(unit.agencyCode) : unit;
  return { ...view, agencyName: agency?.name ?? null };
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading =, +, -, @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The evaluation as CSV: one line per rated item, then the figures and the evidence. */
export function evaluationCsv(view: EvaluationView, lang: Lang): string {
  const rows: unknown[][] = [
    ['field', 'value', 'reason'],
    ['officer', view.officer.name, ''],
    ['nip', view.officer.nip, ''],
    ['unit', view.officer.unitName, ''],
    ['period', view.period.label[lang], `${view.period.fromDate}..${view.period.toDate}`],
    ['version', view.version, view.status],
    ['results', view.results.rating ?? '', view.results.reason],
    ...berakhlakValues.map((value) => [value, view.values[value].rating ?? '', view.values[value].reason]),
    ['behaviour', view.behaviour ?? '', ''],
    ['predikat', view.predikat ?? '', ''],
    ['signed_by', view.signedBy ?? '', view.signedAt ? new Date(view.signedAt).toISOString() : ''],
  ];
  const figures = (view.figures ?? {}) as Record<string, unknown>;
  for (const key of ['sessionsHeld', 'openActions', 'compliments'])
    if (typeof figures[key] === 'number') rows.push([`figures.${key}`, figures[key], '']);
  const findings = figures.findings as { total?: number } | undefined;
  if (findings && typeof findings.total === 'number') rows.push(['figures.findings', findings.total, '']);
  const training = figures.training as { year?: number; jp?: number; target?: number } | undefined;
  if (training) rows.push(['figures.training_jp', training.jp ?? 0, `${training.year} / ${training.target} JP`]);
  for (const item of view.evidence) rows.push(['evidence', item.code, `${item.category ?? ''} ${item.outcome}`.trim()]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
