import { Router } from 'express';
import { requireActor } from '../../platform/access.js';
import { adminHome } from './service.js';

export function adminRoutes(): Router {
  const router = Router();
  router.get('/admin', requireActor, async (req, res) => {
    res.render('pages/admin/home', { title: req.t('admin.home.title'), ...(await adminHome(req.actor)) });
  });
  router.get('/api/v1/admin', requireActor, async (req, res) => {
    res.json(await adminHome(req.actor));
  });
  return router;
}
