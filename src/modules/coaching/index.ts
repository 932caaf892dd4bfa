/**
 * The coaching module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import { registerCoachingSubscribers } from './events.js';
import messages from './messages.js';
import { registerCoachingJobs } from './reminders.js';
import { coachingRoutes } from './routes.js';
import { ensureCoachingRules } from './rules.js';
import workMessages from './work-messages.js';
import { coachingWorkRoutes } from './work-routes.js';
export { coachingRoutes } from './routes.js';
export { coachingWorkRoutes } from './work-routes.js';
export { berakhlakValues } from './work-model.js';
export { createSession, draftEvaluation, recordTraining, signEvaluation, updateEvaluation } from './work.js';
export { rebuildRecords } from './rebuild.js';
export { checkFeed, repairFeed } from './verify.js';
export { ensureCoachingRules } from './rules.js';
export { registerCoachingJobs } from './reminders.js';
export { registerCoachingSubscribers } from './events.js';

export const coaching: ModuleManifest = {
  name: 'coaching',
  messages: [messages, workMessages],
  routes: (config) => [coachingRoutes(config), coachingWorkRoutes(config)],
  subscribers: registerCoachingSubscribers,
  jobs: (config) => registerCoachingJobs(config),
  referenceData: ensureCoachingRules,
};
