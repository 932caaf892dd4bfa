import { Router } from 'express';
import type { Config } from '../../config.js';
import { scopeOf } from '../../platform/access.js';
import { displayPages } from './display/pages.js';
import { ikmPages } from './ikm/pages.js';
import { transparencyPages } from './transparency/pages.js';
import { trendsPages } from './trends/pages.js';

/**
 * Analytics pages: the IKM report with its exports and follow-up plans, trends, "you said, we did" moderation,
 * the hall display and the public transparency page. Each capability's folder has its pages; handlers are thin:
 * validate → use case → view model, file or JSON.
 */
export function analyticsPageRoutes(config: Config): Router {
  const router = Router();
  // The report tabs offer "you said, we did" only to those who may approve it.
  router.use('/analytics', (req, res, next) => {
    const scope = scopeOf(req.actor, 'tickets.triage');
    res.locals.canShowcase = scope === 'all' || scope.length > 0;
    next();
  });
  router.use(ikmPages());
  router.use(trendsPages());
  router.use(transparencyPages());
  router.use(displayPages(config));
  return router;
}
