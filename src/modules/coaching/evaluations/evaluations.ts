import type { Types } from 'mongoose';
import { localDate } from '../../../platform/calendar.js';
import { AppError, type FieldErrors } from '../../../platform/errors.js';
import { t } from '../../../platform/i18n.js';
import { check } from '../../../platform/validate.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { type Actor } from '../../../platform/access.js';
import { countedOutcomes, findingsOfOfficer } from '../../feedback/index.js';
import { canCoach, isObjectId, officerFor, officerOf, officerSummary, oid, type OfficerContext } from '../access.js';
import { coachingFigures } from '../record/coaching-figures.js';
import { upsertFeedItem } from '../record/feed-model.js';
import { recordSummary } from '../record/summary.js';
import { berakhlakValues, Evaluation, type BehaviourRule, type EvaluationDoc, type Rating } from './model.js';
import { monthsPerPart, partsPerYear, periodLabel, periodOf } from './periods.js';
import { behaviourRating, predikat } from './predikat.js';
import {
  evaluationInput,
  evaluationUpdate,
  revisionInput,
  type EvaluationInput,
  type EvaluationUpdate,
} from './schemas.js';
import { coachingSettingsOf, evaluationPeriodOf } from './settings.js';

/**
 * Periodic evaluations (docs/domain.md, "Evaluations and predikat"): drafted from the period's figures with the
 * findings as evidence, rated on the results and the BerAKHLAK values, signed and then locked; a change after signing
 * is a new version. Signed versions are items of the officer's record.
 */

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
    /** How the behaviour rating was reached: the agency's rule, or `override` with the assessor's reason. */
    behaviourDerivation: evaluation.behaviourOverride
      ? { by: 'override' as const, reason: evaluation.behaviourOverride.reason }
      : { by: (evaluation.behaviourRule ?? 'strict') as BehaviourRule, reason: null },
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
  const override = behaviourOverrideOf(evaluation, input);
  const { behaviourRule } = await coachingSettingsOf(context.unit.path[0]!);
  const derived = behaviourRating(
    Object.fromEntries(berakhlakValues.map((value) => [value, values[value].rating])),
    behaviourRule,
  );
  const behaviour = override?.rating ?? derived;
  const updated = await Evaluation.findOneAndUpdate(
    { _id: evaluation._id, status: 'draft', revision: input.revision },
    {
      $set: {
        results,
        values,
        behaviour,
        behaviourRule,
        behaviourOverride: override,
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
  const before = evaluation.behaviourOverride ?? null;
  if (JSON.stringify(before) !== JSON.stringify(override))
    await recordAudit(
      actor!,
      'coaching.evaluation.behaviour_override',
      context.officer.nip,
      { evaluationId: String(evaluation._id), before, after: override },
      override?.reason ?? null,
      context.officer,
    );
  return evaluationView(updated, context, actor!);
}

/**
 * The assessor's behaviour override after this update: unchanged when the update does not mention it, taken back
 * when its rating is empty, and otherwise set — with a written reason of 10 to 500 characters, since the officer
 * reads it on their evaluation (PermenPANRB 6/2022 leaves the behaviour rating to the assessor's judgement).
 */
function behaviourOverrideOf(
  evaluation: EvaluationDoc,
  input: EvaluationUpdate,
): { rating: Rating; reason: string } | null {
  const current = (evaluation.behaviourOverride as { rating: Rating; reason: string } | null | undefined) ?? null;
  if (!('behaviourOverride' in input)) return current;
  const change = input.behaviourOverride;
  if (!change?.rating) return null;
  const reason = (change.reason ?? '').trim();
  if (reason.length < 10)
    throw AppError.validation({ 'behaviourOverride.reason': { key: 'coaching.work.override_reason_required' } });
  return { rating: change.rating as Rating, reason };
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
  // Under the 'assessor' rule nothing is derived: the assessor's own rating is what makes the predikat.
  if (!errors['values.berorientasi_pelayanan.rating'] && !evaluation.behaviour)
    errors['behaviourOverride.rating'] = { key: 'coaching.work.behaviour_required' };
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
        behaviourRule: evaluation.behaviourRule,
        behaviourOverride: evaluation.behaviourOverride,
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
