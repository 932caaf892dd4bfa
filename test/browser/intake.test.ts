import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import { Officer } from '../../src/modules/directory/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';

describe('In a real browser: a citizen files a complaint from a QR link on a phone, then tracks it', function () {
  useTestDatabase();
  let app: Express;
  let officerRef: string;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    officerRef = (await Officer.findOne({ nip: '198503152010012001' }).lean())!.ref;
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
});
