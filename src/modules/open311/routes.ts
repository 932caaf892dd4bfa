import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import Joi from 'joi';
import type { Config } from '../../config.js';
import type { Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { lookupHash } from '../../platform/crypto.js';
import { AppError, toAppError } from '../../platform/errors.js';
import { clientAddressKey, rateLimiter } from '../../platform/security.js';
import { fieldErrorsFrom } from '../../platform/validate.js';
import { actorForApiToken } from '../accounts/index.js';
import {
  activeCategories,
  fileTicket,
  normaliseTrackingCode,
  publicRequest,
  publicRequests,
  type PublicRequest,
} from '../feedback/index.js';
import { findUnitByCode, listPublicUnits } from '../directory/index.js';
import {
  findService,
  defaultKindOf,
  parseServiceCode,
  serviceCodeOf,
  serviceDefinition,
  serviceList,
} from './services.js';
import { xmlDocument } from './xml.js';

/**
 * Open311 GeoReport v2 (docs/open311.md): the service catalogue, filing a request with an API token, and reading
 * public requests, in JSON or XML by the path's extension. Errors keep the specification's shape: a list of
 * `{code, description}` with the HTTP status.
 */

const MINUTE = 60_000;
const DAY_MS = 24 * 3600 * 1000;
const MAX_REQUESTS = 1000;
const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';

type Format = 'json' | 'xml';

/** A GeoReport error: the status and the spec's list of errors. */
class Open311Error extends Error {
  constructor(
    readonly status: number,
    readonly errors: { code: number; description: string }[],
  ) {
    super(errors[0]?.description ?? 'error');
  }
}

const refuse = (req: Request, status: number, key: string, params: Record<string, unknown> = {}) =>
  new Open311Error(status, [{ code: status, description: req.t(key, params) }]);

/** `name.json` or `name.xml` → the name and the format; anything else is not a GeoReport resource. */
function resourceOf(file: unknown): { name: string; format: Format } | null {
  const match = typeof file === 'string' ? /^(.+)\.(json|xml)$/.exec(file) : null;
  return match ? { name: match[1]!, format: match[2] as Format } : null;
}

const formatOf = (req: Request): Format => (/\.xml(\?|$)/.test(req.originalUrl) ? 'xml' : 'json');

/** Writes a GeoReport answer: lists and objects as JSON, or under the root element the spec names. */
function answer(res: Response, format: Format, root: string, body: unknown, status = 200) {
  res.status(status);
  if (format === 'json') return res.json(body);
  res.type('text/xml; charset=utf-8').send(xmlDocument(root, body));
}

// ---------------------------------------------------------------------------------------------------------------
// Reading requests

const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function dateParam(req: Request, name: string): Date | undefined {
  const value = req.query[name];
  if (value === undefined || value === '') return undefined;
  const date = typeof value === 'string' && isoDate.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime()))
    throw refuse(req, 400, 'open311.bad_parameter', { name, problem: req.t('open311.bad_date') });
  return date;
}

/** A comma-separated list parameter (or the same parameter repeated). */
function listParam(req: Request, name: string): string[] | undefined {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).filter((value): value is string => typeof value === 'string');
  return values
    .join(',')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
}

