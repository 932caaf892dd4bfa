import { Router, type Request, type Response } from 'express';
import { requireActor } from '../../../platform/access.js';
import { categoryNames, pageAction, withoutCsrf } from '../page-forms.js';
import {
  draftEvaluation,
  getEvaluation,
  listEvaluations,
  newEvaluationVersion,
  signEvaluation,
  updateEvaluation,
  type EvaluationView,
} from './evaluations.js';
import { evaluationCsv, evaluationForExport } from './export.js';
import { behaviourRules, berakhlakValues, evaluationPeriods, ratings } from './model.js';
import { evaluationPdf } from './pdf.js';
import { evaluationSettings, setEvaluationPeriod } from './settings.js';
import { describe } from '../../../platform/validate.js';
import { evaluationInput, evaluationUpdate, revisionInput, settingsInput } from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getOfficersNipEvaluations: describe({ summary: 'An officer’s performance evaluations' }),
  postOfficersNipEvaluations: describe({
    summary: 'Draft a performance evaluation for an officer',
    body: evaluationInput,
    status: 201,
  }),
  getEvaluationsId: describe({ summary: 'One performance evaluation' }),
  patchEvaluationsId: describe({
    summary: 'Change a draft evaluation at the revision one saw',
    body: evaluationUpdate,
  }),
  postEvaluationsIdSign: describe({ summary: 'Sign an evaluation; it can no longer change', body: revisionInput }),
  postEvaluationsIdVersions: describe({ summary: 'Start a new version of a signed evaluation', status: 201 }),
  getAgenciesCodeCoachingSettings: describe({ summary: 'An agency’s evaluation period' }),
  putAgenciesCodeCoachingSettings: describe({ summary: 'Set an agency’s evaluation period', body: settingsInput }),
};

/**
 * Evaluations and the agency's evaluation period: JSON API, pages and exports (thin: the services check and validate).
 */
export function evaluationRoutes(): Router {
  const router = Router();
  evaluationApi(router);
  router.get('/coaching/officers/:nip/evaluations', requireActor, (req, res) => renderEvaluations(req, res));
  router.post(
    '/coaching/officers/:nip/evaluations',
    requireActor,
    pageAction(
      async (req) =>
        `/coaching/evaluations/${(await draftEvaluation(req.actor, req.params.nip, withoutCsrf(req.body))).id}`,
      renderEvaluations,
      'coaching.work.evaluation.saved',
    ),
  );
  router.get('/coaching/agencies/:code/settings', requireActor, (req, res) => renderSettings(req, res));
  router.post(
    '/coaching/agencies/:code/settings',
    requireActor,
    pageAction(
      async (req) => {
        await setEvaluationPeriod(req.actor, req.params.code, withoutCsrf(req.body));
        return `/coaching/agencies/${encodeURIComponent(String(req.params.code))}/settings`;
      },
      renderSettings,
      'admin.saved',
    ),
  );
  // The exports first: `:id` would take "x.pdf" as an id.
  evaluationExports(router);
  evaluationPages(router);
  return router;
}

function evaluationApi(router: Router): void {
  router.get('/api/v1/officers/:nip/evaluations', docs.getOfficersNipEvaluations, requireActor, async (req, res) => {
    res.json(await listEvaluations(req.actor, req.params.nip));
  });
  router.post('/api/v1/officers/:nip/evaluations', docs.postOfficersNipEvaluations, requireActor, async (req, res) => {
    res.status(201).json(await draftEvaluation(req.actor, req.params.nip, req.body));
  });
  router.get('/api/v1/evaluations/:id', docs.getEvaluationsId, requireActor, async (req, res) => {
    res.json(await getEvaluation(req.actor, req.params.id));
  });
  router.patch('/api/v1/evaluations/:id', docs.patchEvaluationsId, requireActor, async (req, res) => {
    res.json(await updateEvaluation(req.actor, req.params.id, req.body));
  });
  router.post('/api/v1/evaluations/:id/sign', docs.postEvaluationsIdSign, requireActor, async (req, res) => {
    res.json(await signEvaluation(req.actor, req.params.id, req.body));
  });
  router.post('/api/v1/evaluations/:id/versions', docs.postEvaluationsIdVersions, requireActor, async (req, res) => {
    res.status(201).json(await newEvaluationVersion(req.actor, req.params.id));
  });
  router.get(
    '/api/v1/agencies/:code/coaching-settings',
    docs.getAgenciesCodeCoachingSettings,
    requireActor,
    async (req, res) => {
      res.json(await evaluationSettings(req.actor, req.params.code));
    },
  );
  router.put(
    '/api/v1/agencies/:code/coaching-settings',
    docs.putAgenciesCodeCoachingSettings,
    requireActor,
    async (req, res) => {
      res.json(await setEvaluationPeriod(req.actor, req.params.code, req.body));
    },
  );
}

