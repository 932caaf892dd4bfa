import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { type AttachmentType, type StoredAttachment, extensionOf } from './kinds.js';

/** Serving a stored file to the person allowed to see it. */

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
