import { Router, type Request } from 'express';
import type { Config } from '../../config.js';
import { mayHandOver } from './hand-over.js';
import { formRoute } from '../../platform/forms.js';
import { requireActor, type Actor } from '../../platform/access.js';
import { unitsInScope } from '../directory/index.js';
import { assistedRoutes } from './assisted-routes.js';
import { mayRecord } from './assisted-intake.js';
import { openAttachment, sendAttachment, type AttachmentType } from './attachments.js';
import {
  actOnTicket,
  attachmentFor,
  listInbox,
  mergeTicket,
  openTicket,
  recordFinding,
  replyToTicket,
  revealContact,
  staffView,
} from './staff.js';
import { findingOutcomes, kinds, priorities, rejectReasons, statuses, ticketChannels } from './statuses.js';
import { ticketPage } from './ticket-page.js';
import { describe } from '../../platform/validate.js';
import { inputOf, ticketAction } from './actions.js';
import { contactInput, inboxQuery } from './staff-schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getInbox: describe({ summary: 'The staff inbox: tickets in one’s units, filtered and paged', query: inboxQuery }),
  patchTicketsCode: describe({
    summary: 'Act on a ticket (verify, reject, forward, assign, resolve, close…) at the revision one saw',
    body: ticketAction,
  }),
  postTicketsCodeFindings: describe({
    summary: 'Record a finding about one tagged officer',
    body: inputOf('finding'),
    status: 201,
  }),
  postTicketsCodeMerge: describe({
    summary: 'Mark a ticket as a duplicate of another open one',
    body: inputOf('merge'),
  }),
  postTicketsCodeContact: describe({
    summary: 'Reveal the reporter’s contact data, with a reason (logged)',
    body: contactInput,
  }),
};

/**
 * The staff inbox: JSON API (session + X-CSRF-Token, or an API token) and server-rendered pages that work without
 * JavaScript; public/js/inbox.js adds live updates over Socket.IO.
 */

/** The inbox as the person filtered it, with unit names for its rows. */
async function inboxModel(req: Request) {
  const [inbox, units] = await Promise.all([listInbox(req.actor, req.query), unitsInScope(req.actor!, 'tickets.read')]);
  const unitNames = Object.fromEntries(units.map((unit) => [unit.code, unit.name]));
  return { inbox, units, unitNames, now: new Date() };
}

/** The inbox page: the filtered list, the filters as chosen, and links to the pages before and after. */
async function inboxPageModel(req: Request) {
  const model = await inboxModel(req);
  const { inbox } = model;
  const query = req.query as Record<string, string>;
  const pages = Math.max(1, Math.ceil(inbox.total / inbox.pageSize));
  const pageUrl = (page: number) => `/inbox?${new URLSearchParams({ ...query, page: String(page) }).toString()}`;
  return {
    title: req.t('inbox.title'),
    ...model,
    query,
    statuses,
    kinds,
    channels: ticketChannels,
    canRecord: mayRecord(req.actor),
    canHandOver: mayHandOver(req.actor),
    prev: inbox.page > 1 ? pageUrl(inbox.page - 1) : null,
    next: inbox.page < pages ? pageUrl(inbox.page + 1) : null,
    pages,
  };
}

/** The staff ticket page's view model; `opened` when the person opens it (an audited read of a close ticket). */
async function ticketModel(req: Request, opened = false) {
  const view = await (opened ? openTicket : staffView)(req.actor, req.params.code);
  return {
    title: `${view.ticket.code} · ${req.t('inbox.title')}`,
    view,
    page: await ticketPage(view, req.lang),
    timeZone: view.timeZone,
    statusLabel: req.t(`feedback.status.${view.ticket.status}`),
    rejectReasons,
    priorities,
    findingOutcomes,
    now: new Date(),
  };
}

