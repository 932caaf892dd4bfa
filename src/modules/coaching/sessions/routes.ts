import { Router, type Request, type Response } from 'express';
import { requireActor } from '../../../platform/access.js';
import { asList, categoryNames, pageAction } from '../page-forms.js';
import { completeAction, createSession, getSession, sessionForm } from './sessions.js';
import { describe } from '../../../platform/validate.js';
import { sessionInput } from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  postOfficersNipSessions: describe({
    summary: 'Record a coaching session with an officer, with its agreed actions',
    body: sessionInput,
    status: 201,
  }),
  getSessionsId: describe({ summary: 'One coaching session' }),
  postSessionsIdActionsActionIdDone: describe({ summary: 'Mark a session’s agreed action done' }),
};

/** Coaching sessions and their actions: JSON API and pages (thin: the services in sessions.ts check and validate). */
export function sessionRoutes(): Router {
  const router = Router();
  router.post('/api/v1/officers/:nip/sessions', docs.postOfficersNipSessions, requireActor, async (req, res) => {
    res.status(201).json(await createSession(req.actor, req.params.nip, req.body));
  });
  router.get('/api/v1/sessions/:id', docs.getSessionsId, requireActor, async (req, res) => {
    res.json(await getSession(req.actor, req.params.id));
  });
  router.post(
    '/api/v1/sessions/:id/actions/:actionId/done',
    docs.postSessionsIdActionsActionIdDone,
    requireActor,
    async (req, res) => {
      res.json(await completeAction(req.actor, req.params.id, req.params.actionId));
    },
  );

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
  return router;
}

async function renderSessionForm(req: Request, res: Response, extra: object = {}): Promise<void> {
  const form = await sessionForm(req.actor, req.params.nip);
  const values = (extra as { values?: Record<string, unknown> }).values ?? {};
  res.render('pages/coaching/session-new', {
    title: `${req.t('coaching.work.session.new')} · ${form.officer.name}`,
    form,
    topics: topicChoices(req, form, await categoryNames(req), new Set(asList(values.topic))),
    rows: actionRows(values),
    date: typeof values.date === 'string' ? values.date : form.today,
    notes: typeof values.notes === 'string' ? values.notes : '',
    ...extra,
  });
}

type SessionForm = Awaited<ReturnType<typeof sessionForm>>;

/** The findings and tickets a session may take up, as checkboxes (those chosen before stay checked). */
function topicChoices(req: Request, form: SessionForm, names: Record<string, string>, chosen: Set<string>) {
  return [
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
  ];
}

/** The action rows as typed, or one empty row. */
function actionRows(values: Record<string, unknown>) {
  const texts = asList(values.actionText);
  const owners = asList(values.actionOwner);
  const dues = asList(values.actionDue);
  return texts.length
    ? texts.map((text, index) => ({ text, owner: owners[index] ?? 'officer', dueDate: dues[index] ?? '' }))
    : [{ text: '', owner: 'officer', dueDate: '' }];
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
