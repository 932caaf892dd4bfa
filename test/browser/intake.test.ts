import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import { Officer } from '../../src/modules/directory/model.js';
import { createOfficer } from '../../src/modules/directory/service.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { plainJpeg } from '../helpers/files.js';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';

describe('In a real browser: a citizen files a complaint from a QR link on a phone, then tracks it', function () {
  useTestDatabase();
  let app: Express;
  let officerRef: string;
  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    officerRef = (await Officer.findOne({ nip: '198503152010012001' }).lean())!.ref;
    // A name as long as the directory allows: it must not widen the page on a phone.
    await createOfficer(admin, {
      nip: '197912312005011003',
      name: 'Dr. Hj. Raden Ayu Sekar Kusumawardhani Puspitaningrum Hadiningrat, S.Kep., Ns., M.Kes.',
      position: 'Kepala Ruang Pelayanan Rawat Jalan dan Koordinator Mutu Pelayanan Poli Umum',
      unitCode: 'PKM-KEBUNHANDIL',
    });
  });
  const browser = useBrowser(this, () => app);

  it('scans, files, keeps the receipt, and opens the tracking page', async function () {
    this.timeout(60_000);
    const context = await browser.browser!.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'id-ID',
      isMobile: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    await page.goto(`${browser.baseUrl}/u/PKM-KEBUNHANDIL?counter=L1&officer=${officerRef}`);
    expect(await page.getByLabel('Petugas (jika tahu)').inputValue()).to.equal(officerRef);
    expect(await page.getByLabel('Loket').inputValue()).to.equal('L1');
    await page.getByLabel('Kategori').selectOption('waiting_time');
    await page
      .getByLabel('Apa yang terjadi?')
      .fill('Antre dua jam di loket pendaftaran, nomor antrean tidak dipanggil urut.');
    await page.getByLabel('Berapa lama Anda menunggu (menit)?').fill('120');
    await page.getByLabel('E-mail').fill('warga@contoh.id');
    await page.getByText('Rahasia — Laporan tidak ditampilkan').click();
    await page.getByText('Saya setuju data yang saya berikan').click();
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/intake-form-phone.png', fullPage: true });
    await page.getByRole('button', { name: 'Kirim' }).click();

    await page.getByRole('heading', { name: 'Terima kasih, laporan Anda sudah diterima' }).waitFor();
    const code = (await page.locator('code.big').textContent())!.trim();
    expect(code).to.match(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await page.screenshot({ path: 'test-results/intake-receipt-phone.png', fullPage: true });
    await page.getByRole('link', { name: 'Buka halaman pemantauan' }).click();
    await page.waitForURL(new RegExp(`/track/${code}`));
    expect(await page.locator('.status').textContent()).to.equal('Diterima');
    expect(await page.getByText('Antre dua jam di loket pendaftaran').isVisible()).to.equal(true);
    expect(errors).to.deep.equal([]);
    await context.close();
  });

  /** True when the page is no wider than the phone: nothing to scroll sideways. */
  const fitsThePhone = (page: Page) =>
    page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');

  it('makes every mistake once, fixes them without losing the text or the photo, copies the code and tracks', async function () {
    this.timeout(90_000);
    const context = await browser.browser!.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'id-ID',
      isMobile: true,
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: browser.baseUrl });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await mkdir('test-results', { recursive: true });

    await page.goto(`${browser.baseUrl}/u/PKM-KEBUNHANDIL`);
    expect(await fitsThePhone(page), 'the form scrolls sideways at 390 px').to.equal(true);
    const story = 'Nomor antrean saya 57 tidak pernah dipanggil; petugas memanggil nomor 80-an lebih dulu.';
    await page.getByLabel('Apa yang terjadi?').fill(story);
    await page.getByLabel('Kapan terjadi?').fill('2099-01-01T09:00');
    await page.getByLabel('E-mail').fill('warga@contoh');
    await page.getByLabel('Foto atau PDF').setInputFiles({
      name: 'bukti-antrean.jpg',
      mimeType: 'image/jpeg',
      buffer: plainJpeg(),
    });
    await page.getByText('Rahasia — Laporan tidak ditampilkan').click();
    await page.getByRole('button', { name: 'Kirim' }).click();

    // One pass: every mistake at once, the summary first, each message beside its field.
    const summary = page.locator('#intake-errors');
    await summary.waitFor();
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).to.equal('intake-errors');
    const messages = await summary.locator('a').allTextContents();
    expect(messages).to.deep.equal([
      'Kategori: Pilih kategori.',
      'Kapan terjadi?: Waktu kejadian tidak boleh di masa depan.',
      'E-mail: Tulis alamat e-mail yang benar, misalnya nama@contoh.id.',
      'Persetujuan pemrosesan data diperlukan untuk mengirim laporan.',
    ]);
    await page.screenshot({ path: 'test-results/intake-errors-phone.png', fullPage: true });
    expect(await fitsThePhone(page), 'the form with errors scrolls sideways').to.equal(true);
    await summary.getByRole('link', { name: 'Kategori: Pilih kategori.' }).click();
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).to.equal('category');
    expect(await page.getByLabel('Kategori').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByLabel('Apa yang terjadi?').inputValue()).to.equal(story);
    expect(
      await page.getByText('Rahasia — Laporan tidak ditampilkan').locator('..').locator('input').isChecked(),
    ).to.equal(true);
    expect(await page.locator('.staged-list .file-name').allTextContents()).to.deep.equal(['bukti-antrean.jpg']);

    await page.getByLabel('Kategori').selectOption('waiting_time');
    await page.getByLabel('Kapan terjadi?').fill('2026-11-02T08:30');
    await page.getByLabel('E-mail').fill('warga@contoh.id');
    await page.getByText('Saya setuju data yang saya berikan').click();
    await page.getByRole('button', { name: 'Kirim' }).click();

    await page.getByRole('heading', { name: 'Terima kasih, laporan Anda sudah diterima' }).waitFor();
    expect(await fitsThePhone(page), 'the receipt scrolls sideways').to.equal(true);
    const code = (await page.locator('code.big').textContent())!.trim();
    const token = (await page.locator('code.token').textContent())!.trim();
    expect(token).to.match(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    await page.getByRole('button', { name: 'Salin' }).first().click();
    await page.getByText('Tersalin.').waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).to.equal(code);
    expect(await page.locator('.receipt-qr svg').count()).to.equal(1);
    await page.screenshot({ path: 'test-results/intake-receipt-copy-phone.png', fullPage: true });
    const ticket = await Ticket.findOne({ code }).lean();
    expect(ticket!.attachments.map((file) => file.originalName)).to.deep.equal(['bukti-antrean.jpg']);
    expect(ticket!.description).to.equal(story);

    // Tracking by hand: a wrong token shows the form again with the error, the right one opens the report.
    await page.goto(`${browser.baseUrl}/track`);
    await page.getByLabel('Kode pemantauan').fill(await page.evaluate<string>('navigator.clipboard.readText()'));
    await page.getByLabel('Token akses').fill('AAAA-BBBB-CCCC');
    await page.getByRole('button', { name: 'Buka' }).click();
    await page.getByText('Kode atau token tidak cocok').waitFor();
    expect(await page.getByLabel('Kode pemantauan').inputValue()).to.equal(code);
    await page.getByLabel('Token akses').fill(token.toLowerCase());
    await page.getByRole('button', { name: 'Buka' }).click();
    await page.waitForURL(new RegExp(`/track/${code}`));
    expect(await page.locator('.status').textContent()).to.equal('Diterima');
    expect(await page.getByText('Puskesmas Kebun Handil').isVisible()).to.equal(true);
    expect(await page.getByRole('link', { name: /Lampiran bukti-antrean/ }).count()).to.equal(1);
    expect(await fitsThePhone(page), 'the tracking page scrolls sideways').to.equal(true);
    await page.screenshot({ path: 'test-results/intake-track-phone.png', fullPage: true });
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
