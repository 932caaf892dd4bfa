import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '../../../platform/errors.js';
import { logger } from '../../../platform/logger.js';
import { cleanAttachment, displayName, problemParams } from './checks.js';
import { type AttachmentType, type StoredAttachment } from './kinds.js';
import { gridFsStore, newStoreKey, STORE_KEY, type AttachmentStore, type Written } from './store.js';

/**
 * Storing, opening and deleting the files of tickets in the one configured store (store.ts): the database's own
 * file store, or an S3-compatible bucket. Nothing is kept on this machine's disk, so any process serves any file.
 */

let current: AttachmentStore | undefined;

/** The store of this process: the configured one, else the database's file store. */
export const attachmentStore = (): AttachmentStore => (current ??= gridFsStore());

/** Chooses the store (at start, from the configuration; specs and the migration may swap it). Returns the previous. */
export function useAttachmentStore(store: AttachmentStore | undefined): AttachmentStore | undefined {
  const previous = current;
  current = store;
  return previous;
}

/** A name given to a file on disk by an earlier version (`<yyyy>/<mm>/<random>`), which only the migration reads. */
export const LEGACY_STORED_NAME = /^\d{4}\/\d{2}\/[A-Za-z0-9_-]{32}$/;

/** The store failed: the citizen is told to try again (503), and what they sent is not lost (see storeAttachment). */
const storeUnavailable = (error: unknown, doing: string) => {
  logger.error({ err: error, store: attachmentStore().kind }, `attachments: the store failed while ${doing}`);
  return new AppError('unavailable', 'attachment.store_unavailable');
};

/**
 * Writes `source` under `key` and checks what arrived against `expected` (the SHA-256 the ticket keeps). A copy that
 * differs is removed again and refused; a failing store leaves nothing under the key (AttachmentStore.put).
 */
export async function putChecked(
  key: string,
  source: Readable,
  meta: { type: AttachmentType; sha256?: string; store?: AttachmentStore },
): Promise<Written> {
  const store = meta.store ?? attachmentStore();
  const written = await store.put(key, source, { type: meta.type });
  if (meta.sha256 && written.sha256 !== meta.sha256) {
    await store.delete(key);
    throw new Error(`attachments: the copy under ${key} differs from the file sent (SHA-256 ${written.sha256})`);
  }
  return written;
}

/**
 * Checks a file (again: storing is the last gate, whoever calls it), removes its metadata (rewriting a PDF) and
 * streams it into the store under a new random key. The cleaning step works on the whole file, so one file of at
 * most MAX_ATTACHMENT_BYTES is in memory here (upload.ts); the store itself takes it as a stream.
 *
 * When the store fails, nothing is kept under the key and a 503 `attachment.store_unavailable` is thrown: intake then
 * creates no ticket (service.ts removes the files stored before this one), the no-JS form keeps the citizen's text
 * and files (staged in the database) and asks them to send again.
 */
export async function storeAttachment(
  buffer: Buffer,
  options: { originalName?: string; store?: AttachmentStore } = {},
): Promise<StoredAttachment> {
  const result = await cleanAttachment(buffer, options.originalName);
  if (!result.ok)
    throw AppError.validation({
      attachments: { key: result.problem, params: problemParams(displayName(options.originalName)) },
    });
  const { file } = result;
  const storedName = newStoreKey();
  const sha256 = createHash('sha256').update(file.buffer).digest('hex');
  try {
    await putChecked(storedName, Readable.from([file.buffer]), { type: file.type, sha256, store: options.store });
  } catch (error) {
    throw storeUnavailable(error, 'storing a file');
  }
  return {
    id: randomBytes(12).toString('base64url'),
    storedName,
    size: file.size,
    sha256,
    type: file.type,
    ...(file.originalName ? { originalName: file.originalName } : {}),
    metadata: file.metadata,
  };
}

let warnedLegacy = false;

/**
 * Opens a stored file for reading: a missing one is a 404 before any header is sent, a failing store a 503. The
 * caller must consume or destroy the stream.
 */
export async function openAttachment(
  storedName: string,
  store = attachmentStore(),
): Promise<{ stream: Readable; size: number }> {
  if (typeof storedName === 'string' && LEGACY_STORED_NAME.test(storedName) && !warnedLegacy) {
    warnedLegacy = true;
    logger.warn('attachments: a ticket still names a file on disk; run `npm run attachments:migrate`');
  }
  if (typeof storedName !== 'string' || !STORE_KEY.test(storedName)) throw new AppError('not_found');
  const opened = await store.open(storedName).catch((error: unknown) => {
    throw storeUnavailable(error, 'opening a file');
  });
  if (!opened) throw new AppError('not_found');
  return opened;
}

/** Removes a stored file; removing one that is already gone is not an error (retention jobs may run twice). */
export async function deleteAttachment(storedName: string, store = attachmentStore()): Promise<void> {
  if (typeof storedName !== 'string' || !STORE_KEY.test(storedName)) return;
  await store.delete(storedName);
}
