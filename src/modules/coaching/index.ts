/**
 * The coaching module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { coachingRoutes } from './record/routes.js';
export { coachingWorkRoutes } from './work-routes.js';
export { berakhlakValues } from './evaluations/model.js';
export { draftEvaluation, signEvaluation, updateEvaluation } from './evaluations/evaluations.js';
export { createSession } from './sessions/sessions.js';
export { recordTraining } from './training/training.js';
export { rebuildRecords } from './record/rebuild.js';
export { checkFeed, repairFeed } from './record/verify.js';
export { ensureCoachingRules } from './plan/rules.js';
export { registerCoachingJobs } from './jobs.js';
export { registerCoachingSubscribers } from './record/projector.js';
