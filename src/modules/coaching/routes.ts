import { Router } from 'express';
import type { Config } from '../../config.js';

/** Pages and JSON API of the coaching module (thin: validate → service → view or JSON). */
export function coachingRoutes(_config: Config): Router {
  const router = Router();
  return router;
}
