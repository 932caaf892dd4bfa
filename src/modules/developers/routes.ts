import { Router, type Application, type Request } from 'express';
import type { Config } from '../../config.js';
import { statusOf } from '../../platform/errors.js';
import { openApiDocument, type OpenApiDocument } from '../../platform/openapi.js';
import { describe } from '../../platform/validate.js';
import { referenceOf } from './reference.js';

/** The document is read off the router once per app: routes do not change after start. */
const documents = new WeakMap<Application, OpenApiDocument>();

function documentFor(req: Request, config: Config): OpenApiDocument {
  let document = documents.get(req.app);
  if (!document) {
    document = openApiDocument(req.app, { serverUrl: config.publicUrl });
    documents.set(req.app, document);
  }
  return document;
}

export function developerRoutes(config: Config): Router {
  const router = Router();
  router.get(
    '/api/v1/openapi.json',
    describe({ summary: 'The OpenAPI 3.1 document of this API, generated from its routes and schemas' }),
    (req, res) => {
      res.set('Cache-Control', 'public, max-age=300');
      res.json(documentFor(req, config));
    },
  );
  router.get('/developers/api', (req, res) => {
    res.render('pages/developers/api', {
      title: req.t('developers.title'),
      documentUrl: '/api/v1/openapi.json',
      errorCodes: Object.entries(statusOf).map(([code, status]) => ({ code, status })),
      modules: referenceOf(documentFor(req, config), req.t),
    });
  });
  return router;
}
