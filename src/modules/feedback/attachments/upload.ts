import multer from 'multer';
import type { RequestHandler } from 'express';
import { AppError } from '../../../platform/errors.js';
import { displayName, problemParams } from './checks.js';
import { MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES } from './kinds.js';

/** Upload (multer) for the intake route. */

/**
 * Multer limits for ticket intake. Files are kept in memory (at most 3 × 5 MB per request) because they are
 * checked and rebuilt before anything touches the disk. The text limits leave room for the intake form (about
 * 25 fields, a description of 4000 characters, which is up to 16 KB in UTF-8).
 */
export const attachmentUploadLimits = {
  files: MAX_ATTACHMENTS,
  fileSize: MAX_ATTACHMENT_BYTES,
  fields: 50,
  parts: 50 + MAX_ATTACHMENTS,
  fieldNameSize: 100,
  fieldSize: 32 * 1024,
  headerPairs: 200,
} as const;

export function attachmentMulter() {
  return multer({
    storage: multer.memoryStorage(),
    limits: attachmentUploadLimits,
    defParamCharset: 'utf8', // browsers send file names in UTF-8
  });
}

/**
 * Accepts up to MAX_ATTACHMENTS files in `field` of a multipart request (anything else passes through untouched)
 * and turns upload failures into the one error shape: an oversize file or too many fields → 413, too many files
 * or a file in another field → 400 on `field`, a malformed body → 400. The files are not checked yet: call
 * `prepareAttachments(req.files)` after validating the rest of the form.
 */
export function attachmentUpload(field = 'attachments'): RequestHandler {
  const upload = attachmentMulter().array(field, MAX_ATTACHMENTS);
  return (req, res, next) => upload(req, res, (error?: unknown) => next(error ? uploadError(error, field) : undefined));
}

function uploadError(error: unknown, field: string): AppError {
  if (error instanceof AppError) return error;
  if (!(error instanceof multer.MulterError)) return new AppError('validation', 'attachment.malformed');
  const params = problemParams(displayName((error as { filename?: string }).filename));
  switch (error.code) {
    case 'LIMIT_FILE_SIZE':
      return new AppError('too_large', 'attachment.too_large', params, {
        [field]: { key: 'attachment.too_large', params },
      });
    case 'LIMIT_FILE_COUNT':
      return AppError.validation({ [field]: { key: 'attachment.too_many', params } });
    case 'LIMIT_UNEXPECTED_FILE': // more files than allowed in `field`, or a file in another field
      return AppError.validation({
        [field]: { key: error.field === field ? 'attachment.too_many' : 'attachment.unexpected', params },
      });
    case 'LIMIT_PART_COUNT':
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_FIELD_VALUE':
    case 'LIMIT_FIELD_KEY':
      return new AppError('too_large');
    default:
      return new AppError('validation', 'attachment.malformed');
  }
}
