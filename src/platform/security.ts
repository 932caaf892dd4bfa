import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Store, type IncrementResponse, type Options } from 'express-rate-limit';
import helmet from 'helmet';
import mongoose, { Schema } from 'mongoose';
import type { Config } from '../config.js';
import { lookupHash } from './crypto.js';
import { AppError, isApiRequest } from './errors.js';
import { logger } from './logger.js';

/** Security headers; the CSP allows no inline script, so pages work with the small files under /public only. */
export function securityHeaders(config: Config): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    strictTransportSecurity: config.publicUrl.startsWith('https:'),
  });
}

export function csrfTokenFor(session: { csrfToken?: string }): string {
  session.csrfToken ??= randomBytes(24).toString('base64url');
  return session.csrfToken;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection (synchronizer token). A state change needs the session's token — in `X-CSRF-Token` or a form's
 * `_csrf` field — when the request rides on a signed-in session cookie, and for every post of one of our pages'
 * forms. Requests authenticated by an API token (Authorization header) and anonymous calls to the public API
 * (JSON or multipart) carry no ambient authority, so they need none.
 */
export const csrfProtection: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method) || req.apiToken) return next();
  const isPageForm =
    req.is(['application/x-www-form-urlencoded', 'multipart/form-data']) !== false && !isApiRequest(req);
  const ridesOnSession = Boolean(req.session?.userId);
  if (!isPageForm && !ridesOnSession) return next();
  const expected = req.session?.csrfToken;
  const body = req.body as Record<string, unknown> | undefined;
  // Multipart bodies are parsed later (by the route's upload handler), so their forms carry the token in the URL.
  const fromQuery = req.is('multipart/form-data') && typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
  const sent = req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : fromQuery);
  if (!expected || !sent || !sameToken(expected, sent)) return next(new AppError('csrf'));
  next();
};

/** Rate-limit counters in the database, so that the limit holds across processes (fixed windows, TTL-cleaned). */
const counterSchema = new Schema(
  { _id: String, hits: Number, expiresAt: { type: Date, index: { expires: 0 } } },
  { versionKey: false, collection: 'rate_limits' },
);
const RateCounter = mongoose.model('RateCounter', counterSchema);

/**
 * Counter increments with group commit: those that arrive while a write is in flight go together in the next, as one
 * unordered bulk of `$inc` upserts and one read of the counts, two round trips for the group instead of one each.
 * Callers of the same counter in one group get consecutive counts, as they would have one at a time.
 */
class GroupedCounterHits {
  private waiting: {
    id: string;
    expiresAt: Date;
    resolve: (hits: number) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private writing = false;

  add(id: string, expiresAt: Date): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, expiresAt, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, 500);
      try {
        const hits = await this.write(batch);
        const seen = new Map<string, number>();
        const callers = new Map<string, number>();
        for (const entry of batch) callers.set(entry.id, (callers.get(entry.id) ?? 0) + 1);
        for (const entry of batch) {
          const before = seen.get(entry.id) ?? 0;
          seen.set(entry.id, before + 1);
          entry.resolve((hits.get(entry.id) ?? callers.get(entry.id)!) - callers.get(entry.id)! + before + 1);
        }
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.writing = false;
  }

  private async write(batch: { id: string; expiresAt: Date }[]): Promise<Map<string, number>> {
    const increments = new Map<string, { by: number; expiresAt: Date }>();
    for (const { id, expiresAt } of batch) {
      const known = increments.get(id);
      if (known) known.by++;
      else increments.set(id, { by: 1, expiresAt });
    }
    const updates = [...increments].map(([id, { by, expiresAt }]) => ({
      updateOne: {
        filter: { _id: id },
        update: { $inc: { hits: by }, $setOnInsert: { expiresAt } },
        upsert: true,
      },
    }));
    await RateCounter.collection.bulkWrite(updates as never[], { ordered: false }).catch(async (error: unknown) => {
      // Two first hits of a window raced on the upsert (another process): those that lost go again, once.
      const failed = (error as { writeErrors?: { code?: number; index: number }[] }).writeErrors;
      if (!failed?.length || failed.some((failure) => failure.code !== 11000)) throw error;
      await RateCounter.collection.bulkWrite(failed.map((failure) => updates[failure.index]!) as never[], {
        ordered: false,
      });
    });
    const counters = await RateCounter.collection
      .find({ _id: { $in: [...increments.keys()] } } as never, { projection: { hits: 1 } })
      .toArray();
    return new Map(counters.map((counter) => [String(counter._id), Number(counter.hits)]));
  }
}

const counterHits = new GroupedCounterHits();

class DatabaseRateStore implements Store {
  private windowMs = 60_000;
  constructor(readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private window(key: string) {
    const start = Math.floor(Date.now() / this.windowMs) * this.windowMs;
    return { id: `${this.prefix}:${key}:${start}`, resetTime: new Date(start + this.windowMs) };
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { id, resetTime } = this.window(key);
    return { totalHits: await counterHits.add(id, resetTime), resetTime };
  }

  async decrement(key: string): Promise<void> {
    await RateCounter.updateOne({ _id: this.window(key).id }, { $inc: { hits: -1 } });
  }

  async resetKey(key: string): Promise<void> {
    await RateCounter.deleteOne({ _id: this.window(key).id });
  }
}

/** A named rate limit; too many requests → 429 through the one error path, in the user's language. */
export function rateLimiter(
  name: string,
  limit: number,
  windowMs: number,
  keyOrOptions:
    | ((req: Request) => string)
    | {
        key?: (req: Request) => string;
        skip?: (req: Request) => boolean;
        /** Which finished requests stay counted (e.g. only accepted submissions); all of them when unset. */
        counts?: (req: Request, res: Response) => boolean;
      } = {},
): RequestHandler {
  const options = typeof keyOrOptions === 'function' ? { key: keyOrOptions } : keyOrOptions;
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new DatabaseRateStore(name),
    // If the counter store is unreachable the request goes on: it needs the database anyway and will get its
    // own 503, so failing open here loses no protection that matters.
    passOnStoreError: true,
    // The library's own complaints (a store error, a counter taken back after the database left) go to our log.
    logger: {
      error: (err, message) => logger.warn({ err, limit: name }, message ?? 'rate limiter error'),
      warn: (err, message) => logger.warn({ err, limit: name }, message ?? 'rate limiter warning'),
    },
    keyGenerator: options.key,
    skip: options.skip,
    // Every request counts while it runs; one that `counts` rejects is taken back when its response ends.
    skipFailedRequests: Boolean(options.counts),
    ...(options.counts ? { requestWasSuccessful: options.counts } : {}),
    // Our keys go through addressKey(), which applies ipKeyGenerator; the library's source check can't see that.
    validate: { keyGeneratorIpFallback: false },
    handler: (req, _res, next) => {
      const resetAt = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfterSeconds = resetAt ? Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000)) : 60;
      next(new AppError('rate_limited', 'error.rate_limited', { retryAfterSeconds }));
    },
  });
}

/**
 * The client's network address as evidence and as a rate-limit key: a keyed hash (never the address itself), of
 * the IPv6 /56 prefix rather than one address, so rotating through a subnet does not escape a limit.
 */
export function addressKey(ip: string): string {
  return lookupHash(`ip:${ipKeyGenerator(ip)}`);
}

export const clientAddressKey = (req: Request): string => addressKey(req.ip ?? '');
