import Joi from 'joi';
import mongoose from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { assertCan, can, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { SKM_ELEMENTS, type SkmElement } from '../../surveys/index.js';
import { FollowUp, type FollowUpDoc } from './follow-up-model.js';
import { daysBetween, periodOf, reportQuery, type Period } from '../shared/period.js';
import { ikmReport } from './report.js';

/**
 * Follow-up of survey results (rencana tindak lanjut): for the weakest elements of a period the unit head records
 * planned actions with an owner and a due date, then their completion; the next period's report shows each action
 * beside the change in its element. Existing SKM tools stop at the number; this closes the loop.
 */

/** How many of the lowest element means count as "the weakest" (ties at the edge included). */
export const WEAKEST_COUNT = 3;

const localDay = Joi.string()
  .trim()
  .pattern(/^\d{4}-\d{2}-\d{2}$/);

export const followUpInput = reportQuery
  .keys({
    element: Joi.string()
      .valid(...SKM_ELEMENTS)
      .required(),
    action: Joi.string().trim().min(5).max(1000).required(),
    owner: Joi.string().trim().min(2).max(200).required(),
    dueDate: localDay.required(),
  })
  .fork(['interval'], (schema) => schema.strip());

export const followUpDoneInput = Joi.object({ note: Joi.string().trim().max(1000).allow('') });

interface ElementMean {
  element: string;
  mean: number | null;
}

/** The elements with the lowest means of a report (those without answers are not "weak", they are unknown). */
export function weakestElements(elements: readonly ElementMean[], count = WEAKEST_COUNT): SkmElement[] {
  const rated = elements.filter((entry): entry is { element: string; mean: number } => entry.mean !== null);
  const sorted = [...rated].sort((a, b) => a.mean - b.mean);
  if (sorted.length === 0) return [];
  const edge = sorted[Math.min(count, sorted.length) - 1]!.mean;
  return sorted.filter((entry) => entry.mean <= edge + 1e-12).map((entry) => entry.element as SkmElement);
}

const byWhom = (actor: Actor) => ({ userId: new mongoose.Types.ObjectId(actor.id), name: actor.name });

export function followUpView(doc: FollowUpDoc) {
  return {
    id: String(doc._id),
    unitCode: doc.unitCode,
    serviceCode: doc.serviceCode,
    periodFrom: doc.periodFrom,
    periodTo: doc.periodTo,
    element: doc.element as SkmElement,
    baselineMean: doc.baselineMean,
    action: doc.action,
    owner: doc.owner,
    dueDate: doc.dueDate,
    done: Boolean(doc.doneAt),
    doneAt: doc.doneAt,
    doneNote: doc.doneNote,
    createdBy: doc.createdBy?.name ?? null,
    createdAt: doc.createdAt,
  };
}
export type FollowUpView = ReturnType<typeof followUpView>;

/** Records a planned action on one of the weakest elements of the period; unit heads of the unit only. */
export async function createFollowUp(actor: Actor | undefined, raw: unknown): Promise<FollowUpView> {
  if (!actor) throw new AppError('unauthenticated');
  const input = check(followUpInput, raw);
  const period = await periodOf({
    unitCode: input.unitCode,
    from: input.from,
    to: input.to,
    serviceCode: input.serviceCode,
    subtree: input.subtree,
  });
  assertCan(actor, 'tickets.triage', { unitPath: period.unit.path.map(String) });
  if (daysBetween(period.fromDay, input.dueDate) < 0)
    throw AppError.validation({ dueDate: { key: 'analytics.pages.due_before_period' } });
  const report = await ikmReport(actor, {
    unitCode: period.unit.code,
    from: period.fromDay,
    to: period.toDay,
    serviceCode: period.serviceCode,
    subtree: period.subtree,
  });
  const weakest = weakestElements(report.elements);
  if (weakest.length === 0) throw AppError.validation({ element: { key: 'analytics.pages.follow_up_no_results' } });
  if (!weakest.includes(input.element as SkmElement))
    throw AppError.validation({ element: { key: 'analytics.pages.follow_up_not_weakest' } });
  const doc = await FollowUp.create({
    unitId: period.unit._id,
    unitCode: period.unit.code,
    unitPath: period.unit.path,
    serviceCode: period.serviceCode,
    periodFrom: period.fromDay,
    periodTo: period.toDay,
    element: input.element,
    baselineMean: report.elements.find((entry) => entry.element === input.element)?.mean ?? null,
    action: input.action,
    owner: input.owner,
    dueDate: input.dueDate,
    createdBy: byWhom(actor),
  });
  await recordAudit(
    actor,
    'follow_up.create',
    String(doc._id),
    { unitCode: period.unit.code, element: input.element },
    null,
    { unitPath: period.unit.path },
  );
  return followUpView(doc.toObject() as FollowUpDoc);
}

/** Marks an action done (once; doing it again changes nothing). */
export async function completeFollowUp(actor: Actor | undefined, id: unknown, raw: unknown): Promise<FollowUpView> {
  if (!actor) throw new AppError('unauthenticated');
  if (typeof id !== 'string' || !mongoose.Types.ObjectId.isValid(id)) throw new AppError('not_found');
  const input = check(followUpDoneInput, raw ?? {});
  const doc = await FollowUp.findById(id).lean<FollowUpDoc>();
  if (!doc) throw new AppError('not_found');
  assertCan(actor, 'tickets.triage', { unitPath: doc.unitPath.map(String) });
  if (doc.doneAt) return followUpView(doc);
  const done = await FollowUp.findOneAndUpdate(
    { _id: doc._id, doneAt: null },
    { $set: { doneAt: new Date(), doneNote: input.note || null, doneBy: byWhom(actor) } },
    { returnDocument: 'after' },
  ).lean<FollowUpDoc>();
  await recordAudit(actor, 'follow_up.done', String(doc._id), null, null, { unitPath: doc.unitPath });
  return followUpView(done ?? doc);
}

export interface FollowUpChange extends FollowUpView {
  /** The element's mean in the follow-up's own period (now) and in the period being viewed. */
  previousMean: number | null;
  currentMean: number | null;
  change: number | null;
}

/**
 * The follow-ups a report shows: those planned on this period's results, and those planned on the period just
 * before, each beside the change in its element (previous period mean → this period mean).
 */
export async function followUpsForReport(
  actor: Actor | undefined,
  period: Period,
  current: { elements: readonly ElementMean[] },
): Promise<{ planned: FollowUpView[]; previous: FollowUpChange[]; canWrite: boolean }> {
  if (!actor) throw new AppError('unauthenticated');
  const unitPath = { unitPath: period.unit.path.map(String) };
  assertCan(actor, 'analytics.read', unitPath);
  const base = { unitId: period.unit._id, serviceCode: period.serviceCode };
  const [planned, earlier] = await Promise.all([
    FollowUp.find({ ...base, periodFrom: period.fromDay, periodTo: period.toDay })
      .sort({ createdAt: 1 })
      .lean<FollowUpDoc[]>(),
    // Ended before this period began, and no earlier than one period's length before it.
    FollowUp.find({
      ...base,
      periodTo: { $lt: period.fromDay },
      periodFrom: { $gte: shiftDay(period.fromDay, -period.lengthDays - 7) },
    })
      .sort({ periodTo: -1, createdAt: 1 })
      .lean<FollowUpDoc[]>(),
  ]);
  // Each earlier period's means, read again now (late answers count), one report per distinct period.
  const meansByPeriod = new Map<string, readonly ElementMean[]>();
  for (const doc of earlier) {
    const key = `${doc.periodFrom}|${doc.periodTo}`;
    if (meansByPeriod.has(key)) continue;
    const then = await periodOf({
      unitCode: period.unit.code,
      from: doc.periodFrom,
      to: doc.periodTo,
      serviceCode: period.serviceCode ?? '',
      subtree: period.subtree,
    });
    const report = await ikmReport(actor, {
      unitCode: then.unit.code,
      from: then.fromDay,
      to: then.toDay,
      serviceCode: then.serviceCode,
      subtree: then.subtree,
    });
    meansByPeriod.set(key, report.elements);
  }
  const meanOf = (elements: readonly ElementMean[] | undefined, element: string) =>
    elements?.find((entry) => entry.element === element)?.mean ?? null;
  const previous = earlier.map((doc): FollowUpChange => {
    const previousMean =
      meanOf(meansByPeriod.get(`${doc.periodFrom}|${doc.periodTo}`), doc.element) ?? doc.baselineMean ?? null;
    const currentMean = meanOf(current.elements, doc.element);
    return {
      ...followUpView(doc),
      previousMean,
      currentMean,
      change: previousMean !== null && currentMean !== null ? currentMean - previousMean : null,
    };
  });
  return { planned: planned.map(followUpView), previous, canWrite: can(actor, 'tickets.triage', unitPath) };
}

function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
