import Joi from 'joi';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../../config.js';
import { AppError } from '../../platform/errors.js';
import { submitForm } from '../../platform/forms.js';
import { describe } from '../../platform/validate.js';
import { clientAddressKey, rateLimiter } from '../../platform/security.js';
import { findPublicUnit } from '../directory/index.js';
import { openAttachment, sendAttachment } from './attachments.js';
import {
  citizenReply,
  citizenView,
  confirmResolved,
  rateAnswer,
  reopen,
  ticketForCitizen,
  type CitizenView,
} from './citizen.js';
import { ratingInput, reopenInput, replyInput } from './schemas.js';
import { informationView, lodgeObjection } from './information-requests.js';
import type { TicketDoc } from './model.js';
import { trackUrl } from './service.js';
import { openTicket, replyToTicket, staffView } from './staff.js';

/**
 * Following a ticket: the JSON API (by access token, or the staff view for signed-in staff) and the citizen's
 * tracking pages, where they answer, confirm, reopen and rate.
 */

const MINUTE = 60_000;

/** What a citizen may do on their ticket, by the last part of its address. */
const citizenActions = {
  replies: citizenReply,
  confirm: confirmResolved,
  reopen,
  rating: rateAnswer,
  // An information request's objection (keberatan), decided by the unit above (information-requests.ts).
  objection: lodgeObjection,
} as const;

/** The reporter's access token: in the X-Access-Token header, or here. */
const accessToken = Joi.object({ token: Joi.string().max(200).description('The access token from the receipt') });

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getTicket: describe({
    summary: 'A ticket: the reporter’s view with its access token (X-Access-Token), or the staff view signed in',
    query: accessToken,
    rateLimited: true,
  }),
  replies: describe({
    summary: 'The reporter adds a reply (staff signed in without a token add a staff reply)',
    query: accessToken,
    body: replyInput,
    rateLimited: true,
  }),
  confirm: describe({
    summary: 'The reporter confirms the answer resolved the matter',
    query: accessToken,
    rateLimited: true,
  }),
  reopen: describe({
    summary: 'The reporter reopens a resolved ticket, saying why',
    query: accessToken,
    body: reopenInput,
    rateLimited: true,
  }),
  rating: describe({
    summary: 'The reporter rates the answer, 1 to 5',
    query: accessToken,
    body: ratingInput,
    rateLimited: true,
  }),
  objection: describe({
    summary: 'The requester lodges an objection (keberatan) to an information request’s refusal, lateness or answer',
    query: accessToken,
    body: replyInput,
    rateLimited: true,
  }),
} satisfies Record<'getTicket' | keyof typeof citizenActions, RequestHandler>;

const citizenToken = (req: Request) =>
  req.get('x-access-token') ?? req.query.token ?? (req.body as { token?: unknown })?.token;

const renderFind = (req: Request, res: Response, extra: object = {}) =>
  res.render('pages/feedback/track-find', { title: req.t('feedback.track_title'), ...extra });

/** A ticket for a tracking page, or the find form again with the error when code and token do not match. */
async function ticketOrFindAgain(req: Request, res: Response, code: string, token: string) {
  try {
    return await ticketForCitizen(code, token);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'not_found') throw error;
    res.status(404);
    renderFind(req, res, { values: { code, token }, error: req.t(error.messageKey) });
    return null;
  }
}

/** What the citizen reads of a ticket: the citizen view, and an information request's clock and objection. */
const viewFor = async (ticket: TicketDoc) => ({
  ...citizenView(ticket),
  information: await informationView(ticket),
});

/** The tracking page's view model: the ticket as the citizen sees it, each timeline entry in words. */
async function trackModel(req: Request, ticket: TicketDoc, token: string) {
  const view: CitizenView & { information: Awaited<ReturnType<typeof informationView>> } = await viewFor(ticket);
  const information = view.information;
  return {
    information: information && {
      ...information,
      groundsLabel: information.grounds ? req.t(`feedback.objection_grounds.${information.grounds}`) : null,
      objectionUnitName: information.objection?.unitCode
        ? ((await findPublicUnit(information.objection.unitCode))?.name ?? information.objection.unitCode)
        : null,
      outcomeLabel: information.objection?.outcome
        ? req.t(`feedback.objection_outcome.${information.objection.outcome}`)
        : null,
    },
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
  };
}

