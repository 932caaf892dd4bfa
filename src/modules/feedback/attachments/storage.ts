import path from 'node:path';
import type { ReadStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { AppError } from '../../../platform/errors.js';
import { cleanAttachment, displayName, problemParams } from './checks.js';
import { type StoredAttachment } from './kinds.js';

/** Storage: DATA_DIR/attachments/<yyyy>/<mm>/<random>, outside the web root, no name or extension from the user. */

const STORED_NAME = /^\d{4}\/\d{2}\/[A-Za-z0-9_-]{32}$/;
const attachmentsRoot = (dataDir: string) => path.join(dataDir, 'attachments');

function pathOf(storedName: string, dataDir: string): string {
  if (typeof storedName !== 'string' || !STORED_NAME.test(storedName)) throw new AppError('not_found');
  return path.join(attachmentsRoot(dataDir), ...storedName.split('/'));
}

/**
 * Checks a file (again: storing is the last gate, whoever calls it), removes its metadata (rewriting a PDF) and
 * writes it. The write
 * goes to a temporary name first, so a crash never leaves a half file under the final name.
 */
export async function storeAttachment(
  buffer: Buffer,
  options: { dataDir: string; originalName?: string; now?: Date },
): Promise<StoredAttachment> {
  const result = await cleanAttachment(buffer, options.originalName);
  if (!result.ok)
    throw AppError.validation({
      attachments: { key: result.problem, params: problemParams(displayName(options.originalName)) },
    });
  const { file } = result;
  const now = options.now ?? new Date();
  const folder = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const storedName = `${folder}/${randomBytes(24).toString('base64url')}`;
  const target = pathOf(storedName, options.dataDir);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const temporary = `${target}.${randomBytes(6).toString('hex')}.part`;
  try {
    await writeFile(temporary, file.buffer, { mode: 0o600, flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return {
    id: randomBytes(12).toString('base64url'),
    storedName,
    size: file.size,
    sha256: createHash('sha256').update(file.buffer).digest('hex'),
    type: file.type,
    ...(file.originalName ? { originalName: file.originalName } : {}),
    metadata: file.metadata,
  };
}

/**
 * Opens a stored file for reading. The file is opened here, so a missing one is a 404 before any header is sent.
 * The caller must consume or destroy the stream (it closes the file when it ends).
 */
export async function openAttachment(
  storedName: string,
  dataDir: string,
): Promise<{ stream: ReadStream; size: number }> {
  const filePath = pathOf(storedName, dataDir);
  const handle = await open(filePath, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new AppError('not_found');
    throw error;
  });
  try {
    const { size } = await handle.stat();
    return { stream: handle.createReadStream(), size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Removes a stored file; removing one that is already gone is not an error (retention jobs may run twice). */
export async function deleteAttachment(storedName: string, dataDir: string): Promise<void> {
  await unlink(pathOf(storedName, dataDir)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
