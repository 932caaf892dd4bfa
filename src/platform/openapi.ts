import type { Application } from 'express';
import Joi from 'joi';
import { requireActor } from './access.js';
import { statusOf, type ErrorCode } from './errors.js';
import { moduleOfRouter } from './modules.js';
import { SESSION_COOKIE } from './session.js';
import { checkedExample, jsonSchemaOf, type JsonSchema } from './json-schema.js';
import { routeDescription, type RouteDescription } from './validate.js';

/**
 * The OpenAPI 3.1 document of the JSON API, read off the live router: every route under /api/v1, the schemas its
 * `validate`/`describe` middleware names (platform/validate.ts), whether it needs someone signed in
 * (`requireActor` in its stack) and the module that mounted it. Nothing here is written twice, so the document
 * follows the routes as they change.
 */

export const API_PREFIX = '/api/v1';
export { exampleOf, jsonSchemaOf, type JsonSchema } from './json-schema.js';

/** One method on one path, as the router has it. */
export interface ApiOperation {
  method: string;
  /** The Express path (`/api/v1/tickets/:code`). */
  route: string;
  /** The same path as OpenAPI writes it (`/api/v1/tickets/{code}`). */
  path: string;
  module: string;
  signedIn: boolean;
  description?: RouteDescription;
}

interface Layer {
  handle: object & { stack?: Layer[]; [routeDescription]?: RouteDescription };
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean>; stack: Layer[] };
}

const joinPath = (base: string, path: string) => (base + (path === '/' ? '' : path)).replace(/\/{2,}/g, '/') || '/';

/**
 * Every method and path under `prefix` the app answers, in mount order: routes of routers nested with
 * `router.use(path, router)` carry their mount path. Several routes on one method and path (a gate before the
 * module's route) make one operation.
 */
export function apiOperations(app: Application, prefix = API_PREFIX): ApiOperation[] {
  const found = new Map<string, ApiOperation>();
  const walk = (stack: Layer[], base: string, module: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as unknown[]).concat(layer.route.path).filter((p): p is string => typeof p === 'string');
        for (const raw of paths) {
          const route = joinPath(base, raw);
          if (route !== prefix && !route.startsWith(`${prefix}/`)) continue;
          for (const method of Object.keys(layer.route.methods)) {
            if (method === '_all') continue;
            const key = `${method} ${route}`;
            const handles = layer.route.stack.map((l) => l.handle);
            const description = handles.find((h) => h[routeDescription]?.summary)?.[routeDescription];
            const earlier = found.get(key);
            found.set(key, {
              method,
              route,
              path: route.replace(/:(\w+)/g, '{$1}'),
              module: earlier && earlier.module !== 'platform' ? earlier.module : module,
              signedIn: Boolean(earlier?.signedIn) || handles.includes(requireActor as object),
              description: description ?? earlier?.description,
            });
          }
        }
      } else if (Array.isArray(layer.handle.stack)) {
        // Express 5 keeps a mount path as the layer's raw path; a mount pattern (an array, a regex) adds nothing.
        const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
        walk(layer.handle.stack, joinPath(base, mount), moduleOfRouter(layer.handle) ?? module);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', 'platform');
  return [...found.values()];
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Joi → JSON Schema 2020-12                                                                                    */

export interface OpenApiOptions {
  /** The address integrators call (config.publicUrl). */
  serverUrl: string;
  version?: string;
}

const errorResponses = {
  ValidationFailed: {
    status: 400,
    description: 'The request does not pass its schema; `fields` names each field with its message.',
    codes: ['validation'],
  },
  Unauthenticated: {
    status: 401,
    description: 'No valid session or API token.',
    codes: ['unauthenticated'],
  },
  Forbidden: {
    status: 403,
    description:
      'The caller may not do this (role, unit), or a session-cookie request lacks its `X-CSRF-Token` header.',
    codes: ['forbidden', 'csrf'],
  },
  NotFound: { status: 404, description: 'No such record, or none the caller may see.', codes: ['not_found'] },
  Conflict: {
    status: 409,
    description:
      'The record changed since it was read (send the current `revision`), exists already, or is not in a state ' +
      'that allows this; an Idempotency-Key reused with another body.',
    codes: ['conflict'],
  },
  TooLarge: { status: 413, description: 'The body or a file is larger than allowed.', codes: ['too_large'] },
  TooManyRequests: {
    status: 429,
    description: 'Too many requests from this client; `Retry-After` says when to try again.',
    codes: ['rate_limited', 'locked'],
  },
  Unavailable: {
    status: 503,
    description: 'The service cannot answer now (database down, overloaded); `Retry-After` says when to retry.',
    codes: ['unavailable', 'overloaded'],
  },
} satisfies Record<string, { status: number; description: string; codes: ErrorCode[] }>;

/** The success answer's schema: the route's own `response` description, or any JSON. */
function successSchema(about: RouteDescription | undefined, produces: string): JsonSchema {
  if (produces !== 'application/json') return { type: 'string' };
  return about?.response ? jsonSchemaOf(about.response) : {};
}

function errorResponse(description: string, codes: ErrorCode[]) {
  return {
    description,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/Error' },
        example: { error: { code: codes[0], message: '…', ...(codes[0] === 'validation' ? { fields: {} } : {}) } },
      },
    },
  };
}