/** The filters of GET requests: ids (which make the others moot), service codes, dates, open or closed. */
function requestQuery(req: Request) {
  const now = new Date();
  const ids = listParam(req, 'service_request_id');
  if (ids && ids.length > MAX_REQUESTS)
    throw refuse(req, 400, 'open311.bad_parameter', {
      name: 'service_request_id',
      problem: req.t('open311.too_many_ids'),
    });
  if (ids) {
    // An id that is no tracking code matches nothing, like an unknown one.
    const codes = ids.map((id) => normaliseTrackingCode(id)).filter((code): code is string => code !== null);
    return { codes, from: new Date(0), to: now, limit: MAX_REQUESTS };
  }
  const codes = listParam(req, 'service_code');
  const services = codes?.map((code) => {
    const parsed = parseServiceCode(code);
    if (!parsed) throw refuse(req, 404, 'open311.service_unknown', { code });
    return parsed;
  });
  const statuses = listParam(req, 'status');
  if (statuses?.some((status) => status !== 'open' && status !== 'closed'))
    throw refuse(req, 400, 'open311.bad_parameter', { name: 'status', problem: req.t('open311.bad_status') });
  const state = statuses && new Set(statuses).size === 1 ? (statuses[0] as 'open' | 'closed') : undefined;
  const end = dateParam(req, 'end_date');
  const start = dateParam(req, 'start_date');
  if (start && end && start > end)
    throw refuse(req, 400, 'open311.bad_parameter', { name: 'start_date', problem: req.t('open311.bad_range') });
  // The spec's default: the last 90 days, at most 1000 requests.
  const to = end ?? (start ? new Date(start.getTime() + 90 * DAY_MS) : now);
  const from = start ?? new Date(to.getTime() - 90 * DAY_MS);
  return { services, from, to, state, limit: MAX_REQUESTS };
}

/** Names for requests: the unit responsible and the category, in the reader's language. */
async function namesFor(req: Request) {
  const [units, categories] = await Promise.all([listPublicUnits(), activeCategories()]);
  const unitName = new Map(units.map((unit) => [unit.code, unit.name]));
  const categoryName = new Map(categories.map((category) => [category.code, category.name?.[req.lang]]));
  return { unitName, categoryName };
}

