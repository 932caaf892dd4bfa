import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { lookupHash } from '../../platform/crypto.js';

/**
 * Tracking codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as two groups of four joined by a hyphen and read
 * back case-insensitively with any spacing. 31^8 ≈ 8.5·10^11 codes; a code alone opens nothing — the access token
 * goes with it.
 */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newTrackingCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** "k7pq 4xq2", "K7PQ-4XQ2" → "K7PQ-4XQ2"; anything that cannot be a code → null. */
export function normaliseTrackingCode(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const plain = input.toUpperCase().replace(/[\s-]/g, '');
  if (plain.length !== 8 || [...plain].some((char) => !ALPHABET.includes(char))) return null;
  return `${plain.slice(0, 4)}-${plain.slice(4)}`;
}

/**
 * The access token is derived, not stored: HMAC(server key, code + a per-ticket salt). The database holds only the
 * salt, so a leaked copy of it opens no ticket, and an idempotent replay can hand the same token back.
 */
export function newTokenSalt(): string {
  return randomBytes(12).toString('base64url');
}

/** The token of the API (`accessToken`) and of e-mailed links: 32 hexadecimal characters. */
export function accessTokenFor(code: string, salt: string): string {
  return lookupHash(`ticket-access:${code}:${salt}`).slice(0, 32);
}

/**
 * The same ticket's token for people: 12 characters of the code's alphabet in three groups of four
 * ("K7PQ-4XQ2-M9TD"), about 59 bits, short enough to copy by hand or read aloud, and read back like the code (any
 * case, any spacing). Either token opens the ticket.
 */
export function shortAccessTokenFor(code: string, salt: string): string {
  let value = BigInt(`0x${lookupHash(`ticket-access-short:${code}:${salt}`)}`);
  let token = '';
  for (let i = 0; i < 12; i++) {
    token += ALPHABET[Number(value % BigInt(ALPHABET.length))];
    value /= BigInt(ALPHABET.length);
  }
  return `${token.slice(0, 4)}-${token.slice(4, 8)}-${token.slice(8)}`;
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function isAccessToken(code: string, salt: string, candidate: unknown): boolean {
  if (typeof candidate !== 'string' || candidate.length > 64) return false;
  if (/^[0-9a-f]{32}$/i.test(candidate)) return sameText(accessTokenFor(code, salt), candidate.toLowerCase());
  const plain = candidate.toUpperCase().replace(/[\s-]/g, '');
  if (plain.length !== 12) return false;
  return sameText(shortAccessTokenFor(code, salt), `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8)}`);
}

/** An opaque fingerprint of a request body, so an Idempotency-Key reused with other content is refused. */
export function fingerprint(value: unknown): string {
  return createHmac('sha256', 'suara-idempotency').update(JSON.stringify(value)).digest('hex');
}
