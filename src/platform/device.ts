import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { lookupHash } from './crypto.js';

/** What a request tells about the device it came from: the keyed hash of its token, and whether it is new. */
export interface Device {
  hash: string;
  fresh: boolean;
}

export const deviceHashOf = (token: string) => lookupHash(`device:${token}`);

/**
 * The per-device token of public forms (docs/domain.md#malicious-complaints): a long-lived random value in an httpOnly, SameSite=Lax
 * cookie. Only its keyed hash is ever stored or used as a rate-limit key. It holds no identity; clearing cookies
 * makes a "fresh" device, which the integrity flags record.
 */
export const DEVICE_COOKIE = 'suara.device';
const MAX_AGE_MS = 400 * 24 * 3600 * 1000; // the longest browsers keep a cookie
const TOKEN = /^[\w-]{43}$/;

const devices = new WeakMap<Request, Device>();

function issue(req: Request, res: Response): Device {
  const token = randomBytes(32).toString('base64url');
  res.cookie(DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    maxAge: MAX_AGE_MS,
    path: '/',
  });
  return { hash: deviceHashOf(token), fresh: true };
}

/** Reads the device cookie, issuing one when it is missing or malformed. */
export const withDevice: RequestHandler = (req, res, next) => {
  const token: unknown = req.cookies?.[DEVICE_COOKIE];
  devices.set(
    req,
    typeof token === 'string' && TOKEN.test(token) ? { hash: deviceHashOf(token), fresh: false } : issue(req, res),
  );
  next();
};

/** The request's device; `withDevice` must have run. */
export function deviceOf(req: Request): Device {
  const device = devices.get(req);
  if (!device) throw new Error('withDevice must run before deviceOf');
  return device;
}
