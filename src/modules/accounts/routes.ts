import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { submitForm } from '../../platform/forms.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import { clientAddressKey, csrfTokenFor, rateLimiter } from '../../platform/security.js';
import { csvText, csvUpload, translatedReport } from '../../platform/csv.js';
import { unitsInScope } from '../directory/index.js';
import { type Actor, requireActor, roles, startPageFor } from '../../platform/access.js';
import { authenticate, createUser, getUser, listUsers, ownAccount, setOwnDigest, updateUser } from './service.js';
import { createApiToken, listApiTokens, listTokensInScope, revokeApiToken } from './tokens.js';
import { forgotPassword, requestPasswordReset, resetLinkIsUsable, resetPassword } from './resets.js';
import { importUsers } from './account-import.js';
import { docs } from './route-docs.js';

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

/** What the new-token form starts with (the service's default validity). */
const newTokenDefaults = { expiresInDays: '90' };

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
/** A checkbox after its hidden "0" arrives as "0" or ["0", "1"]: the last value is the answer. */
const lastValue = (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : value);
/** A field that may come once or repeated (ticked boxes), as a list. */
const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? [value] : [];

export function accountRoutes(config: Config): Router {
  const router = Router();
  signInRoutes(router);
  passwordResetRoutes(router, config);
  ownAccountRoutes(router);
  adminTokenRoutes(router);
  accountApiRoutes(router, config);
  accountPageRoutes(router, config);
  return router;
}

/**
 * Signing in and out, pages and JSON. Limited per address; the per-address lockout and the per-account delay in the
 * service are the second line.
 */
function signInRoutes(router: Router): void {
  const loginLimit = rateLimiter('login', 20, 60_000);

  router.get('/login', (req, res) => {
    if (req.actor) return res.redirect(303, safeNext(req.query.next) || startPageFor(req.actor));
    res.render('pages/auth/login', { title: req.t('auth.title'), next: safeNext(req.query.next) });
  });

  router.post('/login', loginLimit, async (req: Request, res: Response) => {
    const form = body(req);
    try {
      const actor = await authenticate({ email: form.email, password: form.password }, req.ip);
      await startSession(req, actor);
      res.redirect(303, safeNext(form.next) || startPageFor(actor));
    } catch (error) {
      if (
        !(error instanceof AppError) ||
        !['unauthenticated', 'locked', 'forbidden', 'validation'].includes(error.code)
      )
        throw error;
      res.status(error.status).render('pages/auth/login', {
        title: req.t('auth.title'),
        next: safeNext(form.next),
        email: typeof form.email === 'string' ? form.email : '',
        error: req.t(error.messageKey, error.params),
      });
    }
  });

  router.post('/logout', (req, res, next) => {
    const sessionId = req.sessionID;
    req.session.destroy((error) => {
      if (error) return next(error);
      publish('user.sessions_ended', { userId: null, sessionId });
      res.redirect(303, '/');
    });
  });

  router.post('/api/v1/auth/login', docs.postAuthLogin, loginLimit, async (req, res) => {
    const actor = await authenticate(req.body, req.ip);
    const csrfToken = await startSession(req, actor);
    res.json({ csrfToken, user: { email: actor.email, name: actor.name, grants: actor.grants } });
  });

  router.post('/api/v1/auth/logout', docs.postAuthLogout, (req, res, next) => {
    const sessionId = req.sessionID;
    req.session.destroy((error) => {
      if (error) return next(error);
      publish('user.sessions_ended', { userId: null, sessionId });
      res.status(204).end();
    });
  });

  router.get('/api/v1/auth/me', docs.getAuthMe, requireActor, (req, res) => {
    const actor = req.actor!;
    res.json({
      id: actor.id,
      email: actor.email,
      name: actor.name,
      grants: actor.grants,
      csrfToken: req.apiToken ? undefined : csrfTokenFor(req.session),
    });
  });
}

