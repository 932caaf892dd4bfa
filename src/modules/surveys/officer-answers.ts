import type { Types } from 'mongoose';
import { eachBySlices } from '../../platform/slices.js';
import { SurveyResponse, type SurveyResponseDoc } from './model.js';

/**
 * The survey answers that name an officer, for the coaching records (docs/architecture.md, "Modules"): the answer's
 * elements, where it was given and its integrity flags. Coaching reads them here, never through the model.
 */
export type OfficerAnswer = Pick<
  SurveyResponseDoc,
  '_id' | 'answers' | 'unitCode' | 'serviceCode' | 'submittedAt' | 'integrity'
> & { officerId?: Types.ObjectId | null };

const officerAnswerFields = {
  answers: 1,
  unitCode: 1,
  serviceCode: 1,
  submittedAt: 1,
  officerId: 1,
  'integrity.flags': 1,
} as const;

export async function findOfficerAnswer(surveyId: string): Promise<OfficerAnswer | null> {
  return SurveyResponse.findById(surveyId).select(officerAnswerFields).lean<OfficerAnswer>();
}

/** Every answer that names an officer, unit by unit (platform/slices.ts), those `keep` keeps. */
export function eachOfficerAnswer(unitIds: Types.ObjectId[], keep?: (answer: OfficerAnswer) => boolean) {
  return eachBySlices<OfficerAnswer>(SurveyResponse.collection, 'unitId', unitIds, {
    projection: officerAnswerFields,
    keep: (answer) =>
      (answer.officerId as { _bsontype?: string } | null)?._bsontype === 'ObjectId' && (keep?.(answer) ?? true),
  });
}
