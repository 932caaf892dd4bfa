/**
 * Attachments of a ticket: photos and PDFs a citizen sends as evidence.
 *
 * The type is decided by the bytes, never by the name or the declared MIME type, and every accepted file is parsed
 * far enough to be rebuilt without its metadata: a photo's EXIF can carry the GPS position of the reporter's home
 * and the make of their phone, which is enough to intimidate the reporter of a confidential ticket
 * (docs/domain.md). The rebuilding is byte surgery on the container (segments, chunks); the image data itself is
 * copied untouched, so nothing is re-encoded and no native library is needed. The pieces live in attachments/.
 */
export {
  attachmentTypes,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENT_NAME_LENGTH,
  MAX_ATTACHMENTS,
  MAX_IMAGE_MEGAPIXELS,
  MAX_IMAGE_SIDE,
  sniffType,
  type AttachmentProblem,
  type AttachmentType,
  type CleanAttachment,
  type MetadataHandling,
  type StoredAttachment,
  type UploadedFile,
} from './attachments/kinds.js';
export { imageSize, type ImageSize } from './attachments/image-size.js';
export { cleanJpeg, cleanPng, cleanWebp, crc32 } from './attachments/images.js';
export { checkPdf, cleanPdf } from './attachments/pdf.js';
export {
  checkAttachment,
  cleanAttachment,
  displayName,
  prepareAttachments,
  stripMetadata,
  type AttachmentCheck,
} from './attachments/checks.js';
export { deleteAttachment, openAttachment, storeAttachment } from './attachments/storage.js';
export { attachmentMulter, attachmentUpload, attachmentUploadLimits } from './attachments/upload.js';
export { sendAttachment } from './attachments/download.js';