function requestView(req: Request, request: PublicRequest, names: Awaited<ReturnType<typeof namesFor>>) {
  const category = request.category ?? 'other';
  return {
    service_request_id: request.code,
    status: request.open ? 'open' : 'closed',
    status_notes:
      request.description === null ? req.t('open311.awaiting_moderation') : req.t(`feedback.status.${request.status}`),
    service_name: names.categoryName.get(category) ?? category,
    service_code: serviceCodeOf(request.unitCode, category),
    description: request.description ?? '',
    agency_responsible: names.unitName.get(request.unitCode) ?? request.unitCode,
    service_notice: null,
    requested_datetime: request.createdAt,
    updated_datetime: request.updatedAt,
    expected_datetime: request.open ? request.dueAt : null,
    address: null,
    address_id: null,
    zipcode: null,
    lat: null,
    long: null,
    media_url: null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Filing a request

/** The standard fields of POST requests; anything else (jurisdiction_id, attribute[…]) is read separately. */
const postFields = Joi.object({
  api_key: Joi.string().max(200).allow(''),
  service_code: Joi.string().trim().max(100).allow(''),
  lat: Joi.number().min(-90).max(90),
  long: Joi.number().min(-180).max(180),
  address_string: Joi.string().max(500).allow(''),
  address_id: Joi.string().max(100).allow(''),
  email: Joi.string().max(200).allow(''),
  device_id: Joi.string().max(200).allow(''),
  account_id: Joi.string().max(200).allow(''),
  first_name: Joi.string().trim().max(100).allow(''),
  last_name: Joi.string().trim().max(100).allow(''),
  phone: Joi.string().max(40).allow(''),
  description: Joi.string().max(4000).allow(''),
  media_url: Joi.string().max(2000).allow(''),
}).unknown(true);

/** Our intake's field names → the GeoReport parameter a client sent. */
const parameterOf: Record<string, string> = {
  unitCode: 'service_code',
  category: 'service_code',
  kind: 'attribute[kind]',
  privacy: 'attribute[privacy]',
  occurredAt: 'attribute[occurred_at]',
  description: 'description',
  'reporter.name': 'first_name',
  'reporter.email': 'email',
  'reporter.phone': 'phone',
};

/** A refused field list as the spec's 400 errors, one per parameter, in the reader's language. */
function badParameters(req: Request, fields: NonNullable<AppError['fields']>): Open311Error {
  return new Open311Error(
    400,
    Object.entries(fields).map(([path, field]) => ({
      code: 400,
      description: req.t('open311.bad_parameter', {
        name: parameterOf[path] ?? path,
        problem: req.t(field.key, field.params),
      }),
    })),
  );
}

/** The holder of the `api_key` (form field or query): asked first, so that a caller without one learns nothing else. */
async function keyHolder(req: Request): Promise<Actor> {
  const body = req.body as Record<string, unknown>;
  const key = typeof body.api_key === 'string' ? body.api_key : req.query.api_key;
  if (typeof key !== 'string' || key === '') throw refuse(req, 400, 'open311.api_key_missing');
  const actor = await actorForApiToken(key);
  if (!actor) throw refuse(req, 403, 'open311.api_key_invalid');
  return actor;
}

/** A token acts with its one grant: it files for the units of that grant's subtree only. */
function assertMayFileAt(req: Request, actor: Actor, unitPath: string[], unitCode: string): void {
  const allowed = actor.grants.some((grant) => grant.unitId === null || unitPath.includes(grant.unitId));
  if (!allowed) throw refuse(req, 403, 'open311.api_key_scope', { unit: unitCode });
}

const attribute = (body: Record<string, unknown>, code: string) => {
  const value = body[`attribute[${code}]`] ?? (body.attribute as Record<string, unknown> | undefined)?.[code];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

function fileRequest(config: Config) {
  return async (req: Request, res: Response) => {
    const format = formatOf(req);
    const actor = await keyHolder(req);
    const { value, error } = postFields.validate(req.body, { abortEarly: false, convert: true });
    if (error) throw badParameters(req, fieldErrorsFrom(error));
    const body = value as Record<string, unknown>;
    const code = typeof body.service_code === 'string' ? body.service_code : '';
    if (!code) throw refuse(req, 400, 'open311.service_code_missing');
    const found = await findService(code);
    if (!found) throw refuse(req, 404, 'open311.service_unknown', { code });
    const { unit, category } = found;
    const unitDoc = await findUnitByCode(unit.code);
    assertMayFileAt(req, actor, (unitDoc?.path ?? []).map(String), unit.code);
    const name = [body.first_name, body.last_name].filter((part) => typeof part === 'string' && part).join(' ');
    const input = {
      kind: attribute(body, 'kind') ?? defaultKindOf(category),
      unitCode: unit.code,
      category: category.code,
      description: body.description ?? '',
      occurredAt: attribute(body, 'occurred_at') ?? null,
      privacy: attribute(body, 'privacy') ?? 'public',
      reporter: { name, email: body.email ?? '', phone: body.phone ?? '' },
      // The client application asked the citizen; the spec has no consent field.
      consent: true,
    };
    try {
      const receipt = await fileTicket(input, {
        lang: req.lang,
        publicUrl: config.publicUrl,
        channel: 'open311',
        ipHash: clientAddressKey(req),
      });
      await recordAudit(actor, 'open311.request', receipt.code, { serviceCode: code }, null, {
        unitPath: unitDoc?.path ?? [],
      });
      answer(
        res,
        format,
        'service_requests',
        [{ service_request_id: receipt.code, service_notice: req.t('open311.notice'), account_id: null }],
        201,
      );
    } catch (failure) {
      if (failure instanceof AppError && failure.code === 'validation' && failure.fields)
        throw badParameters(req, failure.fields);
      throw failure;
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Every error under /open311/v2 in the spec's shape and the format the path asked for. */
const open311Errors: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  const format = formatOf(req);
  if (error instanceof Open311Error) return answer(res, format, 'errors', error.errors, error.status);
  const appError = toAppError(error, req);
  if (appError.fields && appError.code === 'validation') {
    const refused = badParameters(req, appError.fields);
    return answer(res, format, 'errors', refused.errors, 400);
  }
  if (typeof appError.params.retryAfterSeconds === 'number')
    res.set('Retry-After', String(appError.params.retryAfterSeconds));
  answer(
    res,
    format,
    'errors',
    [{ code: appError.status, description: req.t(appError.messageKey, appError.params) }],
    appError.status,
  );
};

export function open311Routes(config: Config): Router {
  const router = Router();
  const base = `${config.publicUrl}/open311/v2`;
  // Integrations file on behalf of many citizens: the limit is per API key, generous, and only counts accepted ones.
  const filingLimit = rateLimiter('open311-file', 600, 10 * MINUTE, {
    key: (req) => {
      const key = (req.body as Record<string, unknown>).api_key ?? req.query.api_key;
      return typeof key === 'string' ? lookupHash(`open311:${key}`) : clientAddressKey(req);
    },
    counts: (_req, res) => res.statusCode === 201,
  });
  const readLimit = rateLimiter('open311-read', 600, 10 * MINUTE, clientAddressKey);

  router.get('/open311/v2/:file', readLimit, async (req, res) => {
    const resource = resourceOf(req.params.file);
    if (!resource) throw refuse(req, 404, 'open311.not_found');
    const { name, format } = resource;
    if (name === 'discovery') {
      const changeset = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
      return answer(res, format, 'discovery', {
        changeset,
        contact: req.t('open311.contact'),
        key_service: req.t('open311.key_service'),
        endpoints: [
          {
            specification: SPECIFICATION,
            url: base,
            changeset,
            type: 'production',
            formats: ['text/xml', 'application/json'],
          },
        ],
      });
    }
    if (name === 'services') {
      const jurisdiction = typeof req.query.jurisdiction_id === 'string' ? req.query.jurisdiction_id.toUpperCase() : '';
      return answer(res, format, 'services', await serviceList(req.lang, jurisdiction || undefined));
    }
    if (name === 'requests') {
      const [requests, names] = await Promise.all([publicRequests(requestQuery(req)), namesFor(req)]);
      return answer(
        res,
        format,
        'service_requests',
        requests.map((request) => requestView(req, request, names)),
      );
    }
    throw refuse(req, 404, 'open311.not_found');
  });

  router.get('/open311/v2/services/:file', readLimit, async (req, res) => {
    const resource = resourceOf(req.params.file);
    if (!resource) throw refuse(req, 404, 'open311.not_found');
    const found = await findService(resource.name);
    if (!found) throw refuse(req, 404, 'open311.service_unknown', { code: resource.name });
    answer(res, resource.format, 'service_definition', serviceDefinition(resource.name, found.category, req.lang));
  });

  router.get('/open311/v2/requests/:file', readLimit, async (req, res) => {
    const resource = resourceOf(req.params.file);
    if (!resource) throw refuse(req, 404, 'open311.not_found');
    const code = normaliseTrackingCode(resource.name);
    const request = code ? await publicRequest(code) : null;
    if (!request) throw refuse(req, 404, 'open311.request_unknown', { code: resource.name });
    answer(res, resource.format, 'service_requests', [requestView(req, request, await namesFor(req))]);
  });

  // A request's id is known as soon as it is filed, so a token is its id: this answers for clients that ask anyway.
  router.get('/open311/v2/tokens/:file', readLimit, async (req, res) => {
    const resource = resourceOf(req.params.file);
    if (!resource) throw refuse(req, 404, 'open311.not_found');
    const code = normaliseTrackingCode(resource.name);
    const request = code ? await publicRequest(code) : null;
    if (!request) throw refuse(req, 404, 'open311.request_unknown', { code: resource.name });
    answer(res, resource.format, 'service_requests', [{ service_request_id: request.code, token: request.code }]);
  });

  const file = fileRequest(config);
  router.post('/open311/v2/:file', filingLimit, async (req, res) => {
    const resource = resourceOf(req.params.file);
    if (!resource || resource.name !== 'requests') throw refuse(req, 404, 'open311.not_found');
    await file(req, res);
  });

  router.use('/open311', (req, _res, next) => next(refuse(req, 404, 'open311.not_found')));
  router.use('/open311', open311Errors);
  return router;
}
