import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';
import PDFKit from 'pdfkit';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Files made byte by byte for specs: what a phone camera uploads, with the metadata that must not survive. */

export const SECRET_GPS = 'GPS -1.6101 103.6131 rumah pelapor';
export const SECRET_CAMERA = 'SecretPhone X1 IMEI 3569';

/** An RGBA picture: a warm orange field with a gradient, so that pixel comparisons mean something. */
export function picture(width: number, height: number) {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      data[at] = 230;
      data[at + 1] = 120 + Math.round((x / width) * 40);
      data[at + 2] = 30 + Math.round((y / height) * 40);
      data[at + 3] = 255;
    }
  return { width, height, data };
}

export const segment = (marker: number, payload: Buffer) => {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
};

/** A big-endian TIFF block as EXIF holds it: ImageDescription (the GPS note), Make, Orientation 6 (turned right). */
export function exifTiff(): Buffer {
  const description = Buffer.from(SECRET_GPS + '\0', 'latin1');
  const make = Buffer.from(SECRET_CAMERA + '\0', 'latin1');
  const ifd = Buffer.alloc(2 + 3 * 12 + 4);
  const stringsAt = 8 + ifd.length;
  ifd.writeUInt16BE(3, 0);
  const entry = (index: number, tag: number, type: number, count: number, value: number, short = false) => {
    const at = 2 + index * 12;
    ifd.writeUInt16BE(tag, at);
    ifd.writeUInt16BE(type, at + 2);
    ifd.writeUInt32BE(count, at + 4);
    if (short) ifd.writeUInt16BE(value, at + 8);
    else ifd.writeUInt32BE(value, at + 8);
  };
  entry(0, 0x010e, 2, description.length, stringsAt);
  entry(1, 0x010f, 2, make.length, stringsAt + description.length);
  entry(2, 0x0112, 3, 1, 6, true);
  return Buffer.concat([Buffer.from('MM\0\x2a\0\0\0\x08', 'latin1'), ifd, description, make]);
}

export const plainJpeg = () => Buffer.from(jpeg.encode(picture(64, 48), 90).data);

/** A phone photo: EXIF with GPS and camera, XMP, IPTC, a comment, an ICC profile, an MPF index, a video after EOI. */
export function phoneJpeg(): Buffer {
  const plain = plainJpeg();
  return Buffer.concat([
    plain.subarray(0, 2),
    segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff()])),
    segment(
      0xe1,
      Buffer.from(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>${SECRET_GPS}</exif:GPSLatitude>`),
    ),
    segment(0xed, Buffer.from(`Photoshop 3.0\0 8BIM byline ${SECRET_CAMERA}`, 'latin1')),
    segment(0xfe, Buffer.from(`comment ${SECRET_GPS}`, 'latin1')),
    segment(0xe2, Buffer.from('ICC_PROFILE\0\x01\x01fake-srgb-profile', 'latin1')),
    segment(0xe2, Buffer.from(`MPF\0 second image ${SECRET_CAMERA}`, 'latin1')),
    plain.subarray(2),
    Buffer.from(`ftypmp42 motion photo video ${SECRET_GPS}`, 'latin1'),
  ]);
}

/** What a citizen's PDF says about its author, in every place a PDF keeps such things. */
export const PDF_AUTHOR = 'Budi Santoso 0812-3456-7890';

/**
 * A PDF from an office application (pdfkit here): the author in the information dictionary and in an XMP stream,
 * and an incremental update, as an editor appends one, pointing the trailer to a new information dictionary while
 * the old one stays in the file.
 */
export async function pdfWithAuthor(): Promise<Buffer> {
  const doc = new PDFKit({
    info: {
      Author: PDF_AUTHOR,
      Title: 'Kuitansi pungli',
      Subject: 'Bukti',
      Keywords: 'pungli, loket',
      Creator: 'Writer',
    },
    compress: false,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const xmp = doc.ref({ Type: 'Metadata', Subtype: 'XML' });
  xmp.end(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>${PDF_AUTHOR}</dc:creator></x:xmpmeta>`);
  (doc as unknown as { _root: { data: Record<string, unknown> } })._root.data.Metadata = xmp;
  doc.text('Kuitansi Rp 50.000 tanpa dasar hukum');
  doc.end();
  const original = (await done).toString('latin1');

  const size = Number(/\/Size (\d+)/.exec(original)![1]);
  const root = /\/Root (\d+ \d+ R)/.exec(original)![1];
  const previous = /startxref\s+(\d+)/.exec(original.slice(original.lastIndexOf('startxref')))![1];
  const objectAt = original.length;
  const object = `${size} 0 obj\n<< /Producer (Editor 2.0) /ModDate (D:20261120093000+07'00') >>\nendobj\n`;
  const xrefAt = objectAt + object.length;
  const update =
    object +
    `xref\n${size} 1\n${String(objectAt).padStart(10, '0')} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${previous} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(original + update, 'latin1');
}

const standardFontDataUrl =
  path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

/** A PDF as a reader opens it: the information dictionary, the XMP metadata and the text of every page. */
export async function readPdf(pdf: Buffer) {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl, verbosity: 0 }).promise;
  const { info, metadata } = await doc.getMetadata();
  const pages: string[] = [];
  for (let number = 1; number <= doc.numPages; number++) {
    const content = await (await doc.getPage(number)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  await doc.destroy();
  return { info: info as Record<string, unknown>, metadata, pages };
}
