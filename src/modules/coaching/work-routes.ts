import { Router } from 'express';
import type { Config } from '../../config.js';
import { evaluationRoutes } from './evaluations/routes.js';
import { planRoutes } from './plan/routes.js';
import { ruleRoutes } from './plan/rule-routes.js';
import { sessionRoutes } from './sessions/routes.js';
import { catalogueRoutes } from './training/catalogue-routes.js';
import { trainingRoutes } from './training/routes.js';

/**
 * The coaching work's routes (sessions, plan and its rules, training and its catalogue, evaluations); the record has
 * its own (record/routes.ts).
 */
export function coachingWorkRoutes(_config: Config): Router {
  return Router().use(
    sessionRoutes(),
    planRoutes(),
    ruleRoutes(),
    trainingRoutes(),
    catalogueRoutes(),
    evaluationRoutes(),
  );
}
