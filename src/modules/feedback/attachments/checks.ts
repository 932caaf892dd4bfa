import { AppError } from '../../../platform/errors.js';
import { imageSize, tooManyPixels } from './image-size.js';
import { cleanJpeg, cleanPng, cleanWebp } from './images.js';
import {
  type AttachmentProblem,
  type AttachmentType,
  type CleanAttachment,
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENT_NAME_LENGTH,
  MAX_IMAGE_MEGAPIXELS,
  MAX_IMAGE_SIDE,
  type UploadedFile,
  sniffType,
} from './kinds.js';
import { checkPdf, cleanPdf } from './pdf.js';

/** Checking a file: its type by content, its pixel bounds, its metadata removed; or the reason it is refused. */

/** The file without its metadata, or null when it is not a sound file of the type it claims. */
export function stripMetadata(buffer: Buffer, type: AttachmentType): Buffer | null {
  switch (type) {
    case 'image/jpeg':
      return cleanJpeg(buffer);
    case 'image/png':
      return cleanPng(buffer);
    case 'image/webp':
      return cleanWebp(buffer);
    case 'application/pdf':
      return checkPdf(buffer);
  }
}

/**
 * The name a person gave the file, fit to show: no folders, no control or direction-changing characters (which
 * can make "gpj.exe" read as "exe.jpg"), trimmed, at most MAX_ATTACHMENT_NAME_LENGTH characters. Never used as a
 * path. Undefined when nothing is left.
 */
export function displayName(originalName: string | undefined): string | undefined {
  if (typeof originalName !== 'string') return undefined;
  const base = originalName.split(/[/\\]/).pop() ?? '';
  const clean = base
    .normalize('NFC')
    .replace(/[\t\r\n\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const limited = [...clean].slice(0, MAX_ATTACHMENT_NAME_LENGTH).join('').trim();
  return limited || undefined;
}

export type AttachmentCheck = { ok: true; file: CleanAttachment } | { ok: false; problem: AttachmentProblem };

/** Checks one file by its content and returns it without metadata, or says why it is refused. */
export function checkAttachment(buffer: Buffer, originalName?: string): AttachmentCheck {
  if (!buffer || buffer.length === 0) return { ok: false, problem: 'attachment.empty' };
  if (buffer.length > MAX_ATTACHMENT_BYTES) return { ok: false, problem: 'attachment.too_large' };
  const type = sniffType(buffer);
  if (!type) return { ok: false, problem: 'attachment.type' };
  // A small file can declare a picture that takes gigabytes to decode: refused before it is parsed any further.
  const size = imageSize(buffer, type);
  if (size && tooManyPixels(size)) return { ok: false, problem: 'attachment.too_many_pixels' };
  const clean = stripMetadata(buffer, type);
  if (!clean) return { ok: false, problem: 'attachment.damaged' };
  return {
    ok: true,
    file: {
      buffer: clean,
      type,
      size: clean.length,
      originalName: displayName(originalName),
      metadata: type === 'application/pdf' ? 'kept' : 'removed',
    },
  };
}

/**
 * `checkAttachment`, and for a PDF the rewriting without metadata, which is asynchronous: every file is stored
 * through this. A PDF that cannot be rewritten safely is refused rather than kept with its metadata.
 */
export async function cleanAttachment(buffer: Buffer, originalName?: string): Promise<AttachmentCheck> {
  const checked = checkAttachment(buffer, originalName);
  if (!checked.ok || checked.file.type !== 'application/pdf') return checked;
  const clean = await cleanPdf(checked.file.buffer);
  if (!clean) return { ok: false, problem: 'attachment.pdf_not_cleanable' };
  return { ok: true, file: { ...checked.file, buffer: clean, size: clean.length, metadata: 'removed' } };
}

export const problemParams = (name?: string) => ({
  name: name ?? '',
  max: MAX_ATTACHMENTS,
  maxMb: MAX_ATTACHMENT_BYTES / 1024 / 1024,
  maxMegapixels: MAX_IMAGE_MEGAPIXELS,
  maxSide: MAX_IMAGE_SIDE,
});

/**
 * Checks all files of one submission before anything is stored: the first refused file makes the whole
 * submission a validation error on `field` (so a form can show it beside the file input), and nothing is kept.
 */
export function prepareAttachments(
  files: readonly UploadedFile[] | undefined,
  field = 'attachments',
): CleanAttachment[] {
  const list = files ?? [];
  if (list.length > MAX_ATTACHMENTS)
    throw AppError.validation({ [field]: { key: 'attachment.too_many', params: problemParams() } });
  return list.map((file) => {
    const result = checkAttachment(file.buffer, file.originalname);
    if (!result.ok)
      throw AppError.validation({
        [field]: { key: result.problem, params: problemParams(displayName(file.originalname)) },
      });
    return result.file;
  });
}
