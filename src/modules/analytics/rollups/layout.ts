import type mongoose from 'mongoose';
import { logger } from '../../../platform/logger.js';
import { keptLookups } from '../../../platform/shared-answers.js';
import { RollupCheckpoint, rollupModels } from './model.js';

/**
 * The survey subtree documents (model.ts, `surveysTree*`) came after the other rollups: a database whose survey
 * answers were rolled up before has none for them, and a subtree's IKM read from them would be short. They are
 * complete once a rebuild has run with this code, or when the database had no survey rollups at all when this code
 * first started (every answer from then on is rolled up with them). That is written down as a mark
 * (`rollup_checkpoints`, `_id: 'layout'`); until it is there, subtree questions read the per-unit documents (the same
 * answer, slower) and the start-up log asks for `npm run rollups:rebuild` once.
 */
const LAYOUT_ID = 'layout';
const layoutMark = () => RollupCheckpoint.collection as unknown as mongoose.mongo.Collection<{ _id: string }>;
const layoutLookups = keptLookups<boolean>(() => 0, 1);

export async function markRollupLayoutComplete(): Promise<void> {
  await layoutMark().updateOne({ _id: LAYOUT_ID }, { $set: { surveysTree: true, at: new Date() } }, { upsert: true });
  layoutLookups.clear();
}

/** Run at every start (reference-data.ts): marks a database with no survey rollups yet, or says what is missing. */
export async function ensureRollupLayout(): Promise<void> {
  if (await surveyTreeComplete()) return;
  if (!(await rollupModels.surveys.collection.findOne({}, { projection: { _id: 1 } })))
    return markRollupLayoutComplete();
  logger.warn(
    'survey subtree rollups missing: subtree IKM is read from the per-unit rollups (slower) until `npm run rollups:rebuild` has run once',
  );
}

/** Whether the survey subtree documents are complete (read again at most every 5 s). */
export function surveyTreeComplete(): Promise<boolean> {
  return layoutLookups.get(LAYOUT_ID, async () =>
    Boolean(await layoutMark().findOne({ _id: LAYOUT_ID, surveysTree: true }, { projection: { _id: 1 } })),
  );
}
