/** What a ticket may carry: the accepted types, the limits, and the type a file's first bytes claim. */

export const MAX_ATTACHMENTS = 3;
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENT_NAME_LENGTH = 100;
/** Decoding a picture takes about 4 bytes a pixel: bounds that fit any phone photo and refuse decompression bombs. */
export const MAX_IMAGE_MEGAPIXELS = 40;
export const MAX_IMAGE_SIDE = 12_000;

export const attachmentTypes = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;
export type AttachmentType = (typeof attachmentTypes)[number];

/** Why a file was refused; each is a message key (attachment-messages.ts). */
export type AttachmentProblem =
  | 'attachment.empty'
  | 'attachment.too_large'
  | 'attachment.too_many'
  | 'attachment.type'
  | 'attachment.damaged'
  | 'attachment.pdf_not_cleanable'
  | 'attachment.too_many_pixels';

/**
 * `removed`: the file was rebuilt without metadata; `kept`: a PDF checked but not rewritten yet (`cleanAttachment`
 * rewrites it), or one stored as uploaded by an earlier version.
 */
export type MetadataHandling = 'removed' | 'kept';

/** A file that passed the checks, already without its metadata. */
export interface CleanAttachment {
  buffer: Buffer;
  type: AttachmentType;
  size: number;
  originalName?: string;
  metadata: MetadataHandling;
}

/** What the ticket keeps about a stored file. */
export interface StoredAttachment {
  id: string;
  /** The key of the bytes in the attachment store (32 random characters); never shown to anyone. */
  storedName: string;
  size: number;
  sha256: string;
  type: AttachmentType;
  originalName?: string;
  metadata: MetadataHandling;
}

/** The parts of a multer file this module reads. */
export interface UploadedFile {
  buffer: Buffer;
  originalname?: string;
}

export const extensionOf: Record<AttachmentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

// ---------------------------------------------------------------------------------------------------------------
// Type by content

export const startsWith = (buffer: Buffer, bytes: readonly number[], at = 0) =>
  buffer.length >= at + bytes.length && bytes.every((byte, index) => buffer[at + index] === byte);

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
export const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** The type the magic bytes claim, or null. Only a claim: `cleanAttachment` checks the structure behind it. */
export function sniffType(buffer: Buffer): AttachmentType | null {
  if (startsWith(buffer, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(buffer, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(buffer, ascii('RIFF')) && startsWith(buffer, ascii('WEBP'), 8)) return 'image/webp';
  if (/^%PDF-\d\.\d/.test(buffer.subarray(0, 8).toString('latin1'))) return 'application/pdf';
  return null;
}
