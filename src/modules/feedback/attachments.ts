import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import type { ReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RequestHandler, Response } from 'express';
import multer from 'multer';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFStream, type PDFContext, type PDFObject } from 'pdf-lib';
import { AppError } from '../../platform/errors.js';

/**
 * Attachments of a ticket: photos and PDFs a citizen sends as evidence.
 *
 * The type is decided by the bytes, never by the name or the declared MIME type, and every accepted file is parsed
 * far enough to be rebuilt without its metadata: a photo's EXIF can carry the GPS position of the reporter's home
 * and the make of their phone, which is enough to intimidate the reporter of a confidential ticket (DESIGN.md
 * section 8). The rebuilding is byte surgery on the container (segments, chunks); the image data itself is copied
 * untouched, so nothing is re-encoded and no native library is needed.
 */

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
  /** `<yyyy>/<mm>/<random>` under DATA_DIR/attachments; never shown to anyone. */
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

const extensionOf: Record<AttachmentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

// ---------------------------------------------------------------------------------------------------------------
// Type by content

const startsWith = (buffer: Buffer, bytes: readonly number[], at = 0) =>
  buffer.length >= at + bytes.length && bytes.every((byte, index) => buffer[at + index] === byte);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** The type the magic bytes claim, or null. Only a claim: `cleanAttachment` checks the structure behind it. */
