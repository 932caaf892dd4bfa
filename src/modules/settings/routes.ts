import Joi from 'joi';
import { Router, type Request } from 'express';
import { requireActor } from '../../platform/access.js';
import { AppError } from '../../platform/errors.js';
import { formRoute } from '../../platform/forms.js';
import { transparencyPeriods, transparencyPeriodInput, weightsInput } from '../analytics/index.js';
import { clockBounds, clockLengthKeys, clockLengthsInput } from '../feedback/index.js';
import { retentionBounds, retentionKinds, retentionInput } from './retention.js';
import { agencySettings, changeSettings, managedAgencies } from './service.js';
import { describe } from '../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getAgenciesAgencyCodeSettings: describe({
    summary: 'An agency’s settings: SKM weights, transparency period, data retention, clock lengths',
  }),
  putAgenciesAgencyCodeSettings: describe({
    summary: 'Change an agency’s settings; each part given is checked and saved',
    body: Joi.object({
      weights: weightsInput.extract('weights').optional(),
      transparencyPeriod: transparencyPeriodInput.extract('transparencyPeriod').optional(),
      retention: retentionInput,
      clockLengths: clockLengthsInput,
    }),
  }),
};

const codeOf = (req: Request) => String(req.params.agencyCode).toUpperCase();
const pageOf = (req: Request) => `/admin/settings/${encodeURIComponent(codeOf(req))}`;

/** The nine weights as the form sends them (weight1…weight9), or null when the admin asks for equal weights. */
function weightsFromForm(body: Record<string, unknown>): number[] | null {
  if (body.equal) return null;
  return Array.from({ length: 9 }, (_, index) => {
    const value = String(body[`weight${index + 1}`] ?? '').trim();
    return value === '' ? Number.NaN : Number(value.replace(',', '.'));
  });
}

async function settingsPage(req: Request) {
  const settings = await agencySettings(req.actor, codeOf(req));
  return {
    title: `${req.t('settings.title')} · ${settings.agencyName}`,
    settings,
    weightRows: settings.weights.map((weight, index) => ({ n: index + 1, weight })),
    periods: transparencyPeriods.map((period) => ({ period, selected: period === settings.transparencyPeriod })),
    clockRows: clockLengthKeys.map((key) => ({ key, days: settings.clockLengths[key], ...clockBounds[key] })),
    retentionRows: retentionKinds.map((kind) => ({ kind, days: settings.retention[kind], ...retentionBounds[kind] })),
  };
}

export function settingsRoutes(): Router {
  const router = Router();
  router.get(
    '/api/v1/agencies/:agencyCode/settings',
    docs.getAgenciesAgencyCodeSettings,
    requireActor,
    async (req, res) => {
      res.json(await agencySettings(req.actor, codeOf(req)));
    },
  );
  router.put(
    '/api/v1/agencies/:agencyCode/settings',
    docs.putAgenciesAgencyCodeSettings,
    requireActor,
    async (req, res) => {
      res.json(await changeSettings(req.actor, codeOf(req), req.body ?? {}));
    },
  );
  // An agency admin goes straight to their agency; a platform administrator picks one.
  router.get('/admin/settings', requireActor, async (req, res) => {
    const agencies = await managedAgencies(req.actor);
    if (agencies.length === 1) return res.redirect(303, `/admin/settings/${encodeURIComponent(agencies[0]!.code)}`);
    if (agencies.length === 0) throw new AppError('not_found');
    res.render('pages/admin/settings-agencies', { title: req.t('settings.title'), agencies });
  });
  router.get('/admin/settings/:agencyCode', requireActor, async (req, res) => {
    res.render('pages/admin/settings', await settingsPage(req));
  });
  router.post(
    '/admin/settings/:agencyCode/weights',
    requireActor,
    formRoute('pages/admin/settings', settingsPage, async (req) => {
      await changeSettings(req.actor, codeOf(req), { weights: weightsFromForm(req.body ?? {}) });
      return { to: pageOf(req), flash: req.t('settings.saved') };
    }),
  );
  router.post(
    '/admin/settings/:agencyCode/transparency',
    requireActor,
    formRoute('pages/admin/settings', settingsPage, async (req) => {
      await changeSettings(req.actor, codeOf(req), { transparencyPeriod: req.body?.transparencyPeriod ?? null });
      return { to: pageOf(req), flash: req.t('settings.saved') };
    }),
  );
  router.post(
    '/admin/settings/:agencyCode/clocks',
    requireActor,
    formRoute('pages/admin/settings', settingsPage, async (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const clockLengths = Object.fromEntries(clockLengthKeys.map((key) => [key, body[key] ?? '']));
      await changeSettings(req.actor, codeOf(req), { clockLengths });
      return { to: pageOf(req), flash: req.t('settings.saved') };
    }),
  );
  router.post(
    '/admin/settings/:agencyCode/retention',
    requireActor,
    formRoute('pages/admin/settings', settingsPage, async (req) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const retention = Object.fromEntries(retentionKinds.map((kind) => [kind, body[kind] ?? '']));
      await changeSettings(req.actor, codeOf(req), { retention });
      return { to: pageOf(req), flash: req.t('settings.saved') };
    }),
  );
  return router;
}
