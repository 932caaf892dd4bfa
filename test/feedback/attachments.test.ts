import { expect } from 'chai';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import express, { type Express } from 'express';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import request from 'supertest';
import {
  MAX_ATTACHMENT_BYTES,
  attachmentUpload,
  MAX_IMAGE_SIDE,
  checkAttachment,
  cleanAttachment,
  crc32,
  deleteAttachment,
  displayName,
  openAttachment,
  prepareAttachments,
  sendAttachment,
  sniffType,
  storeAttachment,
  type StoredAttachment,
} from '../../src/modules/feedback/attachments.js';
import { AppError, errorHandler } from '../../src/platform/errors.js';
import { languageMiddleware } from '../../src/platform/i18n.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';
import { attachmentFiles, storedFileCount } from './attachments/helpers.js';
import {
  PDF_AUTHOR,
  SECRET_CAMERA,
  SECRET_GPS,
  exifTiff,
  pdfWithAuthor,
  phoneJpeg,
  picture,
  plainJpeg,
  readPdf,
} from '../helpers/files.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures, made here byte by byte: what a phone camera and a few hostile senders would upload.

const pngChunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
};

const plainPng = () => PNG.sync.write(Object.assign(new PNG({ width: 40, height: 30 }), picture(40, 30)));

/** A PNG from a photo app: text chunks with GPS, eXIf, tIME, a private chunk, colour chunks, HTML after IEND. */
function appPng(): Buffer {
  const plain = plainPng();
  const ihdrEnd = 8 + 25;
  const gama = Buffer.alloc(4);
  gama.writeUInt32BE(45455, 0);
  const phys = Buffer.from([0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1]);
  return Buffer.concat([
    plain.subarray(0, ihdrEnd),
    pngChunk('gAMA', gama),
    pngChunk('pHYs', phys),
    pngChunk('tEXt', Buffer.from(`Comment\0${SECRET_GPS}`, 'latin1')),
    pngChunk('zTXt', Buffer.concat([Buffer.from('Author\0\0', 'latin1'), zlib.deflateSync(SECRET_CAMERA)])),
    pngChunk('iTXt', Buffer.from(`XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>${SECRET_GPS}`, 'utf8')),
    pngChunk('eXIf', exifTiff()),
    pngChunk('tIME', Buffer.from([0x07, 0xea, 3, 5, 9, 30, 0])),
    pngChunk('caBX', Buffer.from(`c2pa manifest ${SECRET_CAMERA}`, 'latin1')),
    plain.subarray(ihdrEnd),
    Buffer.from('<html><script>alert(document.cookie)</script>', 'latin1'),
  ]);
}

/** A 1×1 lossless WebP (the well-known feature-detection image): its VP8L chunk. */
const VP8L = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64').subarray(12, 12 + 8 + 14);

const riffChunk = (type: string, data: Buffer) => {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
};

/** An extended WebP with EXIF and XMP chunks (and their flags set in VP8X), the XMP of odd length. */
function metadataWebp(): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x08 | 0x04; // EXIF and XMP present; canvas 1×1 (stored minus one, so zeros)
  const body = Buffer.concat([
    riffChunk('VP8X', vp8x),
    VP8L,
    riffChunk('EXIF', exifTiff()),
    riffChunk('XMP ', Buffer.from(`<x:xmpmeta>${SECRET_GPS}!`, 'latin1')),
  ]);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(4 + body.length, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}

const contains = (buffer: Buffer, text: string) => buffer.includes(Buffer.from(text, 'latin1'));

/** The chunk types of a PNG, each checked against its CRC with zlib's own CRC-32. */
function pngChunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    expect(png.readUInt32BE(at + 8 + length), `CRC of ${type}`).to.equal(
      zlib.crc32(png.subarray(at + 4, at + 8 + length)),
    );
    types.push(type);
    at += 12 + length;
  }
  return types;
}

function webpChunks(webp: Buffer) {
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 12; at < webp.length;) {
    const length = webp.readUInt32LE(at + 4);
    chunks.push({ type: webp.toString('latin1', at, at + 4), data: webp.subarray(at + 8, at + 8 + length) });
    at += 8 + length + (length & 1);
  }
  return chunks;
}

function cleaned(buffer: Buffer, name?: string) {
  const result = checkAttachment(buffer, name);
  if (!result.ok) throw new Error(`refused: ${result.problem}`);
  return result.file;
}

