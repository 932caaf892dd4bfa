import { PNG_SIGNATURE, ascii, startsWith } from './kinds.js';

/** Photos rebuilt without their metadata (EXIF, XMP, text chunks): byte surgery on the container, the image data copied untouched. */

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
export const isStartOfFrame = (marker: number) =>
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