/** Forgotten passwords and reset links: the same answer for every address, known or not. */
function passwordResetRoutes(router: Router, config: Config): void {
  const resetLimit = rateLimiter('password-reset', 5, 15 * 60_000, clientAddressKey);

  router.get('/forgot-password', (req, res) => {
    res.render('pages/auth/forgot', { title: req.t('auth.forgot_title') });
  });
  router.post('/forgot-password', resetLimit, async (req, res) => {
    try {
      await forgotPassword({ email: body(req).email }, config.publicUrl);
      res.render('pages/auth/forgot', { title: req.t('auth.forgot_title'), sent: true });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400).render('pages/auth/forgot', {
        title: req.t('auth.forgot_title'),
        values: req.body,
        errors: translateFields(req, error),
      });
    }
  });
  router.post('/api/v1/auth/forgot-password', docs.postAuthForgotPassword, resetLimit, async (req, res) => {
    await forgotPassword(req.body, config.publicUrl);
    res.status(202).json({ message: req.t('auth.forgot_sent') });
  });

  router.get('/password-reset', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const usable = token !== '' && (await resetLinkIsUsable(token));
    res.status(usable ? 200 : 400).render('pages/auth/reset', { title: req.t('auth.reset_title'), token, usable });
  });
  router.post('/password-reset', resetLimit, async (req, res) => {
    try {
      await resetPassword({ token: body(req).token, password: body(req).password }, req.sessionID);
      req.session.flash = req.t('auth.reset_done');
      res.redirect(303, '/login');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      const errors = translateFields(req, error);
      res.status(400).render('pages/auth/reset', {
        title: req.t('auth.reset_title'),
        token: body(req).token,
        usable: !errors.token,
        errors,
      });
    }
  });
  router.post('/api/v1/auth/password-reset', docs.postAuthPasswordReset, resetLimit, async (req, res) => {
    await resetPassword(req.body, req.sessionID);
    res.status(204).end();
  });
}

/**
 * One's own account: the morning digest on or off, and one's own API tokens (an admin in scope may list another
 * account's with ?userId= and revoke them).
 */
function ownAccountRoutes(router: Router): void {
  router.get('/account', requireActor, async (req, res) => {
    res.render('pages/account/index', { title: req.t('account.title'), account: await ownAccount(req.actor!) });
  });
  router.post('/account/digest', requireActor, async (req, res) => {
    await setOwnDigest(req.actor!, { digest: lastValue(body(req).digest) });
    req.session.flash = req.t('admin.saved');
    res.redirect(303, '/account');
  });

  router.get('/api/v1/auth/tokens', docs.getAuthTokens, requireActor, async (req, res) => {
    const userId = typeof req.query.userId === 'string' ? req.query.userId : undefined;
    res.json(await listApiTokens(req.actor!, userId));
  });
  router.post('/api/v1/auth/tokens', docs.postAuthTokens, requireActor, async (req, res) => {
    res.status(201).json(await createApiToken(req.actor!, req.body, { viaToken: req.apiToken }));
  });
  router.delete('/api/v1/auth/tokens/:id', docs.deleteAuthTokensId, requireActor, async (req, res) => {
    res.json(await revokeApiToken(req.actor!, String(req.params.id)));
  });

  const renderTokens = async (req: Request, res: Response, extra: object = {}) => {
    const actor = req.actor!;
    res.render('pages/account/tokens', {
      title: req.t('tokens.title'),
      tokens: await listApiTokens(actor),
      grants: actor.grants.filter((grant) => grant.role !== 'officer'),
      values: newTokenDefaults,
      ...extra,
    });
  };
  router.get('/account/tokens', requireActor, (req, res) => renderTokens(req, res));
  router.post('/account/tokens', requireActor, async (req, res) => {
    const form = body(req);
    // The grant picker sends "role|unitCode", one value per grant.
    const [role, unitCode] = typeof form.grant === 'string' ? form.grant.split('|') : [];
    try {
      const created = await createApiToken(req.actor!, {
        name: form.name,
        role,
        unitCode,
        expiresInDays: form.expiresInDays || undefined,
      });
      await renderTokens(req, res, { created: created.token });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400);
      await renderTokens(req, res, { values: form, errors: translateFields(req, error) });
    }
  });
  router.post('/account/tokens/:id/revoke', requireActor, async (req, res) => {
    await revokeApiToken(req.actor!, String(req.params.id));
    req.session.flash = req.t('admin.saved');
    res.redirect(303, '/account/tokens');
  });
}

