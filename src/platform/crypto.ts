import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { secretFromEnvOrDataDir } from './secrets.js';

/**
 * Personal data at rest (UU 27/2022): AES-256-GCM with the key from DATA_ENCRYPTION_KEY (64 hex characters;
 * required in production, generated under DATA_DIR in development). Look-ups use a keyed HMAC of the normalised
 * value, so an e-mail can be matched without being stored in the clear. Sealed values carry a version prefix so
 * that the key can be rotated later.
 */
let key: Buffer | undefined;

export async function initEncryption(config: Config): Promise<void> {
  const hex = await secretFromEnvOrDataDir(config, config.dataEncryptionKey, 'encryption-key');
  setEncryptionKey(hex);
}

export function setEncryptionKey(hex: string): void {
  const buffer = Buffer.from(hex, 'hex');
  if (buffer.length !== 32) throw new Error('DATA_ENCRYPTION_KEY must be 32 bytes (64 hex characters)');
  key = buffer;
}

function currentKey(): Buffer {
  if (!key) throw new Error('encryption key not initialised (initEncryption at start-up)');
  return key;
}

const VERSION = 'v1';

export function seal(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', currentKey(), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

export function unseal(sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', currentKey(), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** A stable keyed digest for look-ups (e-mail, phone); callers normalise first (trim, lower-case). */
export function lookupHash(value: string): string {
  return createHmac('sha256', currentKey()).update(`lookup:${value}`).digest('hex');
}