function evaluationExports(router: Router): void {
  const sendFile = (res: Response, view: EvaluationView, type: string, extension: string, body: Buffer | string) => {
    res.set('Content-Type', type);
    res.set(
      'Content-Disposition',
      `attachment; filename="evaluasi-${view.officer.nip}-${view.period.key}-v${view.version}.${extension}"`,
    );
    res.set('Cache-Control', 'no-store');
    res.send(body);
  };
  router.get('/coaching/evaluations/:id.pdf', requireActor, async (req, res) => {
    const view = await evaluationForExport(req.actor, req.params.id, 'pdf');
    sendFile(res, view, 'application/pdf', 'pdf', await evaluationPdf(view, req.lang, view.officer.timeZone));
  });
  router.get('/coaching/evaluations/:id.csv', requireActor, async (req, res) => {
    const view = await evaluationForExport(req.actor, req.params.id, 'csv');
    sendFile(res, view, 'text/csv; charset=utf-8', 'csv', '\uFEFF' + evaluationCsv(view, req.lang));
  });
}

function evaluationPages(router: Router): void {
  const here = (req: Request) => `/coaching/evaluations/${encodeURIComponent(String(req.params.id))}`;
  router.get('/coaching/evaluations/:id', requireActor, (req, res) => renderEvaluation(req, res));
  router.post(
    '/coaching/evaluations/:id',
    requireActor,
    pageAction(
      async (req) => {
        await updateEvaluation(req.actor, req.params.id, evaluationFromForm(req.body));
        return here(req);
      },
      renderEvaluation,
      'coaching.work.evaluation.saved',
    ),
  );
  router.post(
    '/coaching/evaluations/:id/sign',
    requireActor,
    pageAction(
      async (req) => {
        // The page saves what is on the form, then signs that revision.
        const saved = await updateEvaluation(req.actor, req.params.id, evaluationFromForm(req.body));
        await signEvaluation(req.actor, req.params.id, { revision: saved.revision });
        return here(req);
      },
      renderEvaluation,
      'coaching.work.evaluation.signed',
    ),
  );
  router.post(
    '/coaching/evaluations/:id/versions',
    requireActor,
    pageAction(
      async (req) => `/coaching/evaluations/${(await newEvaluationVersion(req.actor, req.params.id)).id}`,
      renderEvaluation,
      'coaching.work.evaluation.saved',
    ),
  );
}

async function renderEvaluations(req: Request, res: Response, extra: object = {}): Promise<void> {
  const list = await listEvaluations(req.actor, req.params.nip);
  res.render('pages/coaching/evaluations', {
    title: `${req.t('coaching.work.evaluation.list')} · ${list.officer.name}`,
    list,
    periodKind: req.t(`coaching.work.period.${list.periodKind}`),
    partOptions: Array.from({ length: list.parts }, (_, index) => index + 1),
    ...extra,
  });
}

async function renderSettings(req: Request, res: Response, extra: object = {}): Promise<void> {
  const settings = await evaluationSettings(req.actor, req.params.code);
  res.render('pages/coaching/evaluation-settings', {
    title: `${req.t('coaching.work.settings.title')} · ${settings.agencyName}`,
    settings,
    periods: evaluationPeriods,
    behaviourRules,
    ...extra,
  });
}

async function renderEvaluation(req: Request, res: Response, extra: object = {}): Promise<void> {
  const evaluation = await getEvaluation(req.actor, req.params.id);
  const errors = (extra as { errors?: Record<string, string> }).errors ?? {};
  res.render('pages/coaching/evaluation', {
    title: req.t('coaching.work.evaluation.title', { period: evaluation.period.label[req.lang] }),
    evaluation,
    rows: ratingRows(req, evaluation, errors),
    ratings,
    timeZone: evaluation.officer.timeZone,
    periodLabel: evaluation.period.label[req.lang],
    editable: evaluation.canWrite && evaluation.status === 'draft',
    override: overrideValues(req, evaluation),
    names: await categoryNames(req),
    ...extra,
  });
}

/** One row per rated item (results, then each value), with its label and the form's errors. */
function ratingRows(req: Request, evaluation: EvaluationView, errors: Record<string, string>) {
  return [
    { key: 'results', label: req.t('coaching.work.evaluation.results'), ...evaluation.results },
    ...berakhlakValues.map((value) => ({
      key: value,
      label: req.t(`coaching.work.value.${value}`),
      ...evaluation.values[value],
    })),
  ].map((row) => {
    const path = row.key === 'results' ? 'results' : `values.${row.key}`;
    return { ...row, ratingError: errors[`${path}.rating`], reasonError: errors[`${path}.reason`] };
  });
}

/** The evaluation form (`rating_<key>`, `reason_<key>`) → the API's shape. */
function evaluationFromForm(body: Record<string, unknown>) {
  const rated = (key: string) => ({
    rating: typeof body[`rating_${key}`] === 'string' ? body[`rating_${key}`] : null,
    reason: typeof body[`reason_${key}`] === 'string' ? body[`reason_${key}`] : '',
  });
  return {
    revision: body.revision,
    results: rated('results'),
    values: Object.fromEntries(berakhlakValues.map((value) => [value, rated(value)])),
    behaviourOverride: {
      rating: typeof body.override_rating === 'string' ? body.override_rating : null,
      reason: typeof body.override_reason === 'string' ? body.override_reason : '',
    },
  };
}

/** The override fields as typed (after a refused post) or as stored. */
function overrideValues(req: Request, evaluation: EvaluationView) {
  const body = (req.method === 'POST' ? req.body : {}) as Record<string, unknown>;
  if ('override_rating' in body) return { rating: body.override_rating, reason: body.override_reason };
  return evaluation.behaviourDerivation.by === 'override'
    ? { rating: evaluation.behaviour, reason: evaluation.behaviourDerivation.reason }
    : { rating: '', reason: '' };
}
