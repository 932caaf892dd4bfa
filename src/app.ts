import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import { createBackpressure, useIntakeGate } from './platform/backpressure.js';
import { isDatabaseConnected, pingDatabase } from './platform/db.js';
import { setAssetCaching, vendorFiles } from './platform/assets.js';
import { AppError, errorHandler, notFoundHandler } from './platform/errors.js';
import { languageMiddleware } from './platform/i18n.js';
import { logger } from './platform/logger.js';
import { measureRequests, metricsRoute } from './platform/metrics.js';
import { publicDir } from './platform/paths.js';
import { requestContext } from './platform/request-context.js';
import { csrfProtection, securityHeaders } from './platform/security.js';
import { saveSessionBeforeRedirect, sessionMiddleware } from './platform/session.js';
import { bodyAlwaysPresent } from './platform/validate.js';
import { setupViews } from './platform/views.js';
import { modules } from './modules/index.js';
import { installModules, mountModuleRoutes, useModuleMiddleware } from './platform/modules.js';

/**
 * What citizens file without an account: shed first when the process cannot keep up (platform/backpressure.ts). The
 * complaint and survey forms shed in their own routes (`shedIntakeHere`), where they can show the form again with
 * everything kept.
 */
export const PUBLIC_INTAKE = ['/api/v1/tickets', '/api/v1/surveys'];

/** Body limits: JSON and forms are small; files come through multer with their own limits. */
export const JSON_LIMIT = '100kb';

export interface AppOptions {
  config: Config;
  sessionSecret: string;
  /** The session middleware, when the caller shares it with Socket.IO; built from the secret otherwise. */
  session?: RequestHandler;
}

/** Builds the Express app without listening (tests import this). */
export function createApp({ config, sessionSecret, session }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  installModules(modules, config); // strings and settings, once per process
  app.set('trust proxy', config.trustProxy);
  setupViews(app, config.env === 'production');
  app.use(requestContext); // the client's address for the audit log, without every call site passing it
  app.use(measureRequests); // latency per route pattern for /metrics

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id =
          (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url?.startsWith('/static/') === true },
      // Method and path only: query strings can carry tracking tokens, and headers carry cookies.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders(config));
  // Pages, JSON, CSS and scripts go out compressed (phones on slow 3G); the `compression` filter picks the types.
  app.use(compression());

  // Liveness and readiness come before anything that needs the database.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await pingDatabase();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', database: ready ? 'up' : 'down' });
  });
  // Metrics on the public port only with a bearer token; otherwise they are on METRICS_PORT alone (404 here).
  if (config.metrics.token) app.get('/metrics', metricsRoute(config.metrics.token));
  // The Socket.IO and Chart.js browser files, from their packages.
  for (const [urlPath, file] of Object.entries(vendorFiles))
    app.get(urlPath, (_req, res) => {
      setAssetCaching(res);
      res.sendFile(file, { cacheControl: false });
    });
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));
  app.use(
    '/static',
    express.static(publicDir, { index: false, cacheControl: false, setHeaders: (res) => setAssetCaching(res) }),
  );

  app.use(cookieParser());
  app.use(languageMiddleware);
  // Without a database nothing below can answer truthfully: say so at once (503) instead of hanging.
  app.use((_req, _res, next) => next(isDatabaseConnected() ? undefined : new AppError('unavailable')));
  const backpressure = createBackpressure(config.backpressure);
  useIntakeGate(app.locals, backpressure);
  app.use(backpressure.countInFlight);
  app.use(express.json({ limit: JSON_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: JSON_LIMIT, parameterLimit: 200 }));
  app.use(bodyAlwaysPresent);
  app.use(session ?? sessionMiddleware(config, sessionSecret));
  app.use(saveSessionBeforeRedirect);
  useModuleMiddleware(app, modules); // who is signed in
  app.post(PUBLIC_INTAKE, backpressure.shedIntake);
  app.use(csrfProtection);
  app.use((req, res, next) => {
    res.locals.path = req.path;
    res.locals.flash = req.session.flash;
    if (req.session.flash) delete req.session.flash;
    next();
  });

  mountModuleRoutes(app, modules, config);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
