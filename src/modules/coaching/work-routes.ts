import { Router } from 'express';
import type { Config } from '../../config.js';

/** Coaching work: sessions and actions, training, development plan, evaluations (pages, API, exports). */
export function coachingWorkRoutes(_config: Config): Router {
  const router = Router();
  return router;
}
