import type { RequestHandler } from 'express';
import Joi from 'joi';
import { AppError, type FieldErrors } from './errors.js';

/** Joi error type → our message key and the Joi context values it uses. */
const keyByType: Record<string, string> = {
  'any.required': 'validation.required',
  'string.empty': 'validation.required',
  'any.only': 'validation.one_of',
  'any.invalid': 'validation.invalid',
  'string.base': 'validation.string',
  'number.base': 'validation.number',
  'number.integer': 'validation.integer',
  'boolean.base': 'validation.boolean',
  'string.min': 'validation.min_length',
  'string.max': 'validation.max_length',
  'number.min': 'validation.min',
  'number.max': 'validation.max',
  'array.max': 'validation.max',
  'array.min': 'validation.min',
  'string.email': 'validation.email',
  'string.pattern.base': 'validation.pattern',
  'string.pattern.name': 'validation.pattern',
  'object.unknown': 'validation.unknown',
  'object.base': 'validation.object',
  'array.base': 'validation.array',
};

/**
 * A form checkbox that defaults to on: a hidden "0" placed before the box makes an unchecked box say so, and a checked
 * one then sends the field twice ("0", "1"), so the last value wins. Plain "1"/"0", "on", "true"/"false" also pass.
 */
const checkboxJoi = Joi.extend((joi) => ({
  type: 'checkbox',
  base: joi.boolean().truthy('1', 'on', 'true', 'yes').falsy('0', 'off', 'false', 'no', ''),
  prepare: (value: unknown) => (Array.isArray(value) && value.length ? { value: value[value.length - 1] } : undefined),
}));

export function checkbox(defaultValue: boolean): Joi.BooleanSchema {
  return (checkboxJoi as unknown as { checkbox(): Joi.BooleanSchema }).checkbox().default(defaultValue);
}

/** Turns a Joi error into field errors keyed by dotted path; a custom `nip.*`-style message key passes through. */
export function fieldErrorsFrom(error: Joi.ValidationError): FieldErrors {
  const fields: FieldErrors = {};
  for (const detail of error.details) {
    const path = detail.path.join('.') || '_';
    if (fields[path]) continue;
    // A schema may name its own message key, via .custom() throwing Error('nip.length') or .messages({...: 'key'}).
    const custom =
      detail.type === 'any.custom'
        ? (detail.context?.error as Error | undefined)?.message
        : /^[a-z_]+\.[a-z_.]+$/.test(detail.message)
          ? detail.message
          : undefined;
    const key = custom ?? keyByType[detail.type] ?? 'validation.invalid';
    const ctx = detail.context ?? {};
    fields[path] = {
      key,
      params: { limit: ctx.limit, valids: Array.isArray(ctx.valids) ? ctx.valids.join(', ') : '' },
    };
  }
  return fields;
}

const options: Joi.ValidationOptions = { abortEarly: false, stripUnknown: true, convert: true };

/** A value checked against a schema: the converted value, and the field errors when it does not pass. */
function checked<T>(schema: Joi.Schema<T>, value: unknown): { value: T; fields?: FieldErrors } {
  // A missing body checked against an object schema is an empty one, so the answer names the required fields.
  const subject = value === undefined && schema.type === 'object' ? {} : value;
  const { value: result, error } = schema.validate(subject, options);
  return error ? { value: result as T, fields: fieldErrorsFrom(error) } : { value: result as T };
}

/** Validates a value against a schema or throws AppError('validation'); unknown keys are stripped. */
export function check<T>(schema: Joi.Schema<T>, value: unknown): T {
  const { value: result, fields } = checked(schema, value);
  if (fields) throw AppError.validation(fields);
  return result;
}

/**
 * An object that multipart bodies carry as JSON text (`reporter={"name":…}`): the text is parsed before the keys
 * are checked, and text that is not JSON fails as "must be an object" like any other wrong type.
 */
const withJsonObjects: Joi.Root = Joi.extend({
  type: 'object',
  base: Joi.object(),
  coerce: {
    from: 'string',
    method(value: string) {
      try {
        return { value: JSON.parse(value) as unknown };
      } catch {
        return { value };
      }
    },
  },
});
export const jsonObject = (keys?: Joi.PartialSchemaMap): Joi.ObjectSchema => withJsonObjects.object(keys);

/** Every request has a body to read: Express 5 leaves it undefined when no parser took the request. */
export const bodyAlwaysPresent: RequestHandler = (req, _res, next) => {
  req.body ??= {};
  next();
};

type Part = 'body' | 'query' | 'params';

/**
 * What a JSON route tells integrators about itself: the OpenAPI document (platform/openapi.ts) is read off these,
 * so a route describes itself where it is declared and the document cannot drift from the router.
 */
export interface RouteDescription extends Partial<Record<Part, Joi.Schema>> {
  /** A short English sentence: what the operation does. */
  summary: string;
  description?: string;
  /** The success status when it is not 200 (201 for a creation). */
  status?: number;
  /** Media types of the body when it is not only JSON (a file upload takes multipart/form-data). */
  bodyTypes?: string[];
  /** The route honours an `Idempotency-Key` header: a repeat answers with the first result. */
  idempotent?: boolean;
  /** The route answers 429 when a client sends too much. */
  rateLimited?: boolean;
  /** The success answer's shape, for the document only (the use case builds it). */
  response?: Joi.Schema;
  /** The success answer is not JSON (a CSV, a PDF): its media type. */
  produces?: string;
}

/** The property a described route's middleware carries its description under. */
export const routeDescription = Symbol('routeDescription');

export type DescribedHandler = RequestHandler & { [routeDescription]: RouteDescription };

function describedBy(handler: RequestHandler, about: RouteDescription): DescribedHandler {
  return Object.assign(handler, { [routeDescription]: about });
}

/**
 * `check` as route middleware, for routes that validate before their use case: each part is replaced by its
 * validated, converted value (for `query`, which Express 5 makes read-only, the result goes to
 * `res.locals.query`). Use cases called from more than one place (API, page, live) check their own input with
 * `check`, so that the rule lives with the use case; their routes name the same schemas with `describe`.
 * With a summary (the second argument) the middleware also describes its route in the API document.
 */
export function validate(
  schemas: Partial<Record<Part, Joi.Schema>>,
  about?: Omit<RouteDescription, Part>,
): DescribedHandler {
  const handler: RequestHandler = (req, res, next) => {
    const fields: FieldErrors = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const { value, fields: problems } = checked(schema, req[part] ?? {});
      if (problems) Object.assign(fields, problems);
      else if (part === 'query') res.locals.query = value;
      else req[part] = value;
    }
    if (Object.keys(fields).length) return next(AppError.validation(fields));
    next();
  };
  return describedBy(handler, { summary: '', ...about, ...schemas });
}

/**
 * Describes a JSON route whose use case checks its own input (with `check`, against the schemas named here): the
 * description goes into the API document and the request passes on untouched.
 */
export function describe(about: RouteDescription): DescribedHandler {
  return describedBy((_req, _res, next) => next(), about);
}
