import { Router } from 'express';
import { requireActor } from '../../platform/access.js';
import { adminHome } from './service.js';
import { describe } from '../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getAdmin: describe({ summary: 'The admin home: counts of what waits for the admin' }),
};

export function adminRoutes(): Router {
  const router = Router();
  router.get('/admin', requireActor, async (req, res) => {
    res.render('pages/admin/home', { title: req.t('admin.home.title'), ...(await adminHome(req.actor)) });
  });
  router.get('/api/v1/admin', docs.getAdmin, requireActor, async (req, res) => {
    res.json(await adminHome(req.actor));
  });
  return router;
}
