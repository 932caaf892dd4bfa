import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { requireActor } from '../../platform/access.js';
import { activeCategories } from '../feedback/index.js';
import { evaluationPdf } from './evaluation-pdf.js';
import { berakhlakValues, evaluationPeriods, ratings } from './work-model.js';
import {
  completeAction,
  createSession,
  decideSuggestion,
  developmentPlan,
  draftEvaluation,
  evaluationSettings,
  evaluationCsv,
  evaluationForExport,
  getEvaluation,
  getSession,
  listEvaluations,
  newEvaluationVersion,
  recordTraining,
  sessionForm,
  setEvaluationPeriod,
  signEvaluation,
  updateEvaluation,
} from './work.js';

/**
 * Coaching work: sessions and actions, training, development plan, evaluations (pages, API, exports). Thin: the
 * services in work.ts check permissions and validate; pages work without JavaScript (public/js/coaching-work.js
 * only adds rows of actions).
 */
export function coachingWorkRoutes(_config: Config): Router {
  const router = Router();

  // ---- JSON API

  router.post('/api/v1/officers/:nip/sessions', requireActor, async (req, res) => {
    res.status(201).json(await createSession(req.actor, req.params.nip, req.body));
  });
  router.get('/api/v1/sessions/:id', requireActor, async (req, res) => {
    res.json(await getSession(req.actor, req.params.id));
  });
  router.post('/api/v1/sessions/:id/actions/:actionId/done', requireActor, async (req, res) => {
    res.json(await completeAction(req.actor, req.params.id, req.params.actionId));
  });
  router.get('/api/v1/officers/:nip/plan', requireActor, async (req, res) => {
    res.json(await developmentPlan(req.actor, req.params.nip, req.lang));
  });
  router.post('/api/v1/suggestions/:id/decision', requireActor, async (req, res) => {
    res.json(await decideSuggestion(req.actor, req.params.id, req.body, req.lang));
  });
  router.post('/api/v1/officers/:nip/trainings', requireActor, async (req, res) => {
    res.status(201).json(await recordTraining(req.actor, req.params.nip, req.body));
  });
  router.get('/api/v1/officers/:nip/evaluations', requireActor, async (req, res) => {
    res.json(await listEvaluations(req.actor, req.params.nip));
  });
  router.post('/api/v1/officers/:nip/evaluations', requireActor, async (req, res) => {
    res.status(201).json(await draftEvaluation(req.actor, req.params.nip, req.body));
  });
  router.get('/api/v1/evaluations/:id', requireActor, async (req, res) => {
    res.json(await getEvaluation(req.actor, req.params.id));
  });
  router.patch('/api/v1/evaluations/:id', requireActor, async (req, res) => {
    res.json(await updateEvaluation(req.actor, req.params.id, req.body));
  });
  router.post('/api/v1/evaluations/:id/sign', requireActor, async (req, res) => {
    res.json(await signEvaluation(req.actor, req.params.id, req.body));
  });
  router.post('/api/v1/evaluations/:id/versions', requireActor, async (req, res) => {
    res.status(201).json(await newEvaluationVersion(req.actor, req.params.id));
  });
  router.get('/api/v1/agencies/:code/coaching-settings', requireActor, async (req, res) => {
    res.json(await evaluationSettings(req.actor, req.params.code));
  });
  router.put('/api/v1/agencies/:code/coaching-settings', requireActor, async (req, res) => {
    res.json(await setEvaluationPeriod(req.actor, req.params.code, req.body));
  });

  // ---- Pages

  /** Category code → its name in the page's language. */
  const categoryNames = async (req: Request): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await activeCategories()).map((category) => [category.code, category.name?.[req.lang] ?? category.code]),
    );

  /** Runs a form post; a refusal the person can act on re-renders the form with what they typed. */
  const pageAction =
    (
      work: (req: Request) => Promise<string>,
      render: (req: Request, res: Response, extra: object) => Promise<void>,
      flashKey: string,
    ) =>
    async (req: Request, res: Response) => {
      try {
        const target = await work(req);
        req.session.flash = req.t(flashKey);
        res.redirect(303, target);
      } catch (error) {
        if (!(error instanceof AppError) || !['validation', 'conflict'].includes(error.code)) throw error;
        res.status(error.status);
        await render(req, res, {
          error: req.t(error.messageKey, error.params),
          errors: translateFields(req, error),
          values: req.body,
        });
      }
    };

  // Sessions
  const renderSessionForm = async (req: Request, res: Response, extra: object = {}) => {
    const form = await sessionForm(req.actor, req.params.nip);
    const names = await categoryNames(req);
    const values = (extra as { values?: Record<string, unknown> }).values ?? {};
    const chosen = new Set(asList(values.topic));
    const texts = asList(values.actionText);
    const owners = asList(values.actionOwner);
    const dues = asList(values.actionDue);
    const rows = texts.length
      ? texts.map((text, index) => ({ text, owner: owners[index] ?? 'officer', dueDate: dues[index] ?? '' }))
      : [{ text: '', owner: 'officer', dueDate: '' }];
    res.render('pages/coaching/session-new', {
      title: `${req.t('coaching.work.session.new')} · ${form.officer.name}`,
      form,
      topics: [
        ...form.findings.map((finding) => ({
          value: `finding:${finding.id}`,
          kind: 'finding',
          label: `${finding.code} · ${names[finding.category ?? ''] ?? ''} · ${req.t(`inbox.outcome.${finding.outcome}`)}`,
          checked: chosen.has(`finding:${finding.id}`),
        })),
        ...form.tickets.map((ticket) => ({
          value: `ticket:${ticket.id}`,
          kind: 'ticket',
          label: `${ticket.code} · ${names[ticket.category ?? ''] ?? ticket.kind}`,
          checked: chosen.has(`ticket:${ticket.id}`),
        })),
      ],
      rows,
      date: typeof values.date === 'string' ? values.date : form.today,
      notes: typeof values.notes === 'string' ? values.notes : '',
      ...extra,
    });
  };
  router.get('/coaching/officers/:nip/sessions/new', requireActor, (req, res) => renderSessionForm(req, res));
  router.post(
    '/coaching/officers/:nip/sessions',
    requireActor,
    pageAction(
      async (req) => {
        const session = await createSession(req.actor, req.params.nip, sessionFromForm(req.body));
        return `/coaching/sessions/${session.id}`;
      },
      renderSessionForm,
      'coaching.work.session.saved',
    ),
  );
  router.get('/coaching/sessions/:id', requireActor, async (req, res) => {
    const session = await getSession(req.actor, req.params.id);
    res.render('pages/coaching/session', {
      title: `${req.t('coaching.work.session.title')} · ${session.officer.name}`,
      session,
      timeZone: session.timeZone,
    });
  });
  router.post('/coaching/sessions/:id/actions/:actionId/done', requireActor, async (req, res) => {
    await completeAction(req.actor, req.params.id, req.params.actionId);
    req.session.flash = req.t('admin.saved');
    res.redirect(303, `/coaching/sessions/${encodeURIComponent(String(req.params.id))}`);
  });

  // Plan and training
  const renderPlan = async (req: Request, res: Response, extra: object = {}) => {
    const nip = (extra as { nip?: string }).nip ?? req.params.nip;
    const plan = await developmentPlan(req.actor, nip, req.lang);
    res.render('pages/coaching/plan', {
      title: `${req.t('coaching.work.plan.title')} · ${plan.officer.name}`,
      plan,
      names: await categoryNames(req),
      ...extra,
    });
  };
  router.get('/coaching/officers/:nip/plan', requireActor, (req, res) => renderPlan(req, res));
  router.post('/coaching/suggestions/:id/decision', requireActor, async (req, res) => {
    const nip = String(req.body?.nip ?? '');
    try {
      await decideSuggestion(req.actor, req.params.id, withoutCsrf(req.body, ['nip']), req.lang);
      req.session.flash = req.t('coaching.work.plan.decided');
      res.redirect(303, `/coaching/officers/${encodeURIComponent(nip)}/plan`);
    } catch (error) {
      if (!(error instanceof AppError) || !['validation', 'conflict'].includes(error.code)) throw error;
      res.status(error.status);
      await renderPlan(req, res, {
        nip,
        error: req.t(error.messageKey, error.params),
        errors: translateFields(req, error),
        failedId: req.params.id,
      });
    }
  });
  const renderTrainingForm = async (req: Request, res: Response, extra: object = {}) => {
    const plan = await developmentPlan(req.actor, req.params.nip, req.lang);
    if (!plan.canWrite) throw new AppError('forbidden');
    res.render('pages/coaching/training-new', {
      title: `${req.t('coaching.work.training.new')} · ${plan.officer.name}`,
      plan,
      suggestions: plan.suggestions.filter((suggestion) => suggestion.status === 'accepted'),
      values: { suggestionId: typeof req.query.suggestion === 'string' ? req.query.suggestion : '' },
      ...extra,
    });
  };
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

  // Evaluations
  const renderEvaluations = async (req: Request, res: Response, extra: object = {}) => {
    const list = await listEvaluations(req.actor, req.params.nip);
    res.render('pages/coaching/evaluations', {
      title: `${req.t('coaching.work.evaluation.list')} · ${list.officer.name}`,
      list,
      periodKind: req.t(`coaching.work.period.${list.periodKind}`),
      partOptions: Array.from({ length: list.parts }, (_, index) => index + 1),
      ...extra,
    });
  };
  router.get('/coaching/officers/:nip/evaluations', requireActor, (req, res) => renderEvaluations(req, res));
  router.post(
    '/coaching/officers/:nip/evaluations',
    requireActor,
    pageAction(
      async (req) => {
        const evaluation = await draftEvaluation(req.actor, req.params.nip, withoutCsrf(req.body));
        return `/coaching/evaluations/${evaluation.id}`;
      },
      renderEvaluations,
      'coaching.work.evaluation.saved',
    ),
  );

  const renderSettings = async (req: Request, res: Response, extra: object = {}) => {
    const settings = await evaluationSettings(req.actor, req.params.code);
    res.render('pages/coaching/evaluation-settings', {
      title: `${req.t('coaching.work.settings.title')} · ${settings.agencyName}`,
      settings,
      periods: evaluationPeriods,
      ...extra,
    });
  };
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

  router.get('/coaching/evaluations/:id.pdf', requireActor, async (req, res) => {
    const view = await evaluationForExport(req.actor, req.params.id, 'pdf');
    const pdf = await evaluationPdf(view, req.lang, view.officer.timeZone);
    res.set('Content-Type', 'application/pdf');
    res.set(
      'Content-Disposition',
      `attachment; filename="evaluasi-${view.officer.nip}-${view.period.key}-v${view.version}.pdf"`,
    );
    res.set('Cache-Control', 'no-store');
    res.send(pdf);
  });
  router.get('/coaching/evaluations/:id.csv', requireActor, async (req, res) => {
    const view = await evaluationForExport(req.actor, req.params.id, 'csv');
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set(
      'Content-Disposition',
      `attachment; filename="evaluasi-${view.officer.nip}-${view.period.key}-v${view.version}.csv"`,
    );
    res.set('Cache-Control', 'no-store');
    res.send('\uFEFF' + evaluationCsv(view, req.lang));
  });

  const renderEvaluation = async (req: Request, res: Response, extra: object = {}) => {
    const evaluation = await getEvaluation(req.actor, req.params.id);
    const errors = (extra as { errors?: Record<string, string> }).errors ?? {};
    const rows = [
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
    res.render('pages/coaching/evaluation', {
      title: req.t('coaching.work.evaluation.title', { period: evaluation.period.label[req.lang] }),
      evaluation,
      rows,
      ratings,
      timeZone: evaluation.officer.timeZone,
      periodLabel: evaluation.period.label[req.lang],
      editable: evaluation.canWrite && evaluation.status === 'draft',
      names: await categoryNames(req),
      ...extra,
    });
  };
  router.get('/coaching/evaluations/:id', requireActor, (req, res) => renderEvaluation(req, res));
  const here = (req: Request) => `/coaching/evaluations/${encodeURIComponent(String(req.params.id))}`;
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

  return router;
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

function withoutCsrf(body: unknown, drop: string[] = []): Record<string, unknown> {
  const rest = { ...((body ?? {}) as Record<string, unknown>) };
  for (const key of ['_csrf', ...drop]) delete rest[key];
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== ''));
}

/** The session form (flat fields, repeated for each action row) → the API's shape; empty rows are left out. */
function sessionFromForm(body: Record<string, unknown>) {
  const texts = asList(body.actionText);
  const owners = asList(body.actionOwner);
  const dues = asList(body.actionDue);
  return {
    date: body.date,
    notes: body.notes ?? '',
    topics: asList(body.topic).map((value) => {
      const [kind, id] = value.split(':');
      return { kind, id };
    }),
    actions: texts
      .map((text, index) => ({ text: text.trim(), owner: owners[index] || 'officer', dueDate: dues[index] ?? '' }))
      .filter((action) => action.text || action.dueDate),
  };
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
  };
}
