import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import mongoose from 'mongoose';
import type { MessageKey } from './i18n.js';
import { logger } from './logger.js';

export type ErrorCode =
  | 'validation'
  | 'too_large'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'locked'
  | 'unavailable'
  | 'overloaded'
  | 'internal';

export const statusOf: Record<ErrorCode, number> = {
  validation: 400,
  too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  locked: 429,
  unavailable: 503,
  overloaded: 503,
  internal: 500,
};

/** Field path → message key (translated when the response is written) or an already translated message. */
export type FieldErrors = Record<string, { key: MessageKey | string; params?: Record<string, unknown> }>;

/** The one error type. Services throw it; the error middleware turns it into the contract's shape. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly messageKey: MessageKey | string = `error.${code}`,
    readonly params: Record<string, unknown> = {},
    readonly fields?: FieldErrors,
  ) {
    super(messageKey);
    this.name = 'AppError';
    this.status = statusOf[code];
  }

  static validation(fields: FieldErrors, messageKey: MessageKey | string = 'error.validation'): AppError {
    return new AppError('validation', messageKey, {}, fields);
  }
}

/** The JSON API, and Open311 GeoReport (an API too, whose clients post forms without a session). */
export function isApiRequest(req: Request): boolean {
  return /^\/(api|open311)(\/|$|\?)/.test(req.originalUrl);
}

/** Errors of the database driver that mean "the database is not reachable now", not "your request is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    /^Mongo(ServerSelection|Network|NotConnected|TopologyClosed|PoolCleared)/.test(error.name) ||
    (error instanceof mongoose.Error &&
      /buffering timed out|before initial connection|Connection .* closed/i.test(error.message))
  );
}

/** Maps anything thrown into an AppError; unknown errors become `internal` and are logged with their stack. */
export function toAppError(error: unknown, req?: Request): AppError {
  if (error instanceof AppError) return error;
  const e = error as { type?: string; status?: number; code?: unknown; name?: string };
  if (e?.type === 'entity.parse.failed') return new AppError('validation', 'error.bad_json');
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE' || e?.code === 'LIMIT_FIELD_VALUE')
    return new AppError('too_large');
  if (e?.name === 'MulterError') {
    const field = (error as { field?: string }).field ?? 'file';
    if (e.code === 'LIMIT_FILE_COUNT' || e.code === 'LIMIT_UNEXPECTED_FILE')
      return AppError.validation({ [field]: { key: 'attachment.too_many' } });
    if (e.code === 'LIMIT_PART_COUNT' || e.code === 'LIMIT_FIELD_COUNT' || e.code === 'LIMIT_FIELD_KEY')
      return new AppError('too_large');
    return new AppError('validation');
  }
  // A broken multipart body (busboy's words): the client's fault, not ours.
  if (
    error instanceof Error &&
    /^(Unexpected end of form|Malformed part header|Multipart: Boundary not found)/.test(error.message)
  )
    return new AppError('validation');
  if (e?.status === 400 || e?.status === 415 || e?.name === 'CastError') return new AppError('validation');
  if ((e as { code?: number })?.code === 11000) return new AppError('conflict');
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error, reqId: req?.id }, 'database unavailable');
    return new AppError('unavailable');
  }
  logger.error({ err: error, reqId: req?.id }, 'unhandled error');
  return new AppError('internal');
}

/** Writes the error: JSON for /api and for clients that ask for JSON, an HTML page otherwise. Never a stack. */
export const errorHandler: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  const appError = toAppError(error, req);
  const translate = req.t ?? ((key: string) => key);
  const message = translate(appError.messageKey, appError.params);
  const fields = appError.fields
    ? Object.fromEntries(Object.entries(appError.fields).map(([path, f]) => [path, translate(f.key, f.params)]))
    : undefined;
  if (appError.code === 'unavailable') res.set('Retry-After', '5');
  if (typeof appError.params.retryAfterSeconds === 'number')
    res.set('Retry-After', String(appError.params.retryAfterSeconds));
  res.status(appError.status);
  if (isApiRequest(req) || (req.accepts(['html', 'json']) === 'json' && !req.accepts('html'))) {
    // A validation error always names its fields, none when the fault is the body as a whole (broken JSON).
    const named = fields ?? (appError.code === 'validation' ? {} : undefined);
    res.json({ error: { code: appError.code, message, ...(named ? { fields: named } : {}) } });
    return;
  }
  res.render('pages/error', { title: translate('error.title'), message, fields, status: appError.status });
};

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new AppError('not_found'));

/** Field errors in the request's language, for re-rendering a form next to what the person typed. */
export function translateFields(req: Request, error: AppError): Record<string, string> {
  return Object.fromEntries(Object.entries(error.fields ?? {}).map(([path, f]) => [path, req.t(f.key, f.params)]));
}
