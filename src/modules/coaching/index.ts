/**
 * The coaching module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { coachingRoutes } from './routes.js';
export { coachingWorkRoutes } from './work-routes.js';
export { berakhlakValues } from './work-model.js';
export { createSession, draftEvaluation, recordTraining, signEvaluation, updateEvaluation } from './work.js';
export { rebuildRecords } from './rebuild.js';
export { checkFeed, repairFeed } from './verify.js';
export { ensureCoachingRules } from './rules.js';
export { registerCoachingJobs } from './reminders.js';
export { registerCoachingSubscribers } from './events.js';
