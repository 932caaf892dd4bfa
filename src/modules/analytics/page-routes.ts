import { Router } from 'express';
import type { Config } from '../../config.js';

/** Analytics pages: IKM report and exports, follow-up plans, trends, the hall display and the transparency page. */
export function analyticsPageRoutes(_config: Config): Router {
  const router = Router();
  return router;
}
