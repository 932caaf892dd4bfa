import { isStartOfFrame } from './images.js';
import { type AttachmentType, MAX_IMAGE_MEGAPIXELS, MAX_IMAGE_SIDE } from './kinds.js';

/** Pixel bounds, read from the headers before anything else touches the file. */

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

export const tooManyPixels = ({ width, height }: ImageSize) =>
  width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_MEGAPIXELS * 1_000_000;
