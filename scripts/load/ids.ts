import { Types } from 'mongoose';

/**
 * Deterministic identifiers: the same seed gives the same ids and tracking codes on every run.
 * An ObjectId carries the document's own time (as one written then would) and a counter.
 */
export class Ids {
  private counter = 0;
  private readonly tag: string;

  constructor(seed: number, stream: number) {
    this.tag = ((seed * 31 + stream) & 0xffffff).toString(16).padStart(6, '0');
  }

  at(instant: number): Types.ObjectId {
    const seconds = Math.floor(instant / 1000)
      .toString(16)
      .padStart(8, '0');
    const count = (this.counter++ & 0xffffffff).toString(16).padStart(10, '0');
    return new Types.ObjectId(seconds + this.tag + count);
  }
}

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const SPACE = 31 ** 8; // 852,891,037,441
const STEP = 1_000_000_007; // prime, so not a multiple of 31: index → code is one-to-one over the whole space

/** The tracking code of the index-th generated ticket, in the app's format (XXXX-XXXX), never repeated. */
export function trackingCode(index: number, seed: number): string {
  let value = ((((index % SPACE) * STEP) % SPACE) + seed * 7919) % SPACE;
  let code = '';
  for (let i = 0; i < 8; i++) {
    code += ALPHABET[value % 31];
    value = Math.floor(value / 31);
  }
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