/**
 * The admin's tokens page: every token in their scope; a new one carries the admin's own roles or some of them, on
 * their own scope or a unit below it (tokens.ts refuses anything wider).
 */
function adminTokenRoutes(router: Router): void {
  const renderScopeTokens = async (req: Request, res: Response, extra: object = {}) => {
    const actor = req.actor!;
    const held = actor.grants.filter((grant) => grant.role !== 'officer');
    const values = ((extra as { values?: Record<string, unknown> }).values ?? newTokenDefaults) as Record<
      string,
      unknown
    >;
    const chosen = asList(values.roles);
    res.render('pages/admin/tokens', {
      title: req.t('tokens.admin_title'),
      tokens: await listTokensInScope(actor),
      roles: [...new Set(held.map((grant) => grant.role))].map((role) => ({
        role,
        // Nothing ticked yet: every role of the admin's, the token as wide as its maker.
        checked: chosen.length === 0 || chosen.includes(role),
      })),
      units: held.length ? (await unitsInScope(actor, 'directory.read')).map(({ code, name }) => ({ code, name })) : [],
      ...extra,
      values,
    });
  };
  router.get('/admin/tokens', requireActor, (req, res) => renderScopeTokens(req, res));
  router.post('/admin/tokens', requireActor, async (req, res) => {
    const form = body(req);
    // An older form names one grant as "role|unit"; this one ticks roles and picks a unit.
    const [role, unitCode] = typeof form.grant === 'string' ? form.grant.split('|') : [];
    try {
      await listTokensInScope(req.actor!); // admins only, before anything is made
      const created = await createApiToken(req.actor!, {
        name: form.name,
        ...(role ? { role, unitCode } : { roles: form.roles || undefined, unitCode: form.unitCode || undefined }),
        expiresInDays: form.expiresInDays || undefined,
      });
      // Shown in this answer only: the secret is not stored, so a reload cannot show it again.
      res.status(201);
      await renderScopeTokens(req, res, { created: created.token });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400);
      await renderScopeTokens(req, res, { values: form, errors: translateFields(req, error) });
    }
  });
  router.post('/admin/tokens/:id/revoke', requireActor, async (req, res) => {
    await revokeApiToken(req.actor!, String(req.params.id));
    req.session.flash = req.t('tokens.revoked_notice');
    res.redirect(303, '/admin/tokens');
  });
  router.get('/api/v1/admin/tokens', docs.getAdminTokens, requireActor, async (req, res) => {
    res.json(await listTokensInScope(req.actor!));
  });
}

/** Accounts, JSON. */
function accountApiRoutes(router: Router, config: Config): void {
  router.get('/api/v1/accounts', docs.getAccounts, requireActor, async (req, res) => {
    res.json(await listUsers(req.actor!));
  });
  router.post('/api/v1/accounts', docs.postAccounts, requireActor, async (req, res) => {
    const created = await createUser(req.actor!, req.body);
    res.status(201).json(await getUser(req.actor!, created.id));
  });
  router.post(
    '/api/v1/accounts/import',
    docs.postAccountsImport,
    requireActor,
    csvUpload.single('file'),
    async (req, res) => {
      res.json(translatedReport(req, await importUsers(req.actor!, csvText(req), config.publicUrl)));
    },
  );
  router.get('/api/v1/accounts/:id', docs.getAccountsId, requireActor, async (req, res) => {
    res.json(await getUser(req.actor!, String(req.params.id)));
  });
  router.patch('/api/v1/accounts/:id', docs.patchAccountsId, requireActor, async (req, res) => {
    res.json(await updateUser(req.actor!, String(req.params.id), req.body));
  });
  router.post(
    '/api/v1/accounts/:id/password-reset',
    docs.postAccountsIdPasswordReset,
    requireActor,
    async (req, res) => {
      await requestPasswordReset(req.actor!, String(req.params.id), config.publicUrl);
      res.status(202).json({ ok: true });
    },
  );
}

