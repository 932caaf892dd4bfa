import { Router } from 'express';
import { listPublicUnits } from '../directory/index.js';

export function homeRoutes(): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const units = await listPublicUnits();
    const agencies = units
      .filter((unit) => unit.parentCode === null)
      .map((agency) => ({
        ...agency,
        units: units.filter((unit) => unit.agencyCode === agency.code && unit.parentCode !== null),
      }));
    res.render('pages/home', { title: req.t('app.tagline'), agencies });
  });
  return router;
}