const titleCase = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function operationId(op: ApiOperation): string {
  const words = op.route
    .slice(API_PREFIX.length)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return op.method + words.map(titleCase).join('');
}

/** Query or path schema → OpenAPI parameters, one per key. */
function parametersOf(where: 'query' | 'path', schema: Joi.Schema | undefined, names: string[] = []) {
  const json = schema ? jsonSchemaOf(schema) : { properties: {} };
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  const all = where === 'path' ? [...new Set([...names, ...Object.keys(properties)])] : Object.keys(properties);
  return all.map((name) => {
    const { description, ...rest } = properties[name] ?? { type: 'string' };
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function operationOf(op: ApiOperation) {
  const about = op.description;
  const pathNames = [...op.route.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const parameters = [
    ...parametersOf('path', about?.params, pathNames),
    ...parametersOf('query', about?.query),
    ...(about?.idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
  ];
  const status = String(about?.status ?? 200);
  const produces = about?.produces ?? 'application/json';
  const responses: Record<string, unknown> = {
    [status]:
      status === '204'
        ? { description: 'Done; no content.' }
        : {
            description: status === '201' ? 'Created.' : status === '202' ? 'Accepted.' : 'Done.',
            content: { [produces]: { schema: successSchema(about, produces) } },
          },
  };
  const hasBody = ['post', 'put', 'patch'].includes(op.method);
  const errors: (keyof typeof errorResponses)[] = [
    ...(about?.body || about?.query || about?.params || hasBody ? (['ValidationFailed'] as const) : []),
    ...(op.signedIn ? (['Unauthenticated', 'Forbidden'] as const) : []),
    ...(pathNames.length ? (['NotFound'] as const) : []),
    ...(op.method === 'get' ? [] : (['Conflict'] as const)),
    ...(hasBody ? (['TooLarge'] as const) : []),
    ...(about?.rateLimited ? (['TooManyRequests'] as const) : []),
    'Unavailable',
  ];
  for (const name of errors) responses[errorResponses[name].status] = { $ref: `#/components/responses/${name}` };

  const operation: Record<string, unknown> = {
    operationId: operationId(op),
    summary: about?.summary || `${op.method.toUpperCase()} ${op.path}`,
    ...(about?.description ? { description: about.description } : {}),
    tags: [op.module],
    security: op.signedIn ? [{ sessionCookie: [] }, { apiToken: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
  };
  if (about?.body) {
    const schema = jsonSchemaOf(about.body);
    const example = checkedExample(about.body, schema);
    const media = { schema, ...(example !== undefined ? { example } : {}) };
    operation.requestBody = {
      required: true,
      content: Object.fromEntries((about.bodyTypes ?? ['application/json']).map((type) => [type, media])),
    };
  }
  operation.responses = responses;
  // A route nobody described yet is still in the document, marked so its test can name it.
  if (!about?.summary) operation['x-undescribed'] = true;
  return operation;
}

/** The OpenAPI 3.1 document of every JSON route the app serves under /api/v1. */
export function openApiDocument(app: Application, options: OpenApiOptions) {
  const operations = apiOperations(app);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationOf(op);
  const tags = [...new Set(operations.map((op) => op.module))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Suara API',
      version: options.version ?? '1',
      description:
        'The JSON API of Suara: complaints, compliments and SKM surveys, the staff inbox, and coaching records. ' +
        'Errors always have the shape `{ "error": { "code", "message", "fields"? } }`, with the message in the ' +
        'language of the request (`?lang=`, the `lang` cookie, or Accept-Language).',
    },
    servers: [{ url: options.serverUrl.replace(/\/$/, '') }],
    tags,
    paths,
    components: {
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            'The session of a signed-in person (POST /api/v1/auth/login). A request that changes something also ' +
            'sends the session’s CSRF token in the `X-CSRF-Token` header.',
        },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token made at /account/tokens: `Authorization: Bearer <secret>`. It acts with one role of its ' +
            'owner’s and needs no CSRF token.',
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'A key of your choosing (8–128 letters, digits, `.`, `:`, `-`, `_`): a repeat with the same key answers ' +
            'with the first result instead of filing again.',
          schema: { type: 'string', pattern: '^[\\w.:-]{8,128}$' },
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { enum: Object.keys(statusOf) },
                message: { type: 'string', description: 'In the language of the request.' },
                fields: {
                  type: 'object',
                  description: 'On validation errors: the dotted path of each field in error → its message.',
                  additionalProperties: { type: 'string' },
                },
              },
            },
          },
        },
      },
      responses: Object.fromEntries(
        Object.entries(errorResponses).map(([name, r]) => [name, errorResponse(r.description, [...r.codes])]),
      ),
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** The body of a CSV import: one file, sent as multipart/form-data. */
export const csvFileBody = Joi.object({
  file: Joi.binary().required().description('The CSV file (UTF-8, with a header row)'),
});
