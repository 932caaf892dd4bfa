import type { Types } from 'mongoose';
import { endOfLocalDay, type LocalDate } from '../../../platform/calendar.js';
import { AppError } from '../../../platform/errors.js';
import { t } from '../../../platform/i18n.js';
import { check } from '../../../platform/validate.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { type Actor } from '../../../platform/access.js';
import { officerFor, oid } from '../access.js';
import { PlanSuggestion, type SuggestionDoc } from '../plan/model.js';
import { upsertFeedItem } from '../record/feed-model.js';
import { courseOfAgency } from './catalogue.js';
import { Training, type TrainingDoc } from './model.js';
import { trainingInput, type TrainingInput } from './schemas.js';

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
  const course = input.courseId ? await courseOfAgency(context.unit.path[0]!, input.courseId) : null;
  // What the form leaves out comes from the course; what it says (a provider's local branch, fewer JP) stands.
  const title = input.title ?? course!.title;
  const provider = input.provider ?? course!.provider;
  const jp = input.jp ?? course!.jp;
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
      title,
      provider,
      startDate: input.startDate,
      endDate: input.endDate,
      year: trainingYear(input.endDate),
      jp,
      courseId: course?._id ?? null,
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
      title,
      summary: t('id', 'coaching.work.feed_training', { provider, jp }),
      url: `/coaching/officers/${officer.nip}/plan`,
      provider,
      startDate: input.startDate,
      endDate: input.endDate,
      jp,
    },
  });
  return trainingView(training!.toObject() as TrainingDoc);
}

export const trainingView = (training: TrainingDoc) => ({
  id: String(training._id),
  title: training.title,
  provider: training.provider,
  startDate: training.startDate,
  endDate: training.endDate,
  year: training.year,
  jp: training.jp,
  courseId: training.courseId ? String(training.courseId) : null,
  suggestionId: training.suggestionId ? String(training.suggestionId) : null,
});
