import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { lookupHash } from '../../platform/crypto.js';
import { shedIntakeHere } from '../../platform/backpressure.js';
import { AppError, translateFields, type FieldErrors } from '../../platform/errors.js';
import { deviceOf, withDevice } from '../../platform/device.js';
import { clientAddressKey, rateLimiter } from '../../platform/security.js';
import {
  findPublicUnit,
  listPublicOfficers,
  listPublicUnits,
  officerGoneFrom,
  openingHoursOf,
  qrSvg,
  weekOf,
} from '../directory/index.js';
import { zoneName, dateFormatter } from '../../platform/calendar.js';
import {
  attachmentUpload,
  openAttachment,
  prepareAttachments,
  sendAttachment,
  type CleanAttachment,
} from './attachments.js';
import { activeCategories } from './categories.js';
import {
  checkTicketInput,
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
import {
  discardStaged,
  newStagingId,
  removeStaged,
  stagedContents,
  stagedFiles,
  stageUploads,
  stagingIdOf,
} from './staged-uploads.js';

const MINUTE = 60_000;

const ipHash = clientAddressKey;

/** The form's flat fields → the API's shape (contact details under `reporter`). */
function inputFromForm(body: Record<string, unknown>, unitCode: string) {
  const { name, email, phone, _csrf, formToken, website, stagingId, removeStaged, ...rest } = body;
  void _csrf;
  void formToken;
  void website;
  void stagingId;
  void removeStaged;
  return { ...rest, unitCode, reporter: { name, email, phone } };
}

/** Where each error path is shown on the form, for the summary's links. */
const anchorOf: Record<string, string> = {
  kind: 'kind-complaint',
  serviceCode: 'serviceCode',
  counter: 'counter',
  officerRef: 'officerRef',
  category: 'category',
  description: 'description',
  occurredAt: 'occurredAt',
  waitMinutes: 'waitMinutes',
  attachments: 'attachments',
  'reporter.name': 'name',
  'reporter.email': 'email',
  'reporter.phone': 'phone',
  privacy: 'privacy-public',
  consent: 'consent',
};
/** The summary lists mistakes in the order the page shows their fields. */
const pageOrder = (path: string) => {
  const at = Object.keys(anchorOf).indexOf(path);
  return at < 0 ? -1 : at;
};
const labelOf: Record<string, string> = {
  kind: 'feedback.kind',
  serviceCode: 'feedback.service',
  counter: 'feedback.counter',
  officerRef: 'feedback.officer',
  category: 'feedback.category',
  description: 'feedback.description',
  occurredAt: 'feedback.occurred_at',
  waitMinutes: 'feedback.wait_minutes',
  attachments: 'feedback.attachments',
  'reporter.name': 'feedback.name',
  'reporter.email': 'feedback.email',
  'reporter.phone': 'feedback.phone',
  privacy: 'feedback.privacy',
};

const sizeLabel = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');

/** A rate limit or an overloaded server: the submission may simply be sent again later. */
const isRetryLater = (error: AppError) => error.status === 429 || error.status === 503;

export function feedbackRoutes(config: Config): Router {
  const router = Router();
  // Only accepted submissions count: a citizen fixing mistakes is not flooding anyone.
  const accepted = (_req: Request, res: Response) => res.statusCode === 201;
  // Per network address for the API and per contact: enough for a family sharing a phone, not for a flood.
  const intakeLimit = rateLimiter('intake', 10, 10 * MINUTE, { key: ipHash, counts: accepted });
  // The form keys on device and network together, so a puskesmas Wi-Fi or a carrier's NAT is not one citizen;
  // the network's own ceiling bounds whoever throws the device cookie away.
  const formLimit = rateLimiter('intake-form', 10, 10 * MINUTE, {
    key: (req) => `${deviceOf(req).hash}.${ipHash(req)}`,
    counts: accepted,
  });
  const formNetworkLimit = rateLimiter('intake-form-network', 200, 10 * MINUTE, { key: ipHash, counts: accepted });
  const contactLimit = rateLimiter('intake-contact', 5, 60 * MINUTE, {
    counts: accepted,
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

  const context = (req: Request, files?: CleanAttachment[]) => ({
    lang: req.lang,
    publicUrl: config.publicUrl,
    dataDir: config.dataDir,
    staff: Boolean(req.actor),
    ipHash: ipHash(req),
    deviceHash: deviceOf(req).hash,
    files: files ?? prepareAttachments(req.files as Express.Multer.File[] | undefined),
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

  const renderForm = async (
    req: Request,
    res: Response,
    values: Record<string, unknown>,
    extra: { errors?: Record<string, string>; stagingId?: string; [key: string]: unknown } = {},
  ) => {
    const unit = await findPublicUnit(String(req.params.unitCode));
    if (!unit) throw new AppError('not_found', 'feedback.unknown_unit');
    const stagingId = extra.stagingId ?? newStagingId();
    const [officers, categories, staged] = await Promise.all([
      listPublicOfficers(unit.code),
      activeCategories(),
      extra.stagingId ? stagedFiles(extra.stagingId) : [],
    ]);
    const errors = extra.errors ?? {};
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
      stagingId,
      staged: staged.map((file) => ({
        ...file,
        name: file.name || req.t('feedback.attachment'),
        sizeLabel: sizeLabel(file.size),
      })),
      errorSummary: Object.entries(errors)
        .sort(([a], [b]) => pageOrder(a) - pageOrder(b))
        .map(([path, message]) => ({
          href: `#${anchorOf[path] ?? 'intake-form'}`,
          label: labelOf[path] ? req.t(labelOf[path]) : '',
          message,
        })),
    });
  };

  /**
   * The files of a form submission: the ones ticked for removal go, newly chosen ones that pass the checks are
   * staged under the form's id. Runs once per request, whether the submission is then filed or refused.
   */
  const formUploads = new WeakMap<Request, Promise<{ stagingId: string; problems: FieldErrors }>>();
  const uploadsOf = (req: Request) => {
    let result = formUploads.get(req);
    if (!result) {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const stagingId = stagingIdOf(body.stagingId) ?? newStagingId();
      result = removeStaged(stagingId, listOf(body.removeStaged))
        .then(() => stageUploads(stagingId, (req.files as Express.Multer.File[] | undefined) ?? [], ipHash(req)))
        .then((problems) => ({ stagingId, problems }));
      formUploads.set(req, result);
    }
    return result;
  };

  /** When to try again, in words, in the unit's time zone. */
  const retryMessage = async (req: Request, error: AppError) => {
    const seconds = Number(error.params.retryAfterSeconds) > 0 ? Math.ceil(Number(error.params.retryAfterSeconds)) : 5;
    if (error.status === 503) return { seconds, message: req.t('feedback.retry_busy', { seconds }) };
    const unit = await findPublicUnit(String(req.params.unitCode));
    const timeZone = unit?.timeZone ?? 'Asia/Jakarta';
    const at = dateFormatter(req.lang === 'id' ? 'id-ID' : 'en-GB', { timeStyle: 'short', timeZone }).format(
      new Date(Date.now() + seconds * 1000),
    );
    return {
      seconds,
      message: req.t('feedback.retry_limited', {
        minutes: Math.ceil(seconds / 60),
        time: `${at} ${zoneName(timeZone)}`,
      }),
    };
  };

  /**
   * A refused submission (a mistake, a rate limit, a busy server) shows the form again with everything kept: the
   * text, the choices and the files, staged so that they need not be chosen again.
   */
  const showFormAgain: ErrorRequestHandler = async (error, req, res, next) => {
    const appError = error instanceof AppError ? error : null;
    const again =
      appError &&
      (['validation', 'too_large'].includes(appError.code) ? Boolean(appError.fields) : isRetryLater(appError));
    if (!appError || !again || res.headersSent) return next(error);
    try {
      const { stagingId, problems } = await uploadsOf(req);
      const retry = isRetryLater(appError) ? await retryMessage(req, appError) : null;
      if (retry) res.set('Retry-After', String(retry.seconds));
      res.status(appError.status);
      await renderForm(req, res, (req.body ?? {}) as Record<string, unknown>, {
        errors: { ...translateFields(req, appError), ...translateFields(req, AppError.validation(problems)) },
        retry: retry?.message,
        stagingId,
      });
    } catch (failure) {
      next(failure);
    }
  };

  router.get('/u/:unitCode', withDevice, async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    await renderForm(
      req,
      res,
      {
        kind: kinds.includes(query.kind as (typeof kinds)[number]) ? query.kind : 'complaint',
        counter: query.counter ?? '',
        officerRef: query.officer ?? '',
        serviceCode: query.service ?? '',
        privacy: 'anonymous',
      },
      // From the directory: whether the poster's officer left (partials/officer-gone), the hours (partials/opening-hours).
      {
        officerGone: await officerGoneFrom(query.officer, String(req.params.unitCode)),
        openingWeek: weekOf(await openingHoursOf(String(req.params.unitCode))),
      },
    );
  });

  // The upload is read before the limits, so that a limited submission can be shown again with its files.
  router.post(
    '/u/:unitCode',
    withDevice,
    upload,
    shedIntakeHere,
    formNetworkLimit,
    formLimit,
    contactLimit,
    async (req: Request, res: Response) => {
      const body = req.body as Record<string, unknown>;
      const unitCode = String(req.params.unitCode).toUpperCase();
      const { stagingId, problems } = await uploadsOf(req);
      // A bot fills every field; a person never sees this one.
      if (typeof body.website === 'string' && body.website !== '') throw new AppError('validation', 'feedback.spam');
      const input = inputFromForm(body, unitCode);
      // Nothing is filed while a chosen file is refused: the citizen would believe it was sent.
      if (Object.keys(problems).length > 0) {
        const others = await checkTicketInput(input, { staff: Boolean(req.actor) }).then(
          () => ({}),
          (error: unknown) => {
            if (error instanceof AppError && error.fields) return error.fields;
            throw error;
          },
        );
        throw AppError.validation({ ...others, ...problems });
      }
      const receipt = await fileTicket(input, {
        ...context(req, await stagedContents(stagingId)),
        idempotencyKey: typeof body.formToken === 'string' ? `form:${body.formToken}` : undefined,
      });
      await discardStaged(stagingId);
      const link = trackUrl(config.publicUrl, receipt.code, receipt.shortToken);
      res.status(receipt.replayed ? 200 : 201).render('pages/feedback/receipt', {
        title: req.t('feedback.receipt_title'),
        receipt,
        timeZone: receipt.timeZone,
        trackUrl: trackUrl('', receipt.code, receipt.shortToken),
        fullTrackUrl: link,
        qr: await qrSvg(link),
        saveUrl: `/track/${receipt.code}/receipt.txt?token=${encodeURIComponent(receipt.shortToken)}`,
      });
    },
    showFormAgain,
  );

  // The privacy notice the consent on every public form links to (UU 27/2022).
  router.get('/privasi', (req, res) => {
    res.render('pages/feedback/privacy', { title: req.t('privacy_notice.title') });
  });

  const renderFind = (req: Request, res: Response, extra: object = {}) =>
    res.render('pages/feedback/track-find', { title: req.t('feedback.track_title'), ...extra });

  router.get('/track', (req, res) => renderFind(req, res));

  // The find form posts code and token as a GET, so the result page is bookmarkable like the e-mailed link.
  router.get('/track/find', (req, res) => {
    const code = String(req.query.code ?? '').trim();
    const token = String(req.query.token ?? '').trim();
    if (!code || !token) {
      const required = req.t('validation.required');
      res.status(400);
      return renderFind(req, res, {
        values: { code, token },
        errors: { ...(code ? {} : { code: required }), ...(token ? {} : { token: required }) },
      });
    }
    res.redirect(303, `/track/${encodeURIComponent(code)}?token=${encodeURIComponent(token)}`);
  });

  /** A ticket for a tracking page, or the find form again with the error when code and token do not match. */
  const ticketOrFindAgain = async (req: Request, res: Response, code: string, token: string) => {
    try {
      return await ticketForCitizen(code, token);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'not_found') throw error;
      res.status(404);
      renderFind(req, res, { values: { code, token }, error: req.t(error.messageKey) });
      return null;
    }
  };

  const renderTrack = async (req: Request, res: Response, view: CitizenView, token: string, extra: object = {}) =>
    res.render('pages/feedback/track', {
      title: `${req.t('feedback.track_title')} ${view.code}`,
      view,
      unitName: (await findPublicUnit(view.unitCode))?.name ?? view.unitCode,
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
    const token = String(req.query.token ?? '').trim();
    const ticket = await ticketOrFindAgain(req, res, String(req.params.code), token);
    if (ticket) await renderTrack(req, res, citizenView(ticket), token);
  });

  // The receipt as a small text file: "save" works without JavaScript, on any phone.
  router.get('/track/:code/receipt.txt', trackLimit, async (req, res) => {
    const token = String(req.query.token ?? '');
    const ticket = await ticketForCitizen(req.params.code, token);
    const unit = await findPublicUnit(ticket.unitCode);
    const lines = [
      req.t('feedback.receipt_file_title', { code: ticket.code }),
      ...(unit ? [`${req.t('feedback.track_unit')}: ${unit.name}`] : []),
      `${req.t('feedback.receipt_code')}: ${ticket.code}`,
      `${req.t('feedback.receipt_token')}: ${token}`,
      trackUrl(config.publicUrl, ticket.code, token),
      '',
      req.t('feedback.receipt_keep'),
    ];
    res.set({
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': `attachment; filename="suara-${ticket.code}.txt"`,
      'Cache-Control': 'private, no-store',
    });
    res.send(lines.join('\r\n') + '\r\n');
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
        await renderTrack(req, res, citizenView(await ticketForCitizen(ticket.code, token)), token, {
          errors: translateFields(req, error),
          error: req.t(error.messageKey, error.params),
          values: req.body,
        });
      }
    });
  }

  return router;
}
