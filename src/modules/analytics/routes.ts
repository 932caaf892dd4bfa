import { Router } from 'express';
import type { Config } from '../../config.js';

/** Pages and JSON API of the analytics module (thin: validate → service → view or JSON). */
export function analyticsRoutes(_config: Config): Router {
  const router = Router();
  return router;
}
