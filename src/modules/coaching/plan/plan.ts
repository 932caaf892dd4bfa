import { localDate } from '../../../platform/calendar.js';
import { AppError } from '../../../platform/errors.js';
import type { Lang } from '../../../platform/i18n.js';
import { check } from '../../../platform/validate.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { type Actor } from '../../../platform/access.js';
import { canCoach, isObjectId, officerFor, officerOf, officerSummary, oid } from '../access.js';
import { jpTargetOf } from '../evaluations/settings.js';
import { trainingView } from '../training/training.js';
import { Training, type TrainingDoc } from '../training/model.js';
import { PlanSuggestion, type SuggestionDoc } from './model.js';
import { suggestionDecision, type SuggestionDecision } from './schemas.js';

/**
 * The development plan (docs/domain.md, "Coaching record"): what the rules (rules.ts) suggest from the officer's
 * findings, the coach's decision on each suggestion, and the training taken, against the yearly JP target.
 */

const suggestionView = (suggestion: SuggestionDoc, lang: Lang) => ({
  id: String(suggestion._id),
  ruleCode: suggestion.ruleCode,
  category: suggestion.category,
  competency: suggestion.competency[lang],
  training: suggestion.training[lang],
  courseId: suggestion.courseId ? String(suggestion.courseId) : null,
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
  const [suggestions, trainings, target] = await Promise.all([
    PlanSuggestion.find({ officerId: context.officer._id }).sort({ createdAt: -1 }).lean<SuggestionDoc[]>(),
    Training.find({ officerId: context.officer._id }).sort({ endDate: -1 }).lean<TrainingDoc[]>(),
    jpTargetOf(context.unit.path[0]!),
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
    jp: { year, total: byYear.get(year) ?? 0, target },
    years: [...byYear.entries()].sort((a, b) => b[0] - a[0]).map(([y, jp]) => ({ year: y, jp, target })),
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