export function sniffType(buffer: Buffer): AttachmentType | null {
  if (startsWith(buffer, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(buffer, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(buffer, ascii('RIFF')) && startsWith(buffer, ascii('WEBP'), 8)) return 'image/webp';
  if (/^%PDF-\d\.\d/.test(buffer.subarray(0, 8).toString('latin1'))) return 'application/pdf';
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Pixel bounds, read from the headers before anything else touches the file

export interface ImageSize {
  width: number;
  height: number;
}

/** Width and height from the first frame header (SOFn), walking the segments before it; null when there is none. */
function jpegSize(input: Buffer): ImageSize | null {
  let at = 2;
  while (at + 4 <= input.length) {
    if (input[at] !== 0xff) return null;
    const marker = input[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // a scan or the end before any frame
    if (isStartOfFrame(marker))
      return at + 9 <= input.length ? { height: input.readUInt16BE(at + 5), width: input.readUInt16BE(at + 7) } : null;
    at += 2 + input.readUInt16BE(at + 2);
  }
  return null;
}

/** IHDR is the first chunk: width and height right after its type. */
const pngSize = (input: Buffer): ImageSize | null =>
  input.length >= 24 && input.toString('latin1', 12, 16) === 'IHDR'
    ? { width: input.readUInt32BE(16), height: input.readUInt32BE(20) }
    : null;

/** From the first chunk: the VP8X canvas, the lossless (VP8L) or the lossy (VP8) key frame header. */
function webpSize(input: Buffer): ImageSize | null {
  const type = input.toString('latin1', 12, 16);
  if (type === 'VP8X' && input.length >= 30)
    return { width: input.readUIntLE(24, 3) + 1, height: input.readUIntLE(27, 3) + 1 };
  if (type === 'VP8L' && input.length >= 25) {
    const bits = input.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (type === 'VP8 ' && input.length >= 30)
    return { width: input.readUInt16LE(26) & 0x3fff, height: input.readUInt16LE(28) & 0x3fff };
  return null;
}

/** The pixel size a picture's header declares; null for a PDF or a header too broken to say. */
export function imageSize(input: Buffer, type: AttachmentType): ImageSize | null {
  switch (type) {
    case 'image/jpeg':
      return jpegSize(input);
    case 'image/png':
      return pngSize(input);
    case 'image/webp':
      return webpSize(input);
    case 'application/pdf':
      return null;
  }
}

const tooManyPixels = ({ width, height }: ImageSize) =>
  width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_MEGAPIXELS * 1_000_000;

// ---------------------------------------------------------------------------------------------------------------
// JPEG

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** The EXIF orientation (1–8) in an APP1 payload, so that a photo taken sideways still shows upright. */
function exifOrientation(exif: Buffer): number | undefined {
  const tiff = exif.subarray(6); // after "Exif\0\0"
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const u16 = (at: number) => (order === 'II' ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (order === 'II' ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const entries = u16(ifd);
  for (let index = 0; index < entries; index++) {
    const entry = ifd + 2 + index * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (u16(entry) === 0x0112 && u16(entry + 2) === 3) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** An APP1 segment holding nothing but the orientation tag (a TIFF header and one IFD entry). */
function orientationSegment(orientation: number): Buffer {
  const segment = Buffer.alloc(36);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(34, 2);
  segment.write('Exif\0\0', 4, 'latin1');
  segment.write('MM', 10, 'latin1');
  segment.writeUInt16BE(42, 12);
  segment.writeUInt32BE(8, 14); // IFD0 right after the header
  segment.writeUInt16BE(1, 18); // one entry
  segment.writeUInt16BE(0x0112, 20); // Orientation
  segment.writeUInt16BE(3, 22); // SHORT
  segment.writeUInt32BE(1, 24); // count
  segment.writeUInt16BE(orientation, 28);
  segment.writeUInt32BE(0, 32); // no next IFD
  return segment;
}

/**
 * Rebuilds a JPEG from its decoding segments only. Kept: the frame, tables and scans; APP0 JFIF (without its
 * thumbnail); APP2 ICC profiles; APP14 Adobe (it says how to convert the colours of CMYK files, and nothing
 * about the person). Dropped: APP1 (EXIF, XMP), APP13 (IPTC, Photoshop), every other APPn, comments, and anything
 * after the end of the image (motion-photo videos, extra MPF images with their own EXIF). The orientation tag
 * survives in a minimal EXIF of its own. Null when the structure is broken or truncated.
 */
export function cleanJpeg(input: Buffer): Buffer | null {
  if (!startsWith(input, [0xff, 0xd8])) return null;
  let jfif: Buffer | undefined;
  let orientation: number | undefined;
  const kept: Buffer[] = [];
  let sawFrame = false;
  let sawScan = false;
  let at = 2;
  for (;;) {
    if (at >= input.length || input[at] !== 0xff) return null;
    while (at < input.length && input[at] === 0xff) at++; // fill bytes
    if (at >= input.length) return null;
    const marker = input[at]!;
    at++;
    if (marker === 0xd9) break;
    if (marker === 0x00 || marker === 0xd8) return null;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // standalone markers
    if (at + 2 > input.length) return null;
    const length = input.readUInt16BE(at);
    const end = at + length;
    if (length < 2 || end > input.length) return null;
    const data = input.subarray(at + 2, end);
    const segment = Buffer.concat([Buffer.from([0xff, marker]), input.subarray(at, end)]);
    at = end;
    if (marker === 0xe0) {
      if (!jfif && data.length >= 14 && data.toString('latin1', 0, 5) === 'JFIF\0') {
        jfif = Buffer.concat([Buffer.from([0xff, 0xe0, 0x00, 0x10]), data.subarray(0, 14)]);
        jfif[16] = 0; // no thumbnail
        jfif[17] = 0;
      }
    } else if (marker === 0xe1) {
      if (data.toString('latin1', 0, 6) === 'Exif\0\0') orientation ??= exifOrientation(data);
    } else if (marker === 0xe2) {
      if (data.toString('latin1', 0, 12) === 'ICC_PROFILE\0') kept.push(segment);
    } else if (marker === 0xee) {
      if (data.toString('latin1', 0, 5) === 'Adobe') kept.push(segment);
    } else if ((marker >= 0xe3 && marker <= 0xef) || marker === 0xfe) {
      // other application data and comments: dropped
    } else if (marker === 0xda) {
      if (!sawFrame) return null;
      sawScan = true;
      // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00, a restart marker or fill.
      let scan = at;
      for (;;) {
        scan = input.indexOf(0xff, scan);
        if (scan < 0 || scan + 1 >= input.length) return null;
        const next = input[scan + 1]!;
        if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) scan += next === 0xff ? 1 : 2;
        else break;
      }
      kept.push(segment, input.subarray(at, scan));
      at = scan;
    } else {
      if (isStartOfFrame(marker)) {
        if (data.length < 6 || data.readUInt16BE(1) === 0 || data.readUInt16BE(3) === 0) return null;
        sawFrame = true;
      }
      kept.push(segment);
    }
  }
  if (!sawFrame || !sawScan) return null;
  const exif = orientation && orientation !== 1 ? [orientationSegment(orientation)] : [];
  return Buffer.concat([SOI, ...(jfif ? [jfif] : []), ...exif, ...kept, EOI]);
}

// ---------------------------------------------------------------------------------------------------------------
// PNG

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG chunks use it (zlib.crc32 is only in newer Node releases than we support). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Chunks a PNG keeps: the critical ones, those that say how to show the colours (palette transparency, gamma,
 * chromaticities, sRGB, ICC profile, significant bits, background, CICP, HDR), pixel density and animation.
 * Everything else goes: text (tEXt, zTXt, iTXt: often author, software, GPS), eXIf, tIME, and unknown private
 * chunks, which may hold anything (content-credential manifests name the author and device).
 */
const pngChunksKept = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'iCCP',
  'sBIT',
  'bKGD',
  'cICP',
  'mDCV',
  'mDCv',
  'cLLI',
  'cLLi',
  'pHYs',
  'acTL',
  'fcTL',
  'fdAT',
]);

/** Copies the kept chunks as they are (their CRCs stay right) and drops the rest; null when broken or truncated. */
export function cleanPng(input: Buffer): Buffer | null {
  if (!startsWith(input, PNG_SIGNATURE)) return null;
  const kept: Buffer[] = [input.subarray(0, 8)];
  let at = 8;
  let sawData = false;
  for (let index = 0; ; index++) {
    if (at + 12 > input.length) return null;
    const length = input.readUInt32BE(at);
    const type = input.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (length > 0x7fffffff || end > input.length || !/^[A-Za-z]{4}$/.test(type)) return null;
    if (index === 0 && (type !== 'IHDR' || length !== 13)) return null;
    if (index === 0 && (input.readUInt32BE(at + 8) === 0 || input.readUInt32BE(at + 12) === 0)) return null;
    if (pngChunksKept.has(type)) {
      if (crc32(input.subarray(at + 4, at + 8 + length)) !== input.readUInt32BE(at + 8 + length)) return null;
      kept.push(input.subarray(at, end));
    }
    if (type === 'IDAT') sawData = true;
    at = end;
    if (type === 'IEND') break; // anything after the end is dropped too
  }
  return sawData ? Buffer.concat(kept) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// WebP

const webpChunksKept = new Set(['VP8X', 'ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L']);
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;
const VP8X_ANIMATION = 0x02;

/**
 * Rebuilds the RIFF container without EXIF, XMP and unknown chunks, clears their flags in VP8X and writes the new
 * RIFF size. The bitstream chunks are copied untouched. Null when broken or truncated.
 */
export function cleanWebp(input: Buffer): Buffer | null {
  if (input.length < 20 || !startsWith(input, ascii('RIFF')) || !startsWith(input, ascii('WEBP'), 8)) return null;
  const riffEnd = 8 + input.readUInt32LE(4);
  if (riffEnd > input.length) return null;
  const kept: Buffer[] = [];
  let at = 12;
  let hasImage = false;
  let animated = false;
  while (at < riffEnd) {
    if (at + 8 > riffEnd) return null;
    const type = input.toString('latin1', at, at + 4);
    const length = input.readUInt32LE(at + 4);
    const dataEnd = at + 8 + length;
    if (dataEnd > riffEnd) return null;
    const end = Math.min(dataEnd + (length & 1), riffEnd);
    const data = input.subarray(at + 8, dataEnd);
    if (kept.length === 0 && !['VP8X', 'VP8 ', 'VP8L'].includes(type)) return null;
    if (type === 'VP8 ') {
      // frame tag (3 bytes), then the key frame start code 9D 01 2A
      if (!startsWith(data, [0x9d, 0x01, 0x2a], 3)) return null;
      hasImage = true;
    } else if (type === 'VP8L') {
      if (data[0] !== 0x2f) return null;
      hasImage = true;
    } else if (type === 'ANMF') {
      hasImage = true;
    }
    if (type === 'VP8X') {
      if (kept.length !== 0 || length !== 10) return null;
      const chunk = Buffer.from(input.subarray(at, dataEnd));
      chunk[8] = chunk[8]! & ~(VP8X_EXIF | VP8X_XMP);
      animated = (chunk[8]! & VP8X_ANIMATION) !== 0;
      kept.push(chunk);
    } else if (webpChunksKept.has(type)) {
      kept.push(input.subarray(at, dataEnd), Buffer.alloc(length & 1));
    }
    at = end;
  }
  if (!hasImage || (animated && !kept.some((chunk) => chunk.toString('latin1', 0, 4) === 'ANMF'))) return null;
  const body = Buffer.concat(kept);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + body.length, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}

// ---------------------------------------------------------------------------------------------------------------
// PDF

/**
 * The structure a PDF must show before it is parsed: the header, and the trailer a complete file ends with. The
 * metadata is removed later, by `cleanPdf` (asynchronous), when the file is stored.
 */
export function checkPdf(input: Buffer): Buffer | null {
  if (!/^%PDF-\d\.\d/.test(input.subarray(0, 8).toString('latin1'))) return null;
  const tail = input.subarray(Math.max(0, input.length - 1024)).toString('latin1');
  return tail.includes('%%EOF') && tail.includes('startxref') ? input : null;
}

/** Dictionary keys that hold data about the document rather than the document: XMP streams and private app data. */
const pdfMetadataKeys = new Set(['Metadata', 'PieceInfo']);
const METADATA = PDFName.of('Metadata');
const XML = PDFName.of('XML');

/** An XMP stream, however the key that points to it is spelled. */
function isMetadataStream(context: PDFContext, object: PDFObject): boolean {
  const target = object instanceof PDFRef ? context.lookup(object) : object;
  return (
    target instanceof PDFStream &&
    (target.dict.get(PDFName.of('Type')) === METADATA || target.dict.get(PDFName.of('Subtype')) === XML)
  );
}

/**
 * Every object reachable from the catalog, with the metadata entries of each dictionary on the way removed. What is
 * left unreached (the information dictionary, XMP streams, objects that earlier incremental updates replaced) is
 * not written out.
 */
function reachableObjects(context: PDFContext, root: PDFObject): Set<PDFRef> {
  const reached = new Set<PDFRef>();
  const pending: PDFObject[] = [root];
  while (pending.length > 0) {
    const object = pending.pop()!;
    if (object instanceof PDFRef) {
      if (reached.has(object)) continue;
      reached.add(object);
      const target = context.lookup(object);
      if (target) pending.push(target);
    } else if (object instanceof PDFDict || object instanceof PDFStream) {
      const dict = object instanceof PDFStream ? object.dict : object;
      for (const [key, value] of dict.entries()) {
        if (pdfMetadataKeys.has(key.decodeText()) || isMetadataStream(context, value)) dict.delete(key);
        else pending.push(value);
      }
    } else if (object instanceof PDFArray) {
      // An XMP stream listed in an array is not written; its reference then reads as null.
      pending.push(...object.asArray().filter((item) => !isMetadataStream(context, item)));
    }
  }
  return reached;
}

/**
 * Rewrites a PDF without its document information dictionary (Author, Creator, Producer, Title, Subject, Keywords,
 * dates), its file identifier, XMP metadata streams anywhere in it, private application data and every object an
 * incremental update left behind; the pages, their content and resources are copied as they are. The result is
 * parsed again and must have its pages. Null when that cannot be done safely: an encrypted file (its metadata
 * cannot be read, so it cannot be removed), an object the parser cannot read, or a result that does not open.
 */
export async function cleanPdf(input: Buffer): Promise<Buffer | null> {
  const options = { updateMetadata: false, throwOnInvalidObject: true, parseSpeed: Infinity } as const;
  try {
    const document = await PDFDocument.load(input, options);
    const pages = document.getPageCount();
    const { context } = document;
    if (pages < 1 || !context.trailerInfo.Root) return null;
    context.trailerInfo.Info = undefined;
    context.trailerInfo.ID = undefined;
    const reached = reachableObjects(context, context.trailerInfo.Root);
    for (const [ref] of context.enumerateIndirectObjects()) if (!reached.has(ref)) context.delete(ref);
    const output = Buffer.from(
      await document.save({ addDefaultPage: false, updateFieldAppearances: false, objectsPerTick: Infinity }),
    );
    const reread = await PDFDocument.load(output, options);
    return reread.getPageCount() === pages && !reread.context.trailerInfo.Info ? output : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checking a file

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

const problemParams = (name?: string) => ({
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

// ---------------------------------------------------------------------------------------------------------------
// Storage: DATA_DIR/attachments/<yyyy>/<mm>/<random>, outside the web root, no name or extension from the user.

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

// ---------------------------------------------------------------------------------------------------------------
// Upload (multer) for the intake route

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

// ---------------------------------------------------------------------------------------------------------------
// Serving

/** `filename="…"` with an ASCII fallback and the UTF-8 name (RFC 6266 / 8187), with the extension of the real type. */
function contentDisposition(disposition: 'inline' | 'attachment', name: string | undefined, type: AttachmentType) {
  const extension = extensionOf[type];
  const stem = (name ?? 'lampiran').replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'lampiran';
  const full = `${stem}.${extension}`;
  const fallback = full.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  const encoded = encodeURIComponent(full).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * Streams a stored attachment to someone the route has already allowed to see it.
 *
 * Images are shown inline: they were rebuilt from their decoding segments, are sent with their real type and
 * `nosniff`, and a browser only ever draws them as pictures. PDFs are downloads: their pages are copied as
 * uploaded and may carry scripts, forms and links, so they open in the reader on the staff's computer rather than
 * in a tab of this site. The response gets its own CSP that allows nothing and sandboxes the document, in case a browser
 * does try to treat it as a page; it is never cached, because evidence of a confidential ticket must not stay on a
 * shared office computer.
 */
export async function sendAttachment(
  res: Response,
  meta: Pick<StoredAttachment, 'type' | 'size' | 'originalName'>,
  stream: NodeJS.ReadableStream,
): Promise<void> {
  const disposition = meta.type === 'application/pdf' ? 'attachment' : 'inline';
  res.set({
    'Content-Type': meta.type,
    'Content-Length': String(meta.size),
    'Content-Disposition': contentDisposition(disposition, meta.originalName, meta.type),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'private, no-store',
  });
  res.status(200);
  await pipeline(stream, res);
}