const problemOf = (buffer: Buffer, name?: string) => {
  const result = checkAttachment(buffer, name);
  return result.ok ? `accepted as ${result.file.type}` : result.problem;
};

// ---------------------------------------------------------------------------------------------------------------

describe('Ticket attachments: checked by content, stripped of metadata, stored out of reach', () => {
  describe('what a citizen may attach', () => {
    it('accepts a JPEG, PNG or WebP photo and a PDF, judging by the bytes whatever the name says', async () => {
      expect(cleaned(plainJpeg(), 'laporan.pdf').type).to.equal('image/jpeg');
      expect(cleaned(plainPng(), 'foto.jpg').type).to.equal('image/png');
      expect(cleaned(metadataWebp(), 'gambar').type).to.equal('image/webp');
      expect(cleaned(await pdfWithAuthor(), 'kuitansi.png').type).to.equal('application/pdf');
    });

    it('refuses an HTML page named foto.png, an SVG, an EXE, a ZIP named laporan.pdf and random bytes', () => {
      const html = Buffer.from('<!doctype html><html><script>fetch("/api/v1/me")</script></html>');
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
      const exe = Buffer.concat([Buffer.from('MZ\x90\0', 'latin1'), Buffer.alloc(200)]);
      const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200)]);
      const noise = Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 7919) % 251));
      expect(problemOf(html, 'foto.png')).to.equal('attachment.type');
      expect(problemOf(svg, 'peta.svg')).to.equal('attachment.type');
      expect(problemOf(exe, 'foto.jpg')).to.equal('attachment.type');
      expect(problemOf(zip, 'laporan.pdf')).to.equal('attachment.type');
      expect(problemOf(noise, 'x.webp')).to.equal('attachment.type');
    });

    it('refuses files that only start like a photo or a PDF: cut short, corrupted, or a bare header', async () => {
      const photo = plainJpeg();
      expect(problemOf(photo.subarray(0, photo.length - 40))).to.equal('attachment.damaged');
      expect(problemOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).to.equal('attachment.damaged');
      const jpegThenHtml = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('<html>')]);
      expect(problemOf(jpegThenHtml)).to.equal('attachment.damaged');

      const png = plainPng();
      expect(problemOf(png.subarray(0, png.length - 12))).to.equal('attachment.damaged'); // no IEND
      const flipped = Buffer.from(png);
      flipped[8 + 25 + 8 + 3] ^= 0xff; // a byte inside IDAT: its CRC no longer matches
      expect(problemOf(flipped)).to.equal('attachment.damaged');

      const webp = metadataWebp();
      expect(problemOf(webp.subarray(0, webp.length - 10))).to.equal('attachment.damaged');
      const fakeWebp = Buffer.concat([Buffer.from('RIFF\x10\0\0\0WEBPVP8 \x04\0\0\0', 'latin1'), Buffer.from('abcd')]);
      expect(problemOf(fakeWebp)).to.equal('attachment.damaged');

      const pdf = await pdfWithAuthor();
      expect(problemOf(pdf.subarray(0, Math.floor(pdf.length / 2)))).to.equal('attachment.damaged');
      expect(problemOf(Buffer.from('%PDF-1.7\n<html>not a pdf</html>'))).to.equal('attachment.damaged');
    });

    it('never breaks on a mangled file: thousands of cut and flipped variants are each accepted or refused, never thrown', async () => {
      let seed = 20260305;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const originals = [phoneJpeg(), appPng(), metadataWebp(), await pdfWithAuthor()];
      const outcomes = new Set<string>();
      for (let round = 0; round < 3000; round++) {
        const original = originals[round % originals.length]!;
        const mangled = Buffer.from(original.subarray(0, Math.max(1, Math.floor(random() * original.length * 1.1))));
        for (let flips = Math.floor(random() * 4); flips > 0; flips--)
          mangled[Math.floor(random() * mangled.length)] = Math.floor(random() * 256);
        const result = checkAttachment(mangled);
        outcomes.add(result.ok ? 'accepted' : result.problem);
        if (result.ok) expect(sniffType(result.file.buffer)).to.equal(result.file.type);
      }
      expect([...outcomes]).to.include.members(['accepted', 'attachment.damaged']);
    });

    it('refuses an empty file, a file over 5 MB, and a fourth file, naming the file in the error', () => {
      const limits = { max: 3, maxMb: 5, maxMegapixels: 40, maxSide: 12_000 };
      expect(problemOf(Buffer.alloc(0))).to.equal('attachment.empty');
      const big = Buffer.concat([plainJpeg(), Buffer.alloc(MAX_ATTACHMENT_BYTES)]);
      expect(problemOf(big)).to.equal('attachment.too_large');

      const photo = { buffer: plainJpeg(), originalname: 'antrean.jpg' };
      expect(prepareAttachments([photo, photo, photo])).to.have.length(3);
      expect(() => prepareAttachments([photo, photo, photo, photo]))
        .to.throw(AppError)
        .with.property('fields')
        .that.deep.equals({ attachments: { key: 'attachment.too_many', params: { ...limits, name: '' } } });
      try {
        prepareAttachments([photo, { buffer: Buffer.from('<html>'), originalname: 'C:\\Users\\budi\\bukti.png' }]);
        expect.fail('a disguised HTML file must be refused');
      } catch (error) {
        expect((error as AppError).fields?.attachments).to.deep.include({
          key: 'attachment.type',
          params: { ...limits, name: 'bukti.png' },
        });
      }
    });
  });

  describe('pictures that would take too much memory to draw (decompression bombs)', () => {
    /** A valid PNG whose header claims another size (the IHDR CRC made right), the pixel data left as it is. */
    const pngClaiming = (width: number, height: number) => {
      const png = Buffer.from(plainPng());
      png.writeUInt32BE(width, 16);
      png.writeUInt32BE(height, 20);
      png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
      return png;
    };
    /** The plain JPEG with its frame header (SOF0) claiming another size. */
    const jpegClaiming = (width: number, height: number) => {
      const photo = Buffer.from(plainJpeg());
      const sof = photo.indexOf(Buffer.from([0xff, 0xc0]));
      photo.writeUInt16BE(height, sof + 5);
      photo.writeUInt16BE(width, sof + 7);
      return photo;
    };
    /** An extended WebP whose canvas (VP8X, stored minus one) claims another size. */
    const webpClaiming = (width: number, height: number) => {
      const webp = Buffer.from(metadataWebp());
      webp.writeUIntLE(width - 1, 24, 3);
      webp.writeUIntLE(height - 1, 27, 3);
      return webp;
    };
    /** A lossless WebP whose VP8L header (14 bits a side, minus one) claims another size. */
    const losslessClaiming = (width: number, height: number) => {
      const chunk = Buffer.from(VP8L);
      chunk.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 9);
      const header = Buffer.from('RIFF\0\0\0\0WEBP', 'latin1');
      header.writeUInt32LE(4 + chunk.length, 4);
      return Buffer.concat([header, chunk]);
    };
    /** A lossy WebP key frame header (VP8): frame tag, start code, 14 bits a side. */
    const lossyClaiming = (width: number, height: number) => {
      const frame = Buffer.alloc(10);
      frame.set([0x9d, 0x01, 0x2a], 3);
      frame.writeUInt16LE(width, 6);
      frame.writeUInt16LE(height, 8);
      const body = riffChunk('VP8 ', frame);
      const header = Buffer.from('RIFF\0\0\0\0WEBP', 'latin1');
      header.writeUInt32LE(4 + body.length, 4);
      return Buffer.concat([header, body]);
    };

    it('refuses a JPEG, PNG or WebP whose header claims over 40 megapixels or a side over 12,000 pixels', () => {
      const bombs: [string, Buffer][] = [
        ['PNG 50,000 × 50,000', pngClaiming(50_000, 50_000)],
        ['PNG 2³² − 1 wide', pngClaiming(0xffffffff, 1)],
        ['PNG 12,001 × 10', pngClaiming(MAX_IMAGE_SIDE + 1, 10)],
        ['JPEG 65,535 × 65,535', jpegClaiming(65_535, 65_535)],
        ['JPEG 7,000 × 7,000 (49 MP)', jpegClaiming(7_000, 7_000)],
        ['WebP canvas 16,383 × 16,383', webpClaiming(16_383, 16_383)],
        ['lossless WebP 16,384 × 16,384', losslessClaiming(16_384, 16_384)],
        ['lossy WebP 16,383 × 3,000', lossyClaiming(16_383, 3_000)],
      ];
      for (const [what, bomb] of bombs) expect(problemOf(bomb), what).to.equal('attachment.too_many_pixels');
    });

    it('reads the size before anything else, and lets pictures within the bounds through to the usual checks', () => {
      // Within the bounds the claim is only a claim: the structure is then checked as for any picture.
      expect(problemOf(pngClaiming(6_000, 6_000))).to.equal('accepted as image/png');
      expect(problemOf(jpegClaiming(4_000, 3_000))).to.equal('accepted as image/jpeg');
      expect(problemOf(lossyClaiming(16_383, 3_000).subarray(0, 24))).not.to.equal('attachment.too_many_pixels');
      expect(problemOf(jpegClaiming(12_000, 3_333))).to.equal('accepted as image/jpeg');
    });

    it('says so in the citizen language, with the limits', async () => {
      const app = express();
      app.use(languageMiddleware);
      app.post('/api/upload', attachmentUpload(), (req, res) => {
        prepareAttachments(req.files as Express.Multer.File[]);
        res.status(201).end();
      });
      app.use(errorHandler);
      const send = (lang: string) =>
        request(app)
          .post('/api/upload')
          .set('Accept-Language', lang)
          .attach('attachments', pngClaiming(50_000, 50_000), 'bom.png')
          .expect(400);
      expect((await send('id')).body.error.fields.attachments).to.equal(
        'Gambar "bom.png" terlalu besar: paling banyak 40 megapiksel dan 12000 piksel per sisi. Perkecil lalu kirim ulang.',
      );
      expect((await send('en')).body.error.fields.attachments).to.equal(
        'The image "bom.png" is too large: at most 40 megapixels and 12000 pixels a side. Make it smaller and send it again.',
      );
    });
  });

  describe('photo metadata is removed before anyone sees the file', () => {
    it('JPEG: GPS, camera, XMP, IPTC, comments and a trailing video go; ICC and orientation stay; pixels are identical', () => {
      const original = phoneJpeg();
      expect(contains(original, SECRET_GPS) && contains(original, SECRET_CAMERA)).to.equal(true);
      const { buffer, metadata } = cleaned(original, 'IMG_20260305.jpg');

      expect(metadata).to.equal('removed');
      for (const secret of [SECRET_GPS, SECRET_CAMERA, 'xmpmeta', 'Photoshop', 'MPF', 'ftypmp42'])
        expect(contains(buffer, secret), secret).to.equal(false);
      expect([...buffer.subarray(0, 2)]).to.deep.equal([0xff, 0xd8]);
      expect([...buffer.subarray(-2)]).to.deep.equal([0xff, 0xd9]);
      expect(contains(buffer, 'JFIF\0')).to.equal(true);
      expect(contains(buffer, 'ICC_PROFILE\0')).to.equal(true);
      // Orientation 6 (rotate 90°) survives in a minimal EXIF: the photo still shows upright.
      expect(buffer.includes(Buffer.from([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06]))).to.equal(true);

      const before = jpeg.decode(plainJpeg(), { useTArray: true });
      const after = jpeg.decode(buffer, { useTArray: true });
      expect([after.width, after.height]).to.deep.equal([64, 48]);
      expect(Buffer.from(after.data).equals(Buffer.from(before.data))).to.equal(true);
      expect(cleaned(buffer).buffer.equals(buffer), 'cleaning twice changes nothing').to.equal(true);
    });

    it('PNG: text, eXIf, tIME and private chunks go with whatever follows IEND; colour chunks stay; pixels are identical', () => {
      const { buffer } = cleaned(appPng());
      for (const secret of [SECRET_GPS, 'xmpmeta', SECRET_CAMERA, 'c2pa', '<script>'])
        expect(contains(buffer, secret), secret).to.equal(false);
      expect(pngChunkTypes(buffer)).to.deep.equal(['IHDR', 'gAMA', 'pHYs', 'IDAT', 'IEND']);
      const before = PNG.sync.read(plainPng());
      const after = PNG.sync.read(buffer);
      expect(after.data.equals(before.data)).to.equal(true);
    });

    it('WebP: EXIF and XMP chunks go, their VP8X flags are cleared and the RIFF size is right', () => {
      const { buffer } = cleaned(metadataWebp());
      expect(contains(buffer, SECRET_GPS)).to.equal(false);
      expect(buffer.readUInt32LE(4)).to.equal(buffer.length - 8);
      const chunks = webpChunks(buffer);
      expect(chunks.map((chunk) => chunk.type)).to.deep.equal(['VP8X', 'VP8L']);
      expect(chunks[0]!.data[0]! & 0x0c).to.equal(0);
      expect(chunks[1]!.data.equals(VP8L.subarray(8, 8 + 13))).to.equal(true);
    });

    it('PDF: the information dictionary, XMP and what incremental updates left behind go; the pages stay readable', async () => {
      const pdf = await pdfWithAuthor();
      expect(contains(pdf, PDF_AUTHOR)).to.equal(true);
      const result = await cleanAttachment(pdf, 'kuitansi.pdf');
      if (!result.ok) throw new Error(`refused: ${result.problem}`);
      const { buffer, metadata } = result.file;
      expect(metadata).to.equal('removed');
      for (const secret of [PDF_AUTHOR, 'Budi', 'Kuitansi pungli', 'Writer', 'Editor 2.0', 'xmpmeta', 'D:2026'])
        expect(contains(buffer, secret), secret).to.equal(false);
      const opened = await readPdf(buffer);
      expect(opened.pages).to.deep.equal(['Kuitansi Rp 50.000 tanpa dasar hukum']);
      expect(opened.metadata).to.equal(null);
      for (const key of ['Author', 'Title', 'Subject', 'Keywords', 'Creator', 'Producer', 'CreationDate', 'ModDate'])
        expect(opened.info, key).not.to.have.property(key);
      const again = await cleanAttachment(buffer);
      expect(again.ok, 'a cleaned PDF is accepted again').to.equal(true);
    });

    it('PDF: refuses one that cannot be cleaned safely (password-locked, or objects that do not parse), never throwing', async () => {
      const pdf = (await pdfWithAuthor()).toString('latin1');
      const locked = pdf.replace(
        /trailer\n<</g,
        'trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >>',
      );
      expect(await cleanAttachment(Buffer.from(locked, 'latin1'))).to.deep.equal({
        ok: false,
        problem: 'attachment.pdf_not_cleanable',
      });
      const garbled = pdf.replace('/Type /Page\n', '/Type /Page /Broken <<< ((\n');
      expect(await cleanAttachment(Buffer.from(garbled, 'latin1'))).to.deep.include({ ok: false });

      let seed = 20261206;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const original = Buffer.from(pdf, 'latin1');
      const outcomes = new Set<string>();
      for (let round = 0; round < 150; round++) {
        const mangled = Buffer.from(original);
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--)
          mangled[Math.floor(random() * mangled.length)] = Math.floor(random() * 256);
        const result = await cleanAttachment(mangled);
        outcomes.add(result.ok ? 'accepted' : result.problem);
        if (result.ok) expect(contains(result.file.buffer, PDF_AUTHOR)).to.equal(false);
      }
      expect(outcomes).to.include('accepted');
    });

    it('computes the same CRC-32 as zlib, which PNG chunks are checked against', () => {
      for (const text of ['IEND', 'IHDR\0\0\0\x01', SECRET_GPS])
        expect(crc32(Buffer.from(text, 'latin1'))).to.equal(zlib.crc32(Buffer.from(text, 'latin1')));
    });
  });

  describe('file names from the citizen', () => {
    it('keeps only a display name: no folders, no control or direction-changing characters, at most 100 characters', () => {
      expect(displayName('../../etc/passwd')).to.equal('passwd');
      expect(displayName('C:\\Users\\Budi\\Foto antrean.JPG')).to.equal('Foto antrean.JPG');
      expect(displayName('bukti\u202Egpj.exe')).to.equal('buktigpj.exe');
      expect(displayName('a\u0000b\r\nc\t.png')).to.equal('ab c .png');
      expect(displayName('   ...  ')).to.equal(undefined);
      expect(displayName('foto-'.repeat(40) + '.jpg')).to.have.length(100);
      expect(displayName(undefined)).to.equal(undefined);
    });
  });

  describe('storage in the attachment store (the database’s file store here)', () => {
    useTestDatabase();

    it('streams the cleaned file into the store under a random key, reads it back and deletes it', async () => {
      const stored = await storeAttachment(phoneJpeg(), { originalName: '../../../home/budi/IMG_0001.jpg' });
      expect(stored.storedName).to.match(/^[A-Za-z0-9_-]{32}$/);
      expect(stored.storedName).not.to.include('IMG');
      expect(stored).to.include({ type: 'image/jpeg', originalName: 'IMG_0001.jpg', metadata: 'removed' });
      expect(stored.id).to.match(/^[A-Za-z0-9_-]{16}$/);

      const opened = await openAttachment(stored.storedName);
      expect(opened.size).to.equal(stored.size);
      const chunks: Buffer[] = [];
      for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      expect(contains(bytes, SECRET_GPS)).to.equal(false);
      expect(bytes.length).to.equal(stored.size);
      expect(createHash('sha256').update(bytes).digest('hex')).to.equal(stored.sha256);

      await deleteAttachment(stored.storedName);
      await deleteAttachment(stored.storedName); // twice is fine
      const gone = await openAttachment(stored.storedName).catch((error: unknown) => error);
      expect(gone).to.be.instanceOf(AppError).with.property('code', 'not_found');
      expect(await storedFileCount()).to.equal(0);
    });

    it('refuses to store a disguised file, and opens nothing by a name that is not a store key', async () => {
      const refused = await storeAttachment(Buffer.from('<html>'), { originalName: 'x.png' }).catch((e) => e);
      expect(refused).to.be.instanceOf(AppError).with.property('code', 'validation');
      expect(await storedFileCount()).to.equal(0);
      for (const name of ['../../../etc/passwd', '2026/03/../../../../etc/passwd', '/etc/passwd', '2026/03/', '']) {
        expect(await openAttachment(name).catch((error: unknown) => (error as AppError).code)).to.equal('not_found');
      }
      expect(await openAttachment({ $ne: null } as never).catch((error: unknown) => (error as AppError).code)).to.equal(
        'not_found',
      );
    });
  });

  describe('upload and download over HTTP (the intake route uses these pieces)', () => {
    useTestDatabase();
    let app: Express;
    const stored = new Map<string, StoredAttachment>();

    before(async () => {
      app = express();
      app.use(languageMiddleware);
      app.post('/api/upload', attachmentUpload(), async (req, res) => {
        const files = prepareAttachments(req.files as Express.Multer.File[]);
        const saved = [];
        for (const file of files) saved.push(await storeAttachment(file.buffer, { originalName: file.originalName }));
        for (const file of saved) stored.set(file.id, file);
        res.status(201).json(saved);
      });
      app.get('/files/:id', async (req, res) => {
        const meta = stored.get(String(req.params.id));
        if (!meta) throw new AppError('not_found');
        const { stream } = await openAttachment(meta.storedName);
        await sendAttachment(res, meta, stream);
      });
      app.get('/page', (_req, res) => {
        const images = [...stored.values()].filter((file) => file.type.startsWith('image/'));
        res
          .type('html')
          .send(images.map((file) => `<img id="${file.type.slice(6)}" src="/files/${file.id}">`).join(''));
      });
      app.use(errorHandler);
    });

    const storedFiles = async () => (await attachmentFiles()).map((file) => file._id);

    it('stores three good files from a multipart form, cleaned, with their display names', async () => {
      const response = await request(app)
        .post('/api/upload')
        .field('description', 'Diminta uang tambahan di loket')
        .attach('attachments', phoneJpeg(), { filename: 'foto loket.jpg', contentType: 'image/jpeg' })
        .attach('attachments', appPng(), { filename: 'tangkapan layar.png', contentType: 'image/png' })
        .attach('attachments', await pdfWithAuthor(), { filename: 'kuitansi.pdf', contentType: 'application/pdf' })
        .expect(201);
      expect(
        response.body.map((file: StoredAttachment) => [file.type, file.originalName, file.metadata]),
      ).to.deep.equal([
        ['image/jpeg', 'foto loket.jpg', 'removed'],
        ['image/png', 'tangkapan layar.png', 'removed'],
        ['application/pdf', 'kuitansi.pdf', 'removed'],
      ]);
      expect(await storedFiles()).to.have.length(3);
    });

    it('answers a fourth file with 400, a 6 MB file with 413, a stray file field and a broken body with 400, storing nothing', async () => {
      const before = (await storedFiles()).length;
      const photo = plainJpeg();
      const four = await request(app)
        .post('/api/upload')
        .attach('attachments', photo, 'a.jpg')
        .attach('attachments', photo, 'b.jpg')
        .attach('attachments', photo, 'c.jpg')
        .attach('attachments', photo, 'd.jpg')
        .expect(400);
      expect(four.body.error.code).to.equal('validation');
      expect(four.body.error.fields).to.have.property('attachments');

      const big = await request(app)
        .post('/api/upload')
        .attach('attachments', Buffer.concat([photo, Buffer.alloc(6 * 1024 * 1024)]), 'besar.jpg')
        .expect(413);
      expect(big.body.error.code).to.equal('too_large');
      expect(big.body.error.fields).to.have.property('attachments');

      const stray = await request(app).post('/api/upload').attach('avatar', photo, 'a.jpg').expect(400);
      expect(stray.body.error.fields).to.have.property('attachments');

      const disguised = await request(app)
        .post('/api/upload')
        .attach('attachments', photo, 'a.jpg')
        .attach('attachments', Buffer.from('<html><script>alert(1)</script>'), {
          filename: 'foto.png',
          contentType: 'image/png',
        })
        .expect(400);
      expect(disguised.body.error.fields).to.have.property('attachments');

      await request(app)
        .post('/api/upload')
        .set('Content-Type', 'multipart/form-data; boundary=xyz')
        .send('--xyz\r\nContent-Disposition: form-data; name="attachments"; filename="a.jpg"\r\n\r\nunfinished')
        .expect(400);
      expect(await storedFiles()).to.have.length(before);
    });

    it('serves a photo inline and a PDF as a download, with its sniffed type, nosniff and a CSP that allows nothing', async () => {
      const [photo, , pdf] = [...stored.values()];
      const image = await request(app).get(`/files/${photo!.id}`).expect(200);
      expect(image.headers['content-type']).to.equal('image/jpeg');
      expect(image.headers['x-content-type-options']).to.equal('nosniff');
      expect(image.headers['content-security-policy']).to.match(/^default-src 'none'.*sandbox$/);
      expect(image.headers['content-disposition']).to.match(/^inline; filename="foto loket\.jpg"/);
      expect(image.headers['cache-control']).to.equal('private, no-store');
      expect(Number(image.headers['content-length'])).to.equal(photo!.size);

      const document = await request(app).get(`/files/${pdf!.id}`).expect(200);
      expect(document.headers['content-type']).to.equal('application/pdf');
      expect(document.headers['content-disposition']).to.match(/^attachment; filename="kuitansi\.pdf"/);
    });

    it('names a download after its real type and keeps a non-ASCII name readable', async () => {
      const [upload] = (
        await request(app)
          .post('/api/upload')
          .attach('attachments', plainPng(), { filename: 'bukti_ñ.exe', contentType: 'application/octet-stream' })
          .expect(201)
      ).body as StoredAttachment[];
      const response = await request(app).get(`/files/${upload!.id}`).expect(200);
      expect(response.headers['content-type']).to.equal('image/png');
      expect(response.headers['content-disposition']).to.equal(
        `inline; filename="bukti__.png"; filename*=UTF-8''bukti_%C3%B1.png`,
      );
    });

    describe('in a real browser', function () {
      const browser = useBrowser(this, () => app);

      it('draws every cleaned photo (JPEG, PNG, WebP) and shows one opened on its own despite the CSP', async function () {
        this.timeout(60_000);
        await request(app)
          .post('/api/upload')
          .attach('attachments', metadataWebp(), { filename: 'stiker.webp', contentType: 'image/webp' })
          .expect(201);
        const page = await browser.browser!.newPage();
        await page.goto(`${browser.baseUrl}/page`);
        // A string, because the test code is compiled without the DOM's types.
        const drawn = await page.evaluate(
          `Promise.all([...document.images].map((img) => img.decode().then(() => [img.id, img.naturalWidth, img.naturalHeight])))`,
        );
        expect(drawn).to.deep.include.members([
          ['jpeg', 48, 64], // 64×48 turned upright: the kept orientation tag works
          ['png', 40, 30],
          ['webp', 1, 1],
        ]);

        const [photo] = [...stored.values()];
        await page.setViewportSize({ width: 200, height: 200 });
        const response = await page.goto(`${browser.baseUrl}/files/${photo!.id}`);
        expect(response!.status()).to.equal(200);
        const shot = PNG.sync.read(await page.screenshot());
        const center = (100 * shot.width + 100) * 4;
        const [red, green] = [shot.data[center]!, shot.data[center + 1]!];
        expect(red, 'the orange photo is drawn in the middle of the page').to.be.within(215, 245);
        expect(green).to.be.within(120, 170);
        await page.close();
      });
    });
  });
});
