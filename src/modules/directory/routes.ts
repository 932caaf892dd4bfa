import Joi from 'joi';
import express, { Router, type Request, type Response } from 'express';
import { submitForm } from '../../platform/forms.js';
import { AppError } from '../../platform/errors.js';
import { validate, describe } from '../../platform/validate.js';
import { requireActor } from '../../platform/access.js';
import { timeZones, unitKinds } from './model.js';
import {
  officerQuery,
  createUnitInput,
  officerChangeInput,
  officerInput,
  unitActiveInput,
  unitMoveInput,
  updateUnitInput,
} from './schemas.js';
import {
  createOfficer,
  createUnit,
  getUnitForAdmin,
  importOfficers,
  importUnits,
  findUnitByCode,
  listOfficers,
  listPublicUnits,
  saveCounter,
  saveService,
  unitsInScope,
  updateUnit,
} from './service.js';
import { CSV_LIMIT_BYTES, csvText, csvUpload, translatedReport } from '../../platform/csv.js';
import { changeOfficer, officerForAdmin, searchOfficers } from './officer-admin.js';
import { changeUnit, withdrawFromUnit } from './unit-admin.js';
import { openingHoursFormValues, openingHoursOf, setOpeningHours, weekOf, openingHoursInput } from './opening-hours.js';
import { csvFileBody } from '../../platform/openapi.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getOfficers: validate(
    { query: officerQuery },
    { summary: 'List the officers of the units one manages, optionally of one unit' },
  ),
  getUnits: describe({
    summary: 'The public list of active service units, for choosing where to file',
    response: Joi.array().items(
      Joi.object({
        code: Joi.string().required(),
        name: Joi.string().required(),
        parentCode: Joi.string().allow(null).required(),
        agencyCode: Joi.string().required(),
        timeZone: Joi.string().required(),
        services: Joi.array().items(
          Joi.object({ code: Joi.string(), name: Joi.string(), targetWaitMinutes: Joi.number().allow(null) }),
        ),
        counters: Joi.array().items(Joi.object({ code: Joi.string(), name: Joi.string() })),
      }),
    ),
  }),
  postOfficers: describe({ summary: 'Add an officer (NIP or NI PPPK) to a unit', body: officerInput, status: 201 }),
  patchOfficersNip: describe({
    summary: 'Change an officer: name, position, unit, active (with a reason)',
    body: officerChangeInput,
  }),
  postOfficersImport: describe({
    summary: 'Import officers from a CSV file (or a text/csv body); answers what was created, updated, rejected',
    body: csvFileBody,
    bodyTypes: ['multipart/form-data'],
  }),
  postUnits: describe({ summary: 'Create a service unit under a parent', body: createUnitInput, status: 201 }),
  patchUnitsCode: describe({
    summary: 'Change a unit: its fields, active state, or place in the tree (with a reason)',
    body: updateUnitInput.keys({
      active: unitActiveInput.extract('active').optional(),
      parentCode: unitMoveInput.extract('parentCode').optional(),
      reason: unitActiveInput.extract('reason'),
    }),
  }),
  getUnitsCodeOpeningHours: describe({ summary: 'A unit’s opening hours: weekly times and exceptions' }),
  putUnitsCodeOpeningHours: describe({ summary: 'Set a unit’s opening hours', body: openingHoursInput }),
  deleteUnitsCodeServicesItem: describe({ summary: 'Withdraw a service from a unit', status: 204 }),
  deleteUnitsCodeCountersItem: describe({ summary: 'Withdraw a counter from a unit', status: 204 }),
  postUnitsImport: describe({
    summary: 'Import units from a CSV file (or a text/csv body); answers what was created, updated, rejected',
    body: csvFileBody,
    bodyTypes: ['multipart/form-data'],
  }),
};

export function directoryRoutes(): Router {
  const router = Router();
  directoryApi(router);
  unitPages(router);
  officerPages(router);
  return router;
}

