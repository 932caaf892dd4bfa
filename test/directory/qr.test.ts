import { expect } from 'chai';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express } from 'express';
import jsQR from 'jsqr';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PNG } from 'pngjs';
import request from 'supertest';
import { citizenUrl, posterPdf, printedUrl } from '../../src/modules/directory/qr.js';
import { findOfficer, saveCounter } from '../../src/modules/directory/service.js';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';

// Plain http: with an https address the session cookie is Secure and the test client would not send it back.
const PUBLIC_URL = 'http://suara.jambiprov.go.id';
const SITI_NIP = '198503152010012001'; // Puskesmas Kebun Handil
const BUDI_NIP = '199001012015031002'; // Puskesmas Putri Ayu

const standardFontDataUrl =
  path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

/** The text of every page of a PDF, as a reader's copy-and-paste would give it, and the page sizes. */
async function readPdf(pdf: Buffer) {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl, verbosity: 0 }).promise;
  const pages: { text: string; width: number; height: number }[] = [];
  for (let number = 1; number <= doc.numPages; number++) {
    const page = await doc.getPage(number);
    const content = await page.getTextContent();
    const text = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join('');
    const [, , width, height] = page.view;
    pages.push({ text: text.replace(/\s+/g, ' '), width: width!, height: height! });
  }
  await doc.destroy();
  return pages;
}

/** pdf.js's own canvas in Node (@napi-rs/canvas), typed as far as we use it. */
interface CanvasFactory {
  create(
    width: number,
    height: number,
  ): {
    canvas: unknown;
    context: {
      getImageData(
        x: number,
        y: number,
        w: number,
        h: number,
      ): { data: Uint8ClampedArray; width: number; height: number };
    };
  };
}

/** Renders page 1 as a picture and reads the QR codes in its left and right halves, as two phones would. */
async function scanPoster(pdf: Buffer): Promise<(string | null)[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl, verbosity: 0 }).promise;
  const page = await doc.getPage(1);
  const viewport = page.getViewport({ scale: 2 });
  const { canvas, context } = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory.create(
    viewport.width,
    viewport.height,
  );
  await page.render({ canvas, canvasContext: context, viewport }).promise;
  const halves = [0, 1].map((half) => {
    const width = Math.floor(viewport.width / 2);
    const image = context.getImageData(half * width, 0, width, Math.floor(viewport.height));
    return jsQR.default(image.data, image.width, image.height)?.data ?? null;
  });
  await doc.destroy();
  return halves;
}

function readQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

