import { Router } from 'express';
import type { Config } from '../../config.js';
import { intakeRoutes } from './intake-routes.js';
import { trackRoutes } from './track-routes.js';

/** The citizen's side of feedback: filing a ticket (API and public form) and following it (API and pages). */
export function feedbackRoutes(config: Config): Router {
  const router = Router();
  router.use(intakeRoutes(config));
  router.use(trackRoutes(config));
  return router;
}