/** The receipt as lines of text, to keep: the code, the token and the link. */
async function receiptLines(req: Request, config: Pick<Config, 'publicUrl'>, code: string, token: string) {
  const ticket = await ticketForCitizen(code, token);
  const unit = await findPublicUnit(ticket.unitCode);
  return {
    code: ticket.code,
    lines: [
      req.t('feedback.receipt_file_title', { code: ticket.code }),
      ...(unit ? [`${req.t('feedback.track_unit')}: ${unit.name}`] : []),
      `${req.t('feedback.receipt_code')}: ${ticket.code}`,
      `${req.t('feedback.receipt_token')}: ${token}`,
      trackUrl(config.publicUrl, ticket.code, token),
      '',
      req.t('feedback.receipt_keep'),
    ],
  };
}

/** The JSON API of one ticket: signed-in staff get the staff view; anyone with the access token the citizen's. */
function trackApiRoutes(router: Router, trackLimit: ReturnType<typeof rateLimiter>) {
  router.get('/api/v1/tickets/:code', docs.getTicket, trackLimit, async (req, res) => {
    if (req.actor && !citizenToken(req)) return void res.json(await openTicket(req.actor, req.params.code));
    res.json(await viewFor(await ticketForCitizen(req.params.code, citizenToken(req))));
  });
  for (const [action, run] of Object.entries(citizenActions)) {
    router.post(
      `/api/v1/tickets/:code/${action}`,
      docs[action as keyof typeof citizenActions],
      trackLimit,
      async (req, res) => {
        if (action === 'replies' && req.actor && !citizenToken(req)) {
          await replyToTicket(req.actor, req.params.code, req.body);
          return void res.status(201).json(await staffView(req.actor, req.params.code));
        }
        const ticket = await ticketForCitizen(req.params.code, citizenToken(req));
        res.json(await viewFor(await run(ticket, req.body)));
      },
    );
  }
}

export function trackRoutes(config: Config): Router {
  const router = Router();
  const trackLimit = rateLimiter('track', 60, 10 * MINUTE, { key: clientAddressKey });
  trackApiRoutes(router, trackLimit);

  // The privacy notice the consent on every public form links to (UU 27/2022).
  router.get('/privasi', (req, res) => {
    res.render('pages/feedback/privacy', { title: req.t('privacy_notice.title') });
  });

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

  router.get('/track/:code', trackLimit, async (req, res) => {
    const token = String(req.query.token ?? '').trim();
    const ticket = await ticketOrFindAgain(req, res, String(req.params.code), token);
    if (ticket) res.render('pages/feedback/track', await trackModel(req, ticket, token));
  });

  // The receipt as a small text file: "save" works without JavaScript, on any phone.
  router.get('/track/:code/receipt.txt', trackLimit, async (req, res) => {
    const { code, lines } = await receiptLines(req, config, String(req.params.code), String(req.query.token ?? ''));
    res.set({
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': `attachment; filename="suara-${code}.txt"`,
      'Cache-Control': 'private, no-store',
    });
    res.send(lines.join('\r\n') + '\r\n');
  });

  router.get('/track/:code/attachments/:id', trackLimit, async (req, res) => {
    const ticket = await ticketForCitizen(req.params.code, req.query.token);
    const attachment = ticket.attachments.find((candidate) => candidate.id === req.params.id);
    if (!attachment) throw new AppError('not_found');
    const { stream } = await openAttachment(attachment.storedName);
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
      await submitForm(
        req,
        res,
        async () => {
          await run(ticket, req.body);
          return { to: trackUrl('', ticket.code, token), flash: req.t('feedback.sent') };
        },
        async (errors) =>
          res.render('pages/feedback/track', {
            ...(await trackModel(req, await ticketForCitizen(ticket.code, token), token)),
            ...errors,
          }),
        { shows: ['validation', 'conflict'] },
      );
    });
  }

  return router;
}
