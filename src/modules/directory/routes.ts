import express, { Router, type Request, type Response } from 'express';
import { AppError, translateFields } from '../../platform/errors.js';
import { validate } from '../../platform/validate.js';
import { requireActor } from '../../platform/access.js';
import { timeZones, unitKinds } from './model.js';
import { officerQuery } from './schemas.js';
import {
  createOfficer,
  createUnit,
  getUnitForAdmin,
  importOfficers,
  importUnits,
  listOfficers,
  listPublicUnits,
  saveCounter,
  saveService,
  unitsInScope,
  updateUnit,
} from './service.js';
import { CSV_LIMIT_BYTES, csvText, csvUpload, translatedReport } from '../../platform/csv.js';

/** On a validation error, show the same page again with the messages beside the fields and what was typed. */
async function formOrRerender(
  req: Request,
  res: Response,
  work: () => Promise<string>,
  rerender: (extra: object) => Promise<void>,
) {
  try {
    const next = await work();
    req.session.flash = req.t('admin.saved');
    res.redirect(303, next);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'validation') throw error;
    res.status(400);
    await rerender({ values: req.body, errors: translateFields(req, error) });
  }
}

export function directoryRoutes(): Router {
  const router = Router();
  const csvBody = express.text({ type: ['text/csv', 'text/plain'], limit: CSV_LIMIT_BYTES });

  // Public, per the contract.
  router.get('/api/v1/units', async (_req, res) => {
    res.json(await listPublicUnits());
  });

  // Staff API.
  router.get('/api/v1/officers', requireActor, validate({ query: officerQuery }), async (req, res) => {
    res.json(await listOfficers(req.actor!, res.locals.query));
  });
  router.post('/api/v1/officers', requireActor, async (req, res) => {
    await createOfficer(req.actor!, req.body);
    res.status(201).json({ ok: true });
  });
  router.post('/api/v1/officers/import', requireActor, csvUpload.single('file'), csvBody, async (req, res) => {
    res.json(translatedReport(req, await importOfficers(req.actor!, csvText(req))));
  });
  router.post('/api/v1/units', requireActor, async (req, res) => {
    const unit = await createUnit(req.actor!, req.body);
    res.status(201).json({ code: unit.code });
  });
  router.patch('/api/v1/units/:code', requireActor, async (req, res) => {
    const unit = await updateUnit(req.actor!, String(req.params.code), req.body);
    res.json({ code: unit.code, name: unit.name });
  });
  router.post('/api/v1/units/import', requireActor, csvUpload.single('file'), csvBody, async (req, res) => {
    res.json(translatedReport(req, await importUnits(req.actor!, csvText(req))));
  });

  // Admin pages.
  const renderUnits = async (req: Request, res: Response, extra: object = {}) => {
    const units = await unitsInScope(req.actor!);
    if (units.length === 0 && !res.locals.isAdmin) throw new AppError('forbidden');
    res.render('pages/admin/units', { title: req.t('nav.units'), units, timeZones, unitKinds, ...extra });
  };
  router.get('/admin/units', requireActor, (req, res) => renderUnits(req, res));
  router.post('/admin/units', requireActor, (req, res) =>
    formOrRerender(
      req,
      res,
      async () => `/admin/units/${(await createUnit(req.actor!, req.body)).code}`,
      (extra) => renderUnits(req, res, extra),
    ),
  );
  router.post('/admin/units/import', requireActor, csvUpload.single('file'), async (req, res) => {
    const report = translatedReport(req, await importUnits(req.actor!, csvText(req)));
    await renderUnits(req, res, { report });
  });

  const renderUnit = async (req: Request, res: Response, extra: object = {}) => {
    const view = await getUnitForAdmin(req.actor!, String(req.params.code));
    res.render('pages/admin/unit', { title: view.unit.name, ...view, timeZones, unitKinds, ...extra });
  };
  router.get('/admin/units/:code', requireActor, (req, res) => renderUnit(req, res));
  router.post('/admin/units/:code', requireActor, (req, res) =>
    formOrRerender(
      req,
      res,
      async () => `/admin/units/${(await updateUnit(req.actor!, String(req.params.code), req.body)).code}`,
      (extra) => renderUnit(req, res, extra),
    ),
  );
  router.post('/admin/units/:code/services', requireActor, (req, res) =>
    formOrRerender(
      req,
      res,
      async () => {
        await saveService(req.actor!, String(req.params.code), req.body);
        return `/admin/units/${encodeURIComponent(String(req.params.code))}`;
      },
      (extra) => renderUnit(req, res, { serviceForm: extra }),
    ),
  );
  router.post('/admin/units/:code/counters', requireActor, (req, res) =>
    formOrRerender(
      req,
      res,
      async () => {
        await saveCounter(req.actor!, String(req.params.code), req.body);
        return `/admin/units/${encodeURIComponent(String(req.params.code))}`;
      },
      (extra) => renderUnit(req, res, { counterForm: extra }),
    ),
  );

  const renderOfficers = async (req: Request, res: Response, extra: object = {}) => {
    const unitCode = typeof req.query.unitCode === 'string' ? req.query.unitCode : '';
    const [units, officers] = await Promise.all([
      unitsInScope(req.actor!, 'directory.manage'),
      listOfficers(req.actor!, { unitCode }),
    ]);
    res.render('pages/admin/officers', { title: req.t('admin.officers'), units, officers, unitCode, ...extra });
  };
  router.get('/admin/officers', requireActor, (req, res) => renderOfficers(req, res));
  router.post('/admin/officers', requireActor, (req, res) =>
    formOrRerender(
      req,
      res,
      async () => {
        await createOfficer(req.actor!, req.body);
        return `/admin/officers?unitCode=${encodeURIComponent(String((req.body as { unitCode?: string }).unitCode ?? ''))}`;
      },
      (extra) => renderOfficers(req, res, extra),
    ),
  );
  router.post('/admin/officers/import', requireActor, csvUpload.single('file'), async (req, res) => {
    const report = translatedReport(req, await importOfficers(req.actor!, csvText(req)));
    await renderOfficers(req, res, { report });
  });

  return router;
}