/** The JSON API: the public unit list, and the staff API for units, services, counters, officers and imports. */
function directoryApi(router: Router): void {
  const csvBody = express.text({ type: ['text/csv', 'text/plain'], limit: CSV_LIMIT_BYTES });

  // Public, per the contract.
  router.get('/api/v1/units', docs.getUnits, async (_req, res) => {
    res.json(await listPublicUnits());
  });

  // Staff API.
  router.get('/api/v1/officers', requireActor, docs.getOfficers, async (req, res) => {
    res.json(await listOfficers(req.actor!, res.locals.query));
  });
  router.post('/api/v1/officers', docs.postOfficers, requireActor, async (req, res) => {
    await createOfficer(req.actor!, req.body);
    res.status(201).json({ ok: true });
  });
  router.patch('/api/v1/officers/:nip', docs.patchOfficersNip, requireActor, async (req, res) => {
    res.json(await changeOfficer(req.actor!, String(req.params.nip), req.body));
  });
  router.post(
    '/api/v1/officers/import',
    docs.postOfficersImport,
    requireActor,
    csvUpload.single('file'),
    csvBody,
    async (req, res) => {
      res.json(translatedReport(req, await importOfficers(req.actor!, csvText(req))));
    },
  );
  router.post('/api/v1/units', docs.postUnits, requireActor, async (req, res) => {
    const unit = await createUnit(req.actor!, req.body);
    res.status(201).json({ code: unit.code });
  });
  router.patch('/api/v1/units/:code', docs.patchUnitsCode, requireActor, async (req, res) => {
    const unit = await changeUnit(req.actor!, String(req.params.code), req.body);
    res.json({ code: unit.code, name: unit.name, active: unit.active });
  });
  router.get('/api/v1/units/:code/opening-hours', docs.getUnitsCodeOpeningHours, async (req, res) => {
    const unit = await findUnitByCode(String(req.params.code));
    if (!unit?.active) throw new AppError('not_found');
    res.json({ code: unit.code, timeZone: unit.timeZone, openingHours: await openingHoursOf(unit.code) });
  });
  router.put('/api/v1/units/:code/opening-hours', docs.putUnitsCodeOpeningHours, requireActor, async (req, res) => {
    res.json({ openingHours: await setOpeningHours(req.actor!, String(req.params.code), req.body) });
  });
  router.delete(
    '/api/v1/units/:code/services/:item',
    docs.deleteUnitsCodeServicesItem,
    requireActor,
    async (req, res) => {
      await withdrawFromUnit(req.actor!, String(req.params.code), 'service', String(req.params.item));
      res.status(204).end();
    },
  );
  router.delete(
    '/api/v1/units/:code/counters/:item',
    docs.deleteUnitsCodeCountersItem,
    requireActor,
    async (req, res) => {
      await withdrawFromUnit(req.actor!, String(req.params.code), 'counter', String(req.params.item));
      res.status(204).end();
    },
  );
  router.post(
    '/api/v1/units/import',
    docs.postUnitsImport,
    requireActor,
    csvUpload.single('file'),
    csvBody,
    async (req, res) => {
      res.json(translatedReport(req, await importUnits(req.actor!, csvText(req))));
    },
  );
}

/** The admin pages of units: the tree, one unit with its services, counters, opening hours, state and place. */
function unitPages(router: Router): void {
  const renderUnits = async (req: Request, res: Response, extra: object = {}) => {
    const units = await unitsInScope(req.actor!);
    if (units.length === 0 && !res.locals.isAdmin) throw new AppError('forbidden');
    res.render('pages/admin/units', { title: req.t('nav.units'), units, timeZones, unitKinds, ...extra });
  };
  router.get('/admin/units', requireActor, (req, res) => renderUnits(req, res));
  router.post('/admin/units', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => `/admin/units/${(await createUnit(req.actor!, req.body)).code}`,
      ({ values, errors }) => renderUnits(req, res, { values, errors }),
    ),
  );
  router.post('/admin/units/import', requireActor, csvUpload.single('file'), async (req, res) => {
    const report = translatedReport(req, await importUnits(req.actor!, csvText(req)));
    await renderUnits(req, res, { report });
  });

  const renderUnit = async (req: Request, res: Response, extra: object = {}) => {
    const view = await getUnitForAdmin(req.actor!, String(req.params.code));
    const editing = typeof req.query.service === 'string' ? req.query.service.toUpperCase() : null;
    const service = view.unit.services.find((item) => item.code === editing);
    const counterCode = typeof req.query.counter === 'string' ? req.query.counter.toUpperCase() : null;
    const counter = view.unit.counters.find((item) => item.code === counterCode);
    const parents = view.canManage && view.unit.parentId ? await unitsInScope(req.actor!, 'directory.manage') : [];
    res.render('pages/admin/unit', {
      title: view.unit.name,
      ...view,
      timeZones,
      unitKinds,
      serviceForm: service ? { values: service } : undefined,
      counterForm: counter ? { values: counter } : undefined,
      week: weekOf(view.unit.openingHours as never),
      hoursForm: { values: openingHoursFormValues(view.unit.openingHours as never) },
      parents: parents.filter(
        (unit) =>
          unit.agencyCode === view.unit.agencyCode &&
          unit.active &&
          !unit.path.map(String).includes(String(view.unit._id)),
      ),
      ...extra,
    });
  };
  const unitPage = (req: Request) => `/admin/units/${encodeURIComponent(String(req.params.code))}`;
  router.get('/admin/units/:code', requireActor, (req, res) => renderUnit(req, res));
  router.post('/admin/units/:code', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => `/admin/units/${(await updateUnit(req.actor!, String(req.params.code), req.body)).code}`,
      ({ values, errors }) => renderUnit(req, res, { values, errors }),
    ),
  );
  router.post('/admin/units/:code/services', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        await saveService(req.actor!, String(req.params.code), req.body);
        return `/admin/units/${encodeURIComponent(String(req.params.code))}`;
      },
      ({ values, errors }) => renderUnit(req, res, { serviceForm: { values, errors } }),
    ),
  );
  router.post('/admin/units/:code/active', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => `/admin/units/${(await changeUnit(req.actor!, String(req.params.code), req.body)).code}`,
      ({ values, errors }) => renderUnit(req, res, { activeForm: { values, errors } }),
    ),
  );
  router.post('/admin/units/:code/move', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => `/admin/units/${(await changeUnit(req.actor!, String(req.params.code), req.body)).code}`,
      ({ values, errors }) => renderUnit(req, res, { moveForm: { values, errors } }),
    ),
  );
  router.post('/admin/units/:code/opening-hours', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        await setOpeningHours(req.actor!, String(req.params.code), req.body, true);
        return unitPage(req);
      },
      ({ values, errors }) => renderUnit(req, res, { hoursForm: { values, errors } }),
    ),
  );
  router.post('/admin/units/:code/:what/:item/withdraw', requireActor, async (req, res) => {
    const what = req.params.what === 'services' ? 'service' : req.params.what === 'counters' ? 'counter' : null;
    if (!what) throw new AppError('not_found');
    await withdrawFromUnit(req.actor!, String(req.params.code), what, String(req.params.item));
    req.session.flash = req.t('admin.saved');
    res.redirect(303, unitPage(req));
  });
  router.post('/admin/units/:code/counters', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        await saveCounter(req.actor!, String(req.params.code), req.body);
        return `/admin/units/${encodeURIComponent(String(req.params.code))}`;
      },
      ({ values, errors }) => renderUnit(req, res, { counterForm: { values, errors } }),
    ),
  );
}

