import { Router, type Request, type Response } from 'express';
import { AppError, translateFields } from '../../platform/errors.js';
import { rateLimiter } from '../../platform/security.js';
import { csrfTokenFor } from '../../platform/security.js';
import { unitsInScope } from '../directory/service.js';
import { roles } from './model.js';
import { requireActor } from './middleware.js';
import { authenticate, createApiToken, createUser, listUsers } from './service.js';
import { startPageFor, type Actor } from './permissions.js';

/** Only local paths after sign-in, so the `next` parameter cannot send people to another site; '' when none. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(value) ? value : '';
}

/** A new session id on sign-in (no fixation), carrying the user and a fresh CSRF token. */
function startSession(req: Request, actor: Actor): Promise<string> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((error) => {
      if (error) return reject(error);
      req.session.userId = actor.id;
      resolve(csrfTokenFor(req.session));
    });
  });
}

export function accountRoutes(): Router {
  const router = Router();
  // Per address; the per-account lockout in the service is the second line.
  const loginLimit = rateLimiter('login', 20, 60_000);

  router.get('/login', (req, res) => {
    if (req.actor) return res.redirect(303, safeNext(req.query.next) || startPageFor(req.actor));
    res.render('pages/auth/login', { title: req.t('auth.title'), next: safeNext(req.query.next) });
  });

  router.post('/login', loginLimit, async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    try {
      const actor = await authenticate({ email: body.email, password: body.password }, req.ip);
      await startSession(req, actor);
      res.redirect(303, safeNext(body.next) || startPageFor(actor));
    } catch (error) {
      if (
        !(error instanceof AppError) ||
        !['unauthenticated', 'locked', 'forbidden', 'validation'].includes(error.code)
      )
        throw error;
      res.status(error.status).render('pages/auth/login', {
        title: req.t('auth.title'),
        next: safeNext(body.next),
        email: typeof body.email === 'string' ? body.email : '',
        error: req.t(error.messageKey, error.params),
      });
    }
  });

  router.post('/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.redirect(303, '/')));
  });

  router.post('/api/v1/auth/login', loginLimit, async (req, res) => {
    const actor = await authenticate(req.body, req.ip);
    const csrfToken = await startSession(req, actor);
    res.json({ csrfToken, user: { email: actor.email, name: actor.name, grants: actor.grants } });
  });

  router.post('/api/v1/auth/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.status(204).end()));
  });

  router.get('/api/v1/auth/me', requireActor, (req, res) => {
    const actor = req.actor!;
    res.json({
      id: actor.id,
      email: actor.email,
      name: actor.name,
      grants: actor.grants,
      csrfToken: req.apiToken ? undefined : csrfTokenFor(req.session),
    });
  });

  router.post('/api/v1/auth/tokens', requireActor, async (req, res) => {
    res.status(201).json(await createApiToken(req.actor!, req.body));
  });

  router.get('/admin/accounts', requireActor, async (req, res) => {
    const [users, units] = await Promise.all([listUsers(req.actor!), unitsInScope(req.actor!, 'accounts.manage')]);
    res.render('pages/admin/accounts', { title: req.t('admin.accounts'), users, units, roles });
  });

  router.post('/admin/accounts', requireActor, async (req, res) => {
    try {
      await createUser(req.actor!, req.body);
      req.session.flash = req.t('admin.saved');
      res.redirect(303, '/admin/accounts');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      const [users, units] = await Promise.all([listUsers(req.actor!), unitsInScope(req.actor!, 'accounts.manage')]);
      res.status(400).render('pages/admin/accounts', {
        title: req.t('admin.accounts'),
        users,
        units,
        roles,
        values: req.body,
        errors: translateFields(req, error),
      });
    }
  });

  return router;
}
