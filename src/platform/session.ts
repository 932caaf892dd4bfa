import type { NextFunction, Request, Response } from 'express';
import session, { Store, type SessionData } from 'express-session';
import mongoose, { Schema } from 'mongoose';
import type { Config } from '../config.js';
import { countWrites, keptLookups } from './shared-answers.js';

/** Sessions live in the database so that any process behind the load balancer can serve any request. */
const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: String, required: true },
    // Whose session it is, so that disabling an account or resetting its password can end them all.
    userId: { type: String, default: null, index: true },
    // TTL: the server removes a session once it has expired.
    expiresAt: { type: Date, required: true, index: { expires: 0 } },
  },
  { versionKey: false, collection: 'sessions' },
);
const sessionWrites = countWrites(sessionSchema);
const SessionModel = mongoose.model('Session', sessionSchema);
/** Sessions by id, read on every signed-in request (see LOOKUP_TTL_MS for how another process's change shows). */
const sessionLookups = keptLookups<{ data: string; expiresAt: Date } | null>(sessionWrites, 10_000);

const DAY_MS = 24 * 3600 * 1000;
const TOUCH_EVERY_MS = 60_000;

/**
 * The clock of the touch throttle below. A test moves it on to play a minute passing: moving `Date.now` itself also
 * moves the database driver's liveness check (Mongoose reports the connection lost when its last heartbeat looks over 4 s
 * old), and every request then gets 503.
 */
export const sessionClock = { now: (): number => Date.now() };

class MongoSessionStore extends Store {
  private expiry(sess: SessionData): Date {
    return sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + DAY_MS);
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    sessionLookups
      .get(sid, () => SessionModel.findOne({ _id: sid }).lean<{ data: string; expiresAt: Date }>())
      .then(
        // An expired session the TTL monitor has not removed yet is no session.
        (doc) => callback(null, doc && doc.expiresAt > new Date() ? (JSON.parse(doc.data) as SessionData) : null),
        callback,
      );
  }

  override set(sid: string, sess: SessionData, callback?: (err?: unknown) => void): void {
    this.touched.set(sid, sessionClock.now()); // a save moves the expiry too
    SessionModel.updateOne(
      { _id: sid },
      { $set: { data: JSON.stringify(sess), expiresAt: this.expiry(sess), userId: sess.userId ?? null } },
      { upsert: true },
    ).then(() => callback?.(), callback);
  }

  /** When this process last moved each session's expiry (sid → ms): see touch. */
  private readonly touched = new Map<string, number>();

  /**
   * Moves the session's expiry on (the cookie rolls with every response). At most once a minute per session and
   * process: a signed-in dashboard makes many requests a minute and each touch is a durable write, while eight hours
   * of idle time ending up to a minute early changes nothing for anyone. A failed touch is not retried: the
   * session then ends when its stored expiry says, and the next touch after the minute moves it.
   */
  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    const now = sessionClock.now();
    const last = this.touched.get(sid);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return callback?.();
    this.touched.set(sid, now);
    if (this.touched.size > 10_000)
      for (const [key, at] of this.touched) if (now - at >= TOUCH_EVERY_MS) this.touched.delete(key);
    SessionModel.updateOne({ _id: sid }, { $set: { expiresAt: this.expiry(sess) } }).then(
      () => callback?.(),
      () => callback?.(),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.touched.delete(sid);
    SessionModel.deleteOne({ _id: sid }).then(() => callback?.(), callback);
  }
}

/**
 * Ends every session of an account (but `keep`, the caller's own, when given), on every process: the documents go,
 * and this process forgets its kept copies at once (the delete is a counted write).
 */
export async function endSessionsOf(userId: string, keep?: string): Promise<number> {
  const filter = keep ? { userId, _id: { $ne: keep } } : { userId };
  const { deletedCount } = await SessionModel.deleteMany(filter);
  return deletedCount;
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    csrfToken?: string;
    flash?: string;
  }
}

export const SESSION_COOKIE = 'suara.sid';

export function sessionMiddleware(config: Config, secret: string) {
  return session({
    name: SESSION_COOKIE,
    secret,
    store: new MongoSessionStore(),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.publicUrl.startsWith('https:'),
      maxAge: 8 * 3600 * 1000,
    },
  });
}

/** What express-session compares to tell a changed session: everything but the cookie. */
const contents = (sess: SessionData | undefined) =>
  JSON.stringify(sess ?? null, (key, value: unknown) => (key === 'cookie' ? undefined : value));

/**
 * Saves a changed session before a redirect goes out (mounted after the session middleware). express-session sends
 * a response's headers before its own save has finished, and a browser follows a 303 on its headers: on a loaded
 * machine the next page was read from the session as it was before, so a sign-in landed back on the sign-in page
 * and a saved form lost its "Saved." note.
 */
export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const loadedId = req.sessionID;
  const loaded = contents(req.session);
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session || (req.sessionID === loadedId && contents(req.session) === loaded)) return redirect(...args);
    req.session.save((error) => (error ? next(error) : redirect(...args)));
  }) as Response['redirect'];
  next();
}
