import Joi from 'joi';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { lookupHash } from '../../platform/crypto.js';
import { shedIntakeHere } from '../../platform/backpressure.js';
import { AppError, translateFields, type FieldErrors } from '../../platform/errors.js';
import { deviceOf, withDevice } from '../../platform/device.js';
import { clientAddressKey, rateLimiter } from '../../platform/security.js';
import { findPublicUnit, listPublicUnits, qrSvg } from '../directory/index.js';
import { zoneName, dateFormatter } from '../../platform/calendar.js';
import { attachmentUpload, prepareAttachments, type CleanAttachment } from './attachments.js';
import { renderForm } from './intake-form.js';
import { checkTicketInput, fileTicket, similarOpenTickets, trackUrl } from './service.js';
import { kinds, statuses } from './statuses.js';
import {
  discardStaged,
  newStagingId,
  removeStaged,
  stagedContents,
  stageUploads,
  stagingIdOf,
} from './staged-uploads.js';
import { describe } from '../../platform/validate.js';
import { similarQuery, ticketInput } from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  postTickets: describe({
    summary: 'File a complaint, compliment, question or suggestion; answers its code and access token',
    body: ticketInput,
    bodyTypes: ['application/json', 'multipart/form-data'],
    status: 201,
    idempotent: true,
    rateLimited: true,
    response: Joi.object({
      code: Joi.string().required().description('The tracking code'),
      accessToken: Joi.string().required().description('The reporter’s access token (X-Access-Token): shown this once'),
      status: Joi.string()
        .valid(...statuses)
        .required(),
      dueAt: Joi.date().allow(null).description('When the unit must answer by, on its working days'),
    }),
  }),
  getTicketsSimilar: describe({
    summary: 'Open tickets like the one being typed, so a citizen can follow one instead',
    query: similarQuery,
  }),
};

/** Filing a ticket: the JSON API and the public form (with its files staged across a refused submission). */

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

const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');

/** A rate limit or an overloaded server: the submission may simply be sent again later. */
const isRetryLater = (error: AppError) => error.status === 429 || error.status === 503;

/** The limits on filing: per network, per device on that network, and per contact address. */
function intakeLimits() {
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
  return { intakeLimit, formLimit, formNetworkLimit, contactLimit };
}

const intakeContext = (config: Config) => (req: Request, files?: CleanAttachment[]) => ({
  lang: req.lang,
  publicUrl: config.publicUrl,
  staff: Boolean(req.actor),
  ipHash: ipHash(req),
  deviceHash: deviceOf(req).hash,
  files: files ?? prepareAttachments(req.files as Express.Multer.File[] | undefined),
});
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

/** POST /u/:unitCode, once the upload, the load shedding and the limits have let the submission through. */
function fileFromForm(config: Config) {
  const context = intakeContext(config);
  return async (req: Request, res: Response) => {
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
  };
}

export function intakeRoutes(config: Config): Router {
  const router = Router();
  const { intakeLimit, formLimit, formNetworkLimit, contactLimit } = intakeLimits();
  const upload = attachmentUpload('attachments');
  const context = intakeContext(config);

  // ---- JSON API (docs/architecture.md)

  router.post('/api/v1/tickets', docs.postTickets, withDevice, intakeLimit, upload, contactLimit, async (req, res) => {
    const idempotencyKey = req.get('idempotency-key')?.slice(0, 200) || undefined;
    const receipt = await fileTicket(req.body, { ...context(req), idempotencyKey, channel: 'api' });
    res.status(receipt.replayed ? 200 : 201).json({
      code: receipt.code,
      accessToken: receipt.accessToken,
      status: receipt.status,
      dueAt: receipt.dueAt,
    });
  });

  router.get('/api/v1/tickets/similar', docs.getTicketsSimilar, async (req, res) => {
    res.json(await similarOpenTickets(req.query));
  });

  // ---- Pages

  router.get('/lapor', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().toLowerCase().slice(0, 100) : '';
    const units = (await listPublicUnits()).filter((unit) => unit.parentCode !== null);
    const shown = q
      ? units.filter((unit) => unit.name.toLowerCase().includes(q) || unit.code.toLowerCase().includes(q))
      : units;
    res.render('pages/feedback/choose-unit', { title: req.t('feedback.choose_unit'), units: shown, q });
  });

  router.get('/u/:unitCode', withDevice, async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    await renderForm(req, res, {
      kind: kinds.includes(query.kind as (typeof kinds)[number]) ? query.kind : 'complaint',
      counter: query.counter ?? '',
      officerRef: query.officer ?? '',
      serviceCode: query.service ?? '',
      privacy: 'anonymous',
    });
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
    fileFromForm(config),
    showFormAgain,
  );

  return router;
}