/** Supertest collects binary bodies as Buffers with this parser. */
const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('QR posters: a citizen scans a code at the counter and lands on the right form', () => {
  useTestDatabase();
  let app: Express;
  let sitiRef: string;
  let budiRef: string;
  const agents: Record<string, request.Agent> = {};

  before(async function () {
    this.timeout(60_000);
    app = await testApp({ PUBLIC_URL });
    const { admin } = await seedDirectory();
    await saveCounter(admin, 'PKM-KEBUNHANDIL', { code: 'L1', name: 'Loket Pendaftaran' });
    sitiRef = (await findOfficer({ nip: SITI_NIP }))!.ref;
    budiRef = (await findOfficer({ nip: BUDI_NIP }))!.ref;
    for (const email of ['kepala.kebunhandil@suara.test', 'kepala.dinkes@suara.test', 'petugas@suara.test']) {
      agents[email] = request.agent(app);
      await signIn(agents[email]!, email);
    }
  });
  const as = (email: string) => agents[email]!;

  it('builds the fixed link shapes: /u/<UNIT> and /survey/<UNIT>, with counter and officer reference', () => {
    expect(citizenUrl(`${PUBLIC_URL}/`, 'form', { unitCode: 'PKM-KEBUNHANDIL' })).to.equal(
      `${PUBLIC_URL}/u/PKM-KEBUNHANDIL`,
    );
    expect(
      citizenUrl(PUBLIC_URL, 'survey', { unitCode: 'PKM-KEBUNHANDIL', counter: 'L1', officerRef: 'ab_C-9' }),
    ).to.equal(`${PUBLIC_URL}/survey/PKM-KEBUNHANDIL?counter=L1&officer=ab_C-9`);
    expect(printedUrl(`${PUBLIC_URL}/u/PKM-KEBUNHANDIL?counter=L1&officer=x`)).to.equal(
      'suara.jambiprov.go.id/u/PKM-KEBUNHANDIL',
    );
  });

  it('gives the unit head a form code for a counter and officer that a phone reads as the prefilled link, without the NIP', async function () {
    this.timeout(20_000);
    const response = await as('kepala.kebunhandil@suara.test')
      .get(`/admin/units/PKM-KEBUNHANDIL/qr.png?kind=form&counter=L1&officer=${sitiRef}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(response.headers['content-type']).to.equal('image/png');
    const png = response.body as Buffer;
    expect([...png.subarray(0, 8)]).to.deep.equal([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(PNG.sync.read(png).width).to.be.at.least(1000);
    const payload = readQrPng(png);
    expect(payload).to.equal(`${PUBLIC_URL}/u/PKM-KEBUNHANDIL?counter=L1&officer=${sitiRef}`);
    expect(payload).not.to.include(SITI_NIP);
  });

  it('gives a survey code that reads as the survey link of the unit', async function () {
    this.timeout(20_000);
    const response = await as('kepala.dinkes@suara.test')
      .get('/admin/units/pkm-kebunhandil/qr.png?kind=survey')
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(readQrPng(response.body as Buffer)).to.equal(`${PUBLIC_URL}/survey/PKM-KEBUNHANDIL`);
  });

  it('prints a one-page A4 poster for a counter: unit and counter named, both codes explained in two languages, and both scan', async function () {
    this.timeout(30_000);
    const response = await as('kepala.dinkes@suara.test')
      .get('/admin/units/PKM-KEBUNHANDIL/poster.pdf?counter=L1')
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(response.headers['content-type']).to.equal('application/pdf');
    const pdf = response.body as Buffer;
    const pages = await readPdf(pdf);
    expect(pages).to.have.length(1);
    expect([Math.round(pages[0]!.width), Math.round(pages[0]!.height)]).to.deep.equal([595, 842]);
    const text = pages[0]!.text;
    for (const expected of [
      'Pemerintah Provinsi Jambi',
      'Puskesmas Kebun Handil',
      'Loket / Counter: Loket Pendaftaran',
      'Sampaikan pengaduan atau apresiasi',
      'Send a complaint or a compliment',
      'Isi survei kepuasan',
      'Take the satisfaction survey',
      'suara.jambiprov.go.id/u/PKM-KEBUNHANDIL',
      'suara.jambiprov.go.id/survey/PKM-KEBUNHANDIL',
    ])
      expect(text, expected).to.include(expected);
    expect(text.indexOf('Sampaikan pengaduan'), 'Indonesian first').to.be.below(text.indexOf('Send a complaint'));

    expect(await scanPoster(pdf)).to.deep.equal([
      `${PUBLIC_URL}/u/PKM-KEBUNHANDIL?counter=L1`,
      `${PUBLIC_URL}/survey/PKM-KEBUNHANDIL?counter=L1`,
    ]);
  });

  it('prints an officer poster with the name and the opaque reference, never the NIP', async function () {
    this.timeout(30_000);
    const response = await as('kepala.kebunhandil@suara.test')
      .get(`/admin/units/PKM-KEBUNHANDIL/poster.pdf?officer=${sitiRef}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const pdf = response.body as Buffer;
    const [page] = await readPdf(pdf);
    expect(page!.text).to.include('Petugas / Officer: Siti Rahmawati');
    expect(page!.text).not.to.include(SITI_NIP);
    expect(pdf.includes(Buffer.from(SITI_NIP))).to.equal(false);
    const codes = await scanPoster(pdf);
    expect(codes).to.deep.equal([
      `${PUBLIC_URL}/u/PKM-KEBUNHANDIL?officer=${sitiRef}`,
      `${PUBLIC_URL}/survey/PKM-KEBUNHANDIL?officer=${sitiRef}`,
    ]);
    for (const code of codes) expect(code).not.to.include(SITI_NIP);
  });

  it('keeps a poster on one page however long the names in the directory are', async function () {
    this.timeout(20_000);
    const long = 'Unit Pelaksana Teknis Daerah Pusat Kesehatan Masyarakat Rawat Inap Kecamatan Kebun Handil '.repeat(3);
    const pdf = await posterPdf({
      agencyName: 'Pemerintah Provinsi Jambi '.repeat(10),
      unitName: long.trim(),
      counterName: 'Loket Pendaftaran Pasien Umum dan BPJS Kesehatan serta Rujukan '.repeat(3),
      officerName: 'Siti Rahmawati binti Abdullah '.repeat(5),
      formUrl: `${PUBLIC_URL}/u/UPTD-PUSKESMAS-RAWAT-INAP-KEBUN-HANDIL-KOTA`,
      surveyUrl: `${PUBLIC_URL}/survey/UPTD-PUSKESMAS-RAWAT-INAP-KEBUN-HANDIL-KOTA`,
    });
    const pages = await readPdf(pdf);
    expect(pages).to.have.length(1);
    expect(pages[0]!.text).to.include('Isi survei kepuasan');
    expect(await scanPoster(pdf)).to.deep.equal([
      `${PUBLIC_URL}/u/UPTD-PUSKESMAS-RAWAT-INAP-KEBUN-HANDIL-KOTA`,
      `${PUBLIC_URL}/survey/UPTD-PUSKESMAS-RAWAT-INAP-KEBUN-HANDIL-KOTA`,
    ]);
  });

  it('refuses the head of another puskesmas and a handler with 403', async () => {
    await as('kepala.kebunhandil@suara.test').get('/admin/units/PKM-PUTRIAYU/qr.png').expect(403);
    await as('kepala.kebunhandil@suara.test').get('/admin/units/PKM-PUTRIAYU/poster.pdf').expect(403);
    await as('kepala.kebunhandil@suara.test').get('/admin/units/PKM-PUTRIAYU/qr').expect(403);
    await as('petugas@suara.test').get('/admin/units/PKM-KEBUNHANDIL/poster.pdf').expect(403);
  });

  it('answers 404 for an unknown unit, counter or officer, an officer of another unit, and a NIP in place of a reference', async () => {
    const head = as('kepala.dinkes@suara.test');
    await head.get('/admin/units/PKM-TIDAK-ADA/poster.pdf').expect(404);
    await head.get('/admin/units/PKM-KEBUNHANDIL/qr.png?counter=L9').expect(404);
    await head.get('/admin/units/PKM-KEBUNHANDIL/qr.png?officer=tidak-ada-sama-sekali').expect(404);
    await head.get(`/admin/units/PKM-KEBUNHANDIL/poster.pdf?officer=${budiRef}`).expect(404);
    await head.get(`/admin/units/PKM-KEBUNHANDIL/poster.pdf?officer=${SITI_NIP}`).expect(404);
    await head.get('/admin/units/PKM-KEBUNHANDIL/qr.png?kind=brosur').expect(400);
  });

  it('sends someone not signed in to the sign-in page', async () => {
    const response = await request(app).get('/admin/units/PKM-KEBUNHANDIL/poster.pdf').expect(303);
    expect(response.headers.location).to.equal('/login?next=%2Fadmin%2Funits%2FPKM-KEBUNHANDIL%2Fposter.pdf');
  });

  it('lists the posters of a unit per counter and per officer, linking officers by reference only', async () => {
    const response = await as('kepala.kebunhandil@suara.test')
      .get('/admin/units/PKM-KEBUNHANDIL/qr')
      .set('Accept-Language', 'en')
      .expect(200);
    expect(response.text).to.include('QR posters: Puskesmas Kebun Handil');
    expect(response.text).to.include('/admin/units/PKM-KEBUNHANDIL/poster.pdf?counter=L1');
    expect(response.text).to.include(`/admin/units/PKM-KEBUNHANDIL/poster.pdf?officer=${sitiRef}`);
    expect(response.text).to.include('Siti Rahmawati');
    expect(response.text).not.to.include(SITI_NIP);
  });
});