/** Accounts, pages. */
function accountPageRoutes(router: Router, config: Config): void {
  const renderAccounts = async (req: Request, res: Response, extra: object = {}) => {
    const [users, units] = await Promise.all([listUsers(req.actor!), unitsInScope(req.actor!, 'accounts.manage')]);
    res.render('pages/admin/accounts', { title: req.t('admin.accounts'), users, units, roles, ...extra });
  };
  router.get('/admin/accounts', requireActor, (req, res) => renderAccounts(req, res));
  router.post('/admin/accounts', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => ({ to: `/admin/accounts/${(await createUser(req.actor!, req.body)).id}` }),
      ({ values, errors }) => renderAccounts(req, res, { values, errors }),
    ),
  );
  router.post('/admin/accounts/import', requireActor, csvUpload.single('file'), async (req, res) => {
    const report = translatedReport(req, await importUsers(req.actor!, csvText(req), config.publicUrl));
    await renderAccounts(req, res, { report });
  });

  const renderAccount = async (req: Request, res: Response, extra: object = {}) => {
    const [account, units] = await Promise.all([
      getUser(req.actor!, String(req.params.id)),
      unitsInScope(req.actor!, 'accounts.manage'),
    ]);
    res.render('pages/admin/account', { title: account.name, account, units, roles, ...extra });
  };
  const accountUrl = (req: Request) => `/admin/accounts/${encodeURIComponent(String(req.params.id))}`;
  /** The account's grants as {role, unitCode}, the shape updateUser takes. */
  const currentGrants = async (req: Request) =>
    (await getUser(req.actor!, String(req.params.id))).grants.map(({ role, unitCode }) => ({ role, unitCode }));

  router.get('/admin/accounts/:id', requireActor, (req, res) => renderAccount(req, res));
  router.post('/admin/accounts/:id', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        await updateUser(req.actor!, String(req.params.id), {
          name: body(req).name,
          officerNip: body(req).officerNip ?? '',
          digest: lastValue(body(req).digest),
        });
        return { to: accountUrl(req) };
      },
      ({ values, errors }) => renderAccount(req, res, { values, errors }),
    ),
  );
  router.post('/admin/accounts/:id/grants', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        const grant = { role: body(req).role, unitCode: body(req).unitCode };
        await updateUser(req.actor!, String(req.params.id), { grants: [...(await currentGrants(req)), grant] });
        return { to: accountUrl(req) };
      },
      ({ values, errors }) => renderAccount(req, res, { grantForm: { values, errors } }),
    ),
  );
  router.post('/admin/accounts/:id/grants/remove', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        const index = Number(body(req).index);
        const grants = (await currentGrants(req)).filter((_, at) => at !== index);
        await updateUser(req.actor!, String(req.params.id), { grants });
        return { to: accountUrl(req) };
      },
      ({ values, errors }) => renderAccount(req, res, { grantForm: { values, errors } }),
    ),
  );
  for (const [path, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const)
    router.post(`/admin/accounts/:id/${path}`, requireActor, (req, res) =>
      submitForm(
        req,
        res,
        async () => {
          await updateUser(req.actor!, String(req.params.id), { disabled });
          return { to: accountUrl(req) };
        },
        ({ values, errors }) => renderAccount(req, res, { statusForm: { values, errors } }),
      ),
    );
  router.post('/admin/accounts/:id/reset', requireActor, async (req, res) => {
    await requestPasswordReset(req.actor!, String(req.params.id), config.publicUrl);
    const account = await getUser(req.actor!, String(req.params.id));
    req.session.flash = req.t('accounts.reset_sent', { email: account.email });
    res.redirect(303, accountUrl(req));
  });
  router.post('/admin/accounts/:id/tokens/:tokenId/revoke', requireActor, async (req, res) => {
    await revokeApiToken(req.actor!, String(req.params.tokenId));
    req.session.flash = req.t('admin.saved');
    res.redirect(303, accountUrl(req));
  });
}