/** The admin pages of officers: search, one officer's page, edits, transfers, (de)activation, imports. */
function officerPages(router: Router): void {
  const renderOfficers = async (req: Request, res: Response, extra: object = {}) => {
    const [units, found] = await Promise.all([
      unitsInScope(req.actor!, 'directory.manage'),
      searchOfficers(req.actor!, req.query),
    ]);
    const pageLink = (page: number) =>
      `/admin/officers?${new URLSearchParams({ ...found.query, page: String(page) } as Record<string, string>).toString()}`;
    res.render('pages/admin/officers', {
      title: req.t('admin.officers'),
      units,
      ...found,
      unitCode: found.query.unitCode ?? '',
      previous: found.page > 1 ? pageLink(found.page - 1) : null,
      next: found.page < found.pages ? pageLink(found.page + 1) : null,
      ...extra,
    });
  };
  router.get('/admin/officers', requireActor, (req, res) => renderOfficers(req, res));
  router.post('/admin/officers', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        await createOfficer(req.actor!, req.body);
        return `/admin/officers?unitCode=${encodeURIComponent(String((req.body as { unitCode?: string }).unitCode ?? ''))}`;
      },
      ({ values, errors }) => renderOfficers(req, res, { values, errors }),
    ),
  );
  router.post('/admin/officers/import', requireActor, csvUpload.single('file'), async (req, res) => {
    const report = translatedReport(req, await importOfficers(req.actor!, csvText(req)));
    await renderOfficers(req, res, { report });
  });

  const renderOfficer = async (req: Request, res: Response, extra: object = {}) => {
    const view = await officerForAdmin(req.actor!, String(req.params.nip));
    const units = view.canManage ? await unitsInScope(req.actor!, 'directory.manage') : [];
    res.render('pages/admin/officer', {
      title: view.officer.name,
      ...view,
      units: units.filter((unit) => unit.active),
      ...extra,
    });
  };
  const officerPage = (req: Request) => `/admin/officers/${encodeURIComponent(String(req.params.nip))}`;
  router.get('/admin/officers/:nip', requireActor, (req, res) => renderOfficer(req, res));
  for (const [suffix, form] of [
    ['', 'editForm'],
    ['/transfer', 'transferForm'],
    ['/active', 'activeForm'],
  ] as const)
    router.post(`/admin/officers/:nip${suffix}`, requireActor, (req, res) =>
      submitForm(
        req,
        res,
        async () => {
          await changeOfficer(req.actor!, String(req.params.nip), req.body);
          return officerPage(req);
        },
        ({ values, errors }) => renderOfficer(req, res, { [form]: { values, errors } }),
      ),
    );
}
