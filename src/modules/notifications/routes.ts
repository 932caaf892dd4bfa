import { Router } from 'express';
import { requireActor } from '../../platform/access.js';
import { outboxStatus } from './service.js';

export function notificationRoutes(): Router {
  const router = Router();

  // Platform administrators only (checked in the service): counts by status and the latest failures.
  router.get('/api/v1/admin/outbox', requireActor, async (req, res) => {
    res.json(await outboxStatus(req.actor));
  });

  return router;
}
