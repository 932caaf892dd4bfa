import Joi from 'joi';
import { Router, type Request, type Response } from 'express';
import { submitForm } from '../../../platform/forms.js';
import { AppError } from '../../../platform/errors.js';
import { formatNumber } from '../../../platform/i18n.js';
import { SharedAnswers } from '../../../platform/shared-answers.js';
import { requireActor } from '../../../platform/access.js';
import { activeAgencies, unitsInScope } from '../../directory/index.js';
import { rollupWrites } from '../rollups/writes.js';
import { settingsWrites } from '../shared/settings-model.js';
import { pick, withoutCsrf } from '../shared/page-helpers.js';
import { transparencyFigures, type TransparencyFigures } from './figures.js';
import {
  approveShowcase,
  approvedShowcase,
  showcaseCandidates,
  showcaseChanges,
  withdrawShowcase,
  type PublicShowcaseItem,
  listQuery as showcaseQuery,
  showcaseInput,
} from './showcase.js';
import { describe } from '../../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getAnalyticsShowcase: describe({
    summary: 'Resolved complaints that may be shown on the public transparency page',
    query: showcaseQuery,
  }),
  postAnalyticsShowcase: describe({
    summary: 'Show a resolved complaint on the public transparency page',
    body: showcaseInput,
    status: 201,
  }),
  postAnalyticsShowcaseIdWithdraw: describe({ summary: 'Take a complaint off the public transparency page' }),
  getTransparency: describe({
    summary: 'Public figures: IKM, complaints and response times of the units, or of one',
    query: Joi.object({ unitCode: Joi.string().trim().max(40) }),
  }),
};

/** "You said, we did" moderation (staff) and the public transparency page with its JSON. */

/** Rows on the public page (kept under 60 KB); the JSON has them all. */
const TRANSPARENCY_ROWS = 150;
const TRANSPARENCY_TTL_MS = 60_000;

type Translate = (key: string, params?: Record<string, unknown>) => string;

async function renderShowcase(req: Request, res: Response, extra: Record<string, unknown> = {}) {
  const units = await unitsInScope(req.actor!, 'tickets.triage');
  if (units.length === 0) throw new AppError('forbidden');
  const query = (extra.query ?? req.query) as Record<string, string>;
  res.render('pages/analytics/showcase', {
    title: req.t('analytics.pages.showcase_title'),
    units,
    query,
    candidates: await showcaseCandidates(req.actor, { unitCode: query.unitCode ?? '' }),
    ...extra,
  });
}

/** The approval form: saved, back to the list; refused, the list again with the form's errors. */
async function postShowcase(req: Request, res: Response) {
  const body = withoutCsrf(req.body);
  await submitForm(
    req,
    res,
    async () => {
      await approveShowcase(req.actor, body);
      return {
        to: `/analytics/showcase?${new URLSearchParams(pick(body, 'unitCode'))}`,
        flash: req.t('analytics.pages.showcase_saved'),
      };
    },
    (refused) => renderShowcase(req, res, { query: pick(body, 'unitCode'), ...refused, failedCode: body.ticketCode }),
  );
}

function showcasePages(router: Router): void {
  router.get('/api/v1/analytics/showcase', docs.getAnalyticsShowcase, requireActor, async (req, res) => {
    res.json({ items: await showcaseCandidates(req.actor, req.query) });
  });
  router.post('/api/v1/analytics/showcase', docs.postAnalyticsShowcase, requireActor, async (req, res) => {
    res.status(201).json(await approveShowcase(req.actor, req.body));
  });
  router.post(
    '/api/v1/analytics/showcase/:id/withdraw',
    docs.postAnalyticsShowcaseIdWithdraw,
    requireActor,
    async (req, res) => {
      res.json(await withdrawShowcase(req.actor, req.params.id));
    },
  );
  router.get('/analytics/showcase', requireActor, (req, res) => renderShowcase(req, res));
  router.post('/analytics/showcase', requireActor, postShowcase);
  router.post('/analytics/showcase/:id/withdraw', requireActor, async (req, res) => {
    await withdrawShowcase(req.actor, req.params.id);
    req.session.flash = req.t('analytics.pages.showcase_withdrawn');
    res.redirect(303, `/analytics/showcase?${new URLSearchParams(pick(withoutCsrf(req.body), 'unitCode'))}`);
  });
}

/** A unit's row as the public page shows it: the index, the share answered in time, the median time to resolve. */
function transparencyRow(unit: TransparencyFigures[number], t: Translate, lang: 'id' | 'en') {
  const hours = unit.medianResolveHours;
  return {
    ...unit,
    ikmText: formatNumber(lang, unit.ikm, 2) || '—',
    inTimeText: unit.answeredInTimeShare === null ? '—' : `${formatNumber(lang, unit.answeredInTimeShare * 100)}%`,
    medianText:
      hours === null
        ? '—'
        : hours >= 48
          ? t('analytics.pages.days', { n: formatNumber(lang, hours / 24, 1) })
          : t('analytics.pages.hours', { n: formatNumber(lang, hours) }),
  };
}

const unitCodeOf = (req: Request) =>
  typeof req.query.unitCode === 'string' && req.query.unitCode ? req.query.unitCode : undefined;

/**
 * The public figures, shared by every visitor for up to a minute (what `Cache-Control` already promises), until this
 * process writes rollups or changes the showcase; another process's changes show within the minute. Unit codes are
 * few: a flood of made-up ones only costs recomputing.
 */
function publicFigures() {
  const computed = new SharedAnswers<{ units: TransparencyFigures; youSaidWeDid: PublicShowcaseItem[] }>({
    ttlMs: TRANSPARENCY_TTL_MS,
    maxEntries: 500,
    version: () => rollupWrites() + showcaseChanges() + settingsWrites(),
  });
  return (unitCode?: string) =>
    computed.get(unitCode?.toUpperCase() ?? '', async () => {
      const units = await transparencyFigures(unitCode);
      const showcase = await approvedShowcase({ kind: 'you_said_we_did', limit: 20 });
      return { units, youSaidWeDid: showcase };
    });
}

function publicPages(router: Router): void {
  const transparency = publicFigures();
  router.get('/api/v1/transparency', docs.getTransparency, async (req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json(await transparency(unitCodeOf(req)));
  });
  const transparencyPage = async (req: Request, res: Response) => {
    const unitCode = unitCodeOf(req);
    const [figures, agencies] = await Promise.all([transparency(unitCode), activeAgencies()]);
    res.set('Cache-Control', 'public, max-age=60');
    res.render('pages/transparency/index', {
      title: req.t('analytics.pages.transparency_title'),
      rows: figures.units.slice(0, TRANSPARENCY_ROWS).map((unit) => transparencyRow(unit, req.t, req.lang)),
      truncated: figures.units.length > TRANSPARENCY_ROWS,
      youSaidWeDid: figures.youSaidWeDid,
      agencies,
      periodFrom: figures.units[0]?.from ?? null,
      periodTo: figures.units[0]?.to ?? null,
      unitCode,
    });
  };
  router.get('/transparansi', transparencyPage);
  router.get('/transparency', transparencyPage);
}

export function transparencyPages(): Router {
  const router = Router();
  showcasePages(router);
  publicPages(router);
  return router;
}
