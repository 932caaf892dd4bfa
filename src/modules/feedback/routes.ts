import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { lookupHash } from '../../platform/crypto.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { deviceOf, withDevice } from '../../platform/device.js';
import { clientAddressKey, rateLimiter } from '../../platform/security.js';
import { findPublicUnit, listPublicOfficers, listPublicUnits } from '../directory/service.js';
import { attachmentUpload, openAttachment, prepareAttachments, sendAttachment } from './attachments.js';
import { activeCategories } from './categories.js';
import {
  citizenReply,
  citizenView,
  confirmResolved,
  fileTicket,
  rateAnswer,
  reopen,
  similarOpenTickets,
  ticketForCitizen,
  trackUrl,
  type CitizenView,
} from './service.js';
import { openTicket, replyToTicket, staffView } from './staff.js';
import { kinds, privacies } from './statuses.js';

const MINUTE = 60_000;

const ipHash = clientAddressKey;

/** The form's flat fields → the API's shape (contact details under `reporter`). */
function inputFromForm(body: Record<string, unknown>, unitCode: string) {
  const { name, email, phone, _csrf, formToken, website, ...rest } = body;
  void _csrf;
  void formToken;
  void website;
  return { ...rest, unitCode, reporter: { name, email, phone } };
}

export function feedbackRoutes(config: Config): Router {
  const router = Router();
  // Per network address and per contact: enough for a family sharing a phone, not for a flood.
  const intakeLimit = rateLimiter('intake', 10, 10 * MINUTE, { key: ipHash });
  const contactLimit = rateLimiter('intake-contact', 5, 60 * MINUTE, {
    key: (req) =>
      lookupHash(
        String(
          (req.body as { reporter?: { email?: string }; email?: string }).reporter?.email ??
            (req.body as { email?: string }).email,
        )
          .trim()
          .toLowerCase(),
      ),
    skip: (req) => {
      const body = req.body as { reporter?: { email?: unknown }; email?: unknown } | undefined;
      const email = body?.reporter?.email ?? body?.email;
      return typeof email !== 'string' || email.trim() === '';
    },
  });
  const trackLimit = rateLimiter('track', 60, 10 * MINUTE, { key: ipHash });
  const upload = attachmentUpload('attachments');

  const context = (req: Request) => ({
    lang: req.lang,
    publicUrl: config.publicUrl,
    dataDir: config.dataDir,
    staff: Boolean(req.actor),
    ipHash: ipHash(req),
    deviceHash: deviceOf(req).hash,
    files: prepareAttachments(req.files as Express.Multer.File[] | undefined),
  });

  // ---- JSON API (DESIGN.md section 6)

  router.post('/api/v1/tickets', withDevice, intakeLimit, upload, contactLimit, async (req, res) => {
    const idempotencyKey = req.get('idempotency-key')?.slice(0, 200) || undefined;
    const receipt = await fileTicket(req.body, { ...context(req), idempotencyKey });
    res.status(receipt.replayed ? 200 : 201).json({
      code: receipt.code,
      accessToken: receipt.accessToken,
      status: receipt.status,
      dueAt: receipt.dueAt,
    });
  });

  router.get('/api/v1/tickets/similar', async (req, res) => {
    res.json(await similarOpenTickets(req.query));
  });

  const citizenToken = (req: Request) =>
    req.get('x-access-token') ?? req.query.token ?? (req.body as { token?: unknown })?.token;

  // Signed-in staff get the staff view; anyone with the access token gets the citizen's.
  router.get('/api/v1/tickets/:code', trackLimit, async (req, res) => {
    if (req.actor && !citizenToken(req)) return void res.json(await openTicket(req.actor, req.params.code));
    res.json(citizenView(await ticketForCitizen(req.params.code, citizenToken(req))));
  });

  const citizenActions = {
    replies: citizenReply,
    confirm: confirmResolved,
    reopen,
    rating: rateAnswer,
  } as const;
  for (const [action, run] of Object.entries(citizenActions)) {
    router.post(`/api/v1/tickets/:code/${action}`, trackLimit, async (req, res) => {
      if (action === 'replies' && req.actor && !citizenToken(req)) {
        await replyToTicket(req.actor, req.params.code, req.body);
        return void res.status(201).json(await staffView(req.actor, req.params.code));
      }
      const ticket = await ticketForCitizen(req.params.code, citizenToken(req));
      res.json(citizenView(await run(ticket, req.body)));
    });
  }

  // ---- Pages

  router.get('/lapor', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().toLowerCase().slice(0, 100) : '';
    const units = (await listPublicUnits()).filter((unit) => unit.parentCode !== null);
    const shown = q
      ? units.filter((unit) => unit.name.toLowerCase().includes(q) || unit.code.toLowerCase().includes(q))
      : units;
    res.render('pages/feedback/choose-unit', { title: req.t('feedback.choose_unit'), units: shown, q });
  });

  const renderForm = async (req: Request, res: Response, values: Record<string, unknown>, extra: object = {}) => {
    const unit = await findPublicUnit(String(req.params.unitCode));
    if (!unit) throw new AppError('not_found', 'feedback.unknown_unit');
    const [officers, categories] = await Promise.all([listPublicOfficers(unit.code), activeCategories()]);
    res.render('pages/feedback/form', {
      title: req.t('feedback.title'),
      unit,
      officers,
      categories: categories.map((category) => ({
        code: category.code,
        name: category.name?.[req.lang] ?? category.code,
        kinds: category.kinds,
      })),
      kinds,
      privacies,
      values,
      // A fresh token per rendering: a double tap sends the same token, so it files one ticket.
      formToken: values.formToken ?? lookupHash(`form:${Date.now()}:${Math.random()}`).slice(0, 32),
      ...extra,
    });
  };

  router.get('/u/:unitCode', async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    await renderForm(req, res, {
      kind: kinds.includes(query.kind as (typeof kinds)[number]) ? query.kind : 'complaint',
      counter: query.counter ?? '',
      officerRef: query.officer ?? '',
      serviceCode: query.service ?? '',
      privacy: 'anonymous',
    });
  });

  router.post('/u/:unitCode', withDevice, intakeLimit, upload, contactLimit, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const unitCode = String(req.params.unitCode).toUpperCase();
    try {
      // A bot fills every field; a person never sees this one.
      if (typeof body.website === 'string' && body.website !== '') throw new AppError('validation', 'feedback.spam');
      const receipt = await fileTicket(inputFromForm(body, unitCode), {
        ...context(req),
        idempotencyKey: typeof body.formToken === 'string' ? `form:${body.formToken}` : undefined,
      });
      res.status(receipt.replayed ? 200 : 201).render('pages/feedback/receipt', {
        title: req.t('feedback.receipt_title'),
        receipt,
        timeZone: receipt.timeZone,
        trackUrl: trackUrl('', receipt.code, receipt.accessToken),
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400);
      await renderForm(req, res, body, {
        errors: translateFields(req, error),
        error: error.fields ? null : req.t(error.messageKey),
        filesLost: Array.isArray(req.files) && req.files.length > 0,
      });
    }
  });

  router.get('/track', (req, res) => {
    res.render('pages/feedback/track-find', { title: req.t('feedback.track_title') });
  });

  // The find form posts code and token as a GET, so the result page is bookmarkable like the e-mailed link.
  router.get('/track/find', (req, res) => {
    const code = String(req.query.code ?? '').trim();
    const token = String(req.query.token ?? '').trim();
    res.redirect(303, `/track/${encodeURIComponent(code)}?token=${encodeURIComponent(token)}`);
  });

  const renderTrack = (req: Request, res: Response, view: CitizenView, token: string, extra: object = {}) =>
    res.render('pages/feedback/track', {
      title: `${req.t('feedback.track_title')} ${view.code}`,
      view,
      token,
      timeZone: view.timeZone,
      statusLabel: req.t(`feedback.status.${view.status}`),
      timeline: view.timeline.map((entry) => ({
        ...entry,
        label:
          entry.action === 'status' || entry.action === 'created'
            ? entry.action === 'created'
              ? req.t('feedback.action.created')
              : req.t('feedback.action.status', { status: req.t(`feedback.status.${entry.status}`) })
            : req.t(`feedback.action.${entry.action}`, { score: entry.status }),
        byLabel: req.t(`feedback.by_${entry.by}`),
      })),
      ...extra,
    });

  router.get('/track/:code', trackLimit, async (req, res) => {
    const token = String(req.query.token ?? '');
    const ticket = await ticketForCitizen(req.params.code, token);
    renderTrack(req, res, citizenView(ticket), token);
  });

  router.get('/track/:code/attachments/:id', trackLimit, async (req, res) => {
    const ticket = await ticketForCitizen(req.params.code, req.query.token);
    const attachment = ticket.attachments.find((candidate) => candidate.id === req.params.id);
    if (!attachment) throw new AppError('not_found');
    const { stream } = await openAttachment(attachment.storedName, config.dataDir);
    await sendAttachment(
      res,
      { type: attachment.type as never, size: attachment.size, originalName: attachment.originalName ?? undefined },
      stream,
    );
  });

  for (const [action, run] of Object.entries(citizenActions)) {
    router.post(`/track/:code/${action}`, trackLimit, async (req, res) => {
      const token = String((req.body as { token?: unknown }).token ?? '');
      const ticket = await ticketForCitizen(req.params.code, token);
      try {
        await run(ticket, req.body);
        req.session.flash = req.t('feedback.sent');
        res.redirect(303, trackUrl('', ticket.code, token));
      } catch (error) {
        if (!(error instanceof AppError) || !['validation', 'conflict'].includes(error.code)) throw error;
        res.status(error.status);
        renderTrack(req, res, citizenView(await ticketForCitizen(ticket.code, token)), token, {
          errors: translateFields(req, error),
          error: req.t(error.messageKey, error.params),
          values: req.body,
        });
      }
    });
  }

  return router;
}
