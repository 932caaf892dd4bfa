/**
 * The coaching module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import { registerCoachingJobs } from './jobs.js';
import messages from './messages.js';
import { ensureCoachingRules } from './plan/rules.js';
import { registerCoachingSubscribers } from './record/projector.js';
import { coachingRoutes } from './record/routes.js';
import workMessages from './work-messages.js';
import { coachingWorkRoutes } from './work-routes.js';

export { berakhlakValues } from './evaluations/model.js';
export { draftEvaluation, signEvaluation, updateEvaluation } from './evaluations/evaluations.js';
export { createSession } from './sessions/sessions.js';
export { recordTraining } from './training/training.js';
export { rebuildRecords } from './record/rebuild.js';
export { checkFeed, repairFeed } from './record/verify.js';

export const coaching: ModuleManifest = {
  name: 'coaching',
  messages: [messages, workMessages],
  routes: (config) => [coachingRoutes(config), coachingWorkRoutes(config)],
  subscribers: registerCoachingSubscribers,
  jobs: (config) => registerCoachingJobs(config),
  referenceData: ensureCoachingRules,
};
