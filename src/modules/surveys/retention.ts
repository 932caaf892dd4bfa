import { SurveyResponse } from './model.js';

/**
 * What the retention job (settings module) asks of surveys: forgetting the integrity evidence of answers given
 * before a cutoff (docs/privacy.md#retention). The answers and their flags stay, so the IKM and its review do not
 * change; only the keyed device and network hashes go. Changes only what is still there: idempotent.
 */
export async function purgeSurveyEvidence(before: Date, agencyCode: string): Promise<number> {
  const result = await SurveyResponse.updateMany(
    {
      agencyCode,
      submittedAt: { $lt: before },
      $or: [{ 'integrity.deviceHash': { $ne: null } }, { 'integrity.networkHash': { $ne: null } }],
    },
    { $set: { 'integrity.deviceHash': null, 'integrity.networkHash': null } },
  );
  return result.modifiedCount;
}