/** A page action: back to the ticket page, or the page again with the refusal and what the person typed. */
const pageAction = (work: (actor: Actor | undefined, code: unknown, raw: unknown) => Promise<unknown>) =>
  formRoute(
    'pages/inbox/ticket',
    (req) => ticketModel(req),
    async (req) => {
      await work(req.actor, req.params.code, withoutCsrf(req.body));
      return `/inbox/tickets/${encodeURIComponent(String(req.params.code))}`;
    },
    { shows: ['validation', 'conflict'] },
  );

/** The staff API: each route checks, calls the use case (which checks the grants itself) and answers the staff view. */
function staffApiRoutes(router: Router) {
  router.get('/api/v1/inbox', docs.getInbox, requireActor, async (req, res) => {
    res.json(await listInbox(req.actor, req.query));
  });
  router.patch('/api/v1/tickets/:code', docs.patchTicketsCode, requireActor, async (req, res) => {
    await actOnTicket(req.actor, req.params.code, req.body);
    res.json(await staffView(req.actor, req.params.code));
  });
  router.post('/api/v1/tickets/:code/findings', docs.postTicketsCodeFindings, requireActor, async (req, res) => {
    await recordFinding(req.actor, req.params.code, req.body);
    res.status(201).json(await staffView(req.actor, req.params.code));
  });
  router.post('/api/v1/tickets/:code/merge', docs.postTicketsCodeMerge, requireActor, async (req, res) => {
    await mergeTicket(req.actor, req.params.code, req.body);
    res.json(await staffView(req.actor, req.params.code));
  });
  router.post('/api/v1/tickets/:code/contact', docs.postTicketsCodeContact, requireActor, async (req, res) => {
    res.json(await revealContact(req.actor, req.params.code, req.body));
  });
}

export function staffRoutes(config: Pick<Config, 'publicUrl'>): Router {
  const router = Router();
  staffApiRoutes(router);
  // Filing on a citizen's behalf (counter, phone, letter, WhatsApp...): assisted-intake.ts.
  router.use(assistedRoutes(config));

  // ---- Pages

  router.get('/inbox', requireActor, async (req, res) => {
    res.render('pages/inbox/list', await inboxPageModel(req));
  });

  // The rows of the inbox as the page renders them, for the live script to swap in (one way to draw a row).
  router.get('/inbox/rows', requireActor, async (req, res) => {
    const model = await inboxModel(req);
    res.set('X-Inbox-Total', String(model.inbox.total));
    res.render('pages/inbox/rows', { layout: false, ...model });
  });

  router.get('/inbox/tickets/:code', requireActor, async (req, res) => {
    res.render('pages/inbox/ticket', await ticketModel(req, true));
  });

  router.post('/inbox/tickets/:code/act', requireActor, pageAction(actOnTicket));
  router.post('/inbox/tickets/:code/reply', requireActor, pageAction(replyToTicket));
  router.post('/inbox/tickets/:code/finding', requireActor, pageAction(recordFinding));
  router.post('/inbox/tickets/:code/merge', requireActor, pageAction(mergeTicket));
  router.post('/inbox/tickets/:code/contact', requireActor, async (req, res) => {
    const contact = await revealContact(req.actor, req.params.code, withoutCsrf(req.body));
    res.render('pages/inbox/ticket', { ...(await ticketModel(req)), contact });
  });

  router.get('/inbox/tickets/:code/attachments/:id', requireActor, async (req, res) => {
    const { attachment } = await attachmentFor(req.actor, req.params.code, req.params.id);
    const { stream } = await openAttachment(attachment.storedName);
    await sendAttachment(
      res,
      {
        type: attachment.type as AttachmentType,
        size: attachment.size,
        originalName: attachment.originalName ?? undefined,
      },
      stream,
    );
  });

  return router;
}

function withoutCsrf(body: unknown): Record<string, unknown> {
  const { _csrf, ...rest } = (body ?? {}) as Record<string, unknown>;
  void _csrf;
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== ''));
}
