import { Router, type Request, type Response } from 'express';
import { AppError } from '../../../platform/errors.js';
import { requireActor } from '../../../platform/access.js';
import { pageAction, withoutCsrf } from '../page-forms.js';
import { developmentPlan } from '../plan/plan.js';
import { coursesForOfficer } from './catalogue.js';
import { recordTraining } from './training.js';
import { describe } from '../../../platform/validate.js';
import { trainingInput } from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  postOfficersNipTrainings: describe({
    summary: 'Record a training an officer took',
    body: trainingInput,
    status: 201,
  }),
};

/** Training records: JSON API and the form page (a training is shown on the development plan's page). */
export function trainingRoutes(): Router {
  const router = Router();
  router.post('/api/v1/officers/:nip/trainings', docs.postOfficersNipTrainings, requireActor, async (req, res) => {
    res.status(201).json(await recordTraining(req.actor, req.params.nip, req.body));
  });

  router.get('/coaching/officers/:nip/trainings/new', requireActor, (req, res) => renderTrainingForm(req, res));
  router.post(
    '/coaching/officers/:nip/trainings',
    requireActor,
    pageAction(
      async (req) => {
        await recordTraining(req.actor, req.params.nip, withoutCsrf(req.body));
        return `/coaching/officers/${encodeURIComponent(String(req.params.nip))}/plan`;
      },
      renderTrainingForm,
      'coaching.work.training.saved',
    ),
  );
  return router;
}

async function renderTrainingForm(req: Request, res: Response, extra: object = {}): Promise<void> {
  const plan = await developmentPlan(req.actor, req.params.nip, req.lang);
  if (!plan.canWrite) throw new AppError('forbidden');
  const suggestionId = typeof req.query.suggestion === 'string' ? req.query.suggestion : '';
  const suggested = plan.suggestions.find((suggestion) => suggestion.id === suggestionId);
  res.render('pages/coaching/training-new', {
    title: `${req.t('coaching.work.training.new')} · ${plan.officer.name}`,
    plan,
    suggestions: plan.suggestions.filter((suggestion) => suggestion.status === 'accepted'),
    courses: await coursesForOfficer(plan.officer.nip),
    // Recording the training a suggestion named starts from its catalogue course.
    values: { suggestionId, courseId: suggested?.courseId ?? '' },
    ...extra,
  });
}
