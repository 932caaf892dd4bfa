import { Router, type Request } from 'express';
import { AppError } from '../../platform/errors.js';
import { requireActor } from '../../platform/access.js';
import { outboxStatuses } from './model.js';
import { listOutbox, outboxStatus, resendMail } from './service.js';
import { describe } from '../../platform/validate.js';
import { outboxListInput } from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getAdminOutbox: describe({ summary: 'The e-mail outbox at a glance: counts by status' }),
  getAdminOutboxMessages: describe({
    summary: 'List outgoing e-mails by status, a page at a time',
    query: outboxListInput,
  }),
  postAdminOutboxIdResend: describe({ summary: 'Send a failed e-mail again' }),
};

/** The page's links keep the status filter: `/admin/outbox?status=failed&page=2`. */
function outboxUrl(status: string | null, page = 1): string {
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (page > 1) query.set('page', String(page));
  const text = query.toString();
  return text ? `/admin/outbox?${text}` : '/admin/outbox';
}

const listQuery = (req: Request) => ({ status: req.query.status ?? '', page: req.query.page ?? 1 });

export function notificationRoutes(): Router {
  const router = Router();

  // Platform administrators only (checked in the service): counts by status and the latest failures.
  router.get('/api/v1/admin/outbox', docs.getAdminOutbox, requireActor, async (req, res) => {
    res.json(await outboxStatus(req.actor));
  });

  // The messages of the admin's scope, a page at a time, addresses masked (checked in the service).
  router.get('/api/v1/admin/outbox/messages', docs.getAdminOutboxMessages, requireActor, async (req, res) => {
    res.json(await listOutbox(req.actor, listQuery(req)));
  });
  router.post('/api/v1/admin/outbox/:id/resend', docs.postAdminOutboxIdResend, requireActor, async (req, res) => {
    res.json(await resendMail(req.actor, String(req.params.id)));
  });

  router.get('/admin/outbox', requireActor, async (req, res) => {
    const outbox = await listOutbox(req.actor, listQuery(req));
    res.render('pages/admin/outbox', {
      title: req.t('notifications.outbox.title'),
      ...outbox,
      filters: [null, ...outboxStatuses].map((status) => ({
        status,
        url: outboxUrl(status),
        count: status ? outbox.counts[status] : null,
        current: status === outbox.status,
      })),
      previousUrl: outbox.page > 1 ? outboxUrl(outbox.status, outbox.page - 1) : null,
      nextUrl: outbox.page < outbox.pages ? outboxUrl(outbox.status, outbox.page + 1) : null,
      here: outboxUrl(outbox.status, outbox.page),
    });
  });

  // A refusal the admin can act on (not failed any more, address gone) comes back as the page's notice.
  router.post('/admin/outbox/:id/resend', requireActor, async (req, res) => {
    const back =
      typeof req.body?.back === 'string' && req.body.back.startsWith('/admin/outbox') ? req.body.back : '/admin/outbox';
    try {
      await resendMail(req.actor, String(req.params.id));
      req.session.flash = req.t('notifications.outbox.resent');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'conflict') throw error;
      req.session.flash = req.t(error.messageKey);
    }
    res.redirect(303, back);
  });

  return router;
}
