import { Types } from 'mongoose';
import { readBySlices, type Slice, type SlicePosition } from '../../platform/slices.js';
import { SurveyResponse } from './model.js';

/**
 * What other modules count of survey answers (analytics' rollups and exports): the fields they need, read here with a
 * projection, so that no other module queries the answers' collection. An answer never changes once stored.
 */

/** The fields of an answer its facts are read with. */
const FACT_FIELDS = {
  unitId: 1,
  unitPath: 1,
  agencyCode: 1,
  serviceCode: 1,
  answers: 1,
  respondent: 1,
  submittedAt: 1,
  'integrity.flags': 1,
} as const;

/** One answer as it is counted: where, when, the nine scores, who answered (profile codes) and its integrity flags. */
export interface AnswerFacts {
  _id: Types.ObjectId;
  unitId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  agencyCode?: string | null;
  serviceCode?: string | null;
  answers: number[];
  respondent?: { gender?: string; ageBand?: string; education?: string; occupation?: string } | null;
  submittedAt: Date;
  integrity?: { flags?: string[] | null } | null;
}

export function answerFactsById(id: string): Promise<AnswerFacts | null> {
  return SurveyResponse.findById(id).select(FACT_FIELDS).lean<AnswerFacts>();
}

/** About how many answers there are (the collection's estimate, for progress lines). */
export const estimatedAnswerCount = () => SurveyResponse.collection.estimatedDocumentCount();

/**
 * Every answer's facts, a unit at a time (platform/slices.ts says why not one cursor), from `from` on: the same data
 * gives the same sequence, so a saved position continues exactly after what an earlier read took.
 */
export function answerFactSlices(
  unitIds: Types.ObjectId[],
  from: SlicePosition | null = null,
): AsyncGenerator<Slice<AnswerFacts>> {
  return readBySlices<AnswerFacts>(SurveyResponse.collection, 'unitId', unitIds, { projection: FACT_FIELDS, from });
}

/** The facts of the answers to these units submitted in [since, to), one at a time. */
export async function* answerFactsIn(
  unitIds: Types.ObjectId[],
  window: { since: Date; to: Date },
): AsyncGenerator<AnswerFacts> {
  for await (const { docs } of answerFactSlices(unitIds))
    for (const answer of docs) if (answer.submittedAt >= window.since && answer.submittedAt < window.to) yield answer;
}

/** An answer as it may leave for an export: no integrity block (hashes), no officer, no idempotency key. */
export interface ExportedAnswer {
  submittedAt: Date;
  unitCode: string;
  serviceCode: string | null;
  answers: number[];
  /** A field is missing where a kiosk respondent skipped it. */
  respondent: { gender?: string; ageBand?: string; education?: string; occupation?: string };
  comment: string | null;
}

/**
 * The answers to a unit (with its subtree, or alone) submitted in [from, to), oldest first, at most `limit`; the
 * comment as typed (the caller scrubs it).
 */
export function answersForExport(query: {
  unitId: Types.ObjectId;
  subtree: boolean;
  from: Date;
  to: Date;
  serviceCode?: string | null;
  limit: number;
}): Promise<ExportedAnswer[]> {
  const filter: Record<string, unknown> = query.subtree ? { unitPath: query.unitId } : { unitId: query.unitId };
  filter.submittedAt = { $gte: query.from, $lt: query.to };
  if (query.serviceCode) filter.serviceCode = query.serviceCode;
  return SurveyResponse.find(filter)
    .sort({ submittedAt: 1 })
    .limit(query.limit)
    .select({ submittedAt: 1, unitCode: 1, serviceCode: 1, answers: 1, respondent: 1, comment: 1 })
    .lean<ExportedAnswer[]>();
}
