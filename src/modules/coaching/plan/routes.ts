import { Router, type Request, type Response } from 'express';
import { AppError, translateFields } from '../../../platform/errors.js';
import { requireActor } from '../../../platform/access.js';
import { categoryNames, withoutCsrf } from '../page-forms.js';
import { decideSuggestion, developmentPlan } from './plan.js';
import { describe } from '../../../platform/validate.js';
import { suggestionDecision } from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getOfficersNipPlan: describe({ summary: 'An officer’s development plan: suggested trainings and why' }),
  postSuggestionsIdDecision: describe({ summary: 'Accept or decline a suggested training', body: suggestionDecision }),
};

/** The development plan: JSON API and pages (thin: the services in plan.ts check and validate). */
export function planRoutes(): Router {
  const router = Router();
  router.get('/api/v1/officers/:nip/plan', docs.getOfficersNipPlan, requireActor, async (req, res) => {
    res.json(await developmentPlan(req.actor, req.params.nip, req.lang));
  });
  router.post('/api/v1/suggestions/:id/decision', docs.postSuggestionsIdDecision, requireActor, async (req, res) => {
    res.json(await decideSuggestion(req.actor, req.params.id, req.body, req.lang));
  });

  router.get('/coaching/officers/:nip/plan', requireActor, (req, res) => renderPlan(req, res, String(req.params.nip)));
  router.post('/coaching/suggestions/:id/decision', requireActor, async (req, res) => {
    const nip = String(req.body?.nip ?? '');
    try {
      await decideSuggestion(req.actor, req.params.id, withoutCsrf(req.body, ['nip']), req.lang);
      req.session.flash = req.t('coaching.work.plan.decided');
      res.redirect(303, `/coaching/officers/${encodeURIComponent(nip)}/plan`);
    } catch (error) {
      if (!(error instanceof AppError) || !['validation', 'conflict'].includes(error.code)) throw error;
      res.status(error.status);
      await renderPlan(req, res, nip, {
        error: req.t(error.messageKey, error.params),
        errors: translateFields(req, error),
        failedId: req.params.id,
      });
    }
  });
  return router;
}

async function renderPlan(req: Request, res: Response, nip: string, extra: object = {}): Promise<void> {
  const plan = await developmentPlan(req.actor, nip, req.lang);
  res.render('pages/coaching/plan', {
    title: `${req.t('coaching.work.plan.title')} · ${plan.officer.name}`,
    plan,
    names: await categoryNames(req),
    ...extra,
  });
}
