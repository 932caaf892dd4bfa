import { expect } from 'chai';
import type { Express } from 'express';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';

describe('In a real browser: the platform administrator adds a category with its template, and the public form offers it', function () {
  useTestDatabase();
  let app: Express;
  before(async function () {
    this.timeout(60_000);
    app = await testApp();
    await seedDirectory();
  });
  const browser = useBrowser(this, () => app);

  it('adds “Sistem antrean”, writes and previews its reply, and a citizen can choose it', async function () {
    this.timeout(120_000);
    const context = await browser.browser!.newContext({ locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${browser.baseUrl}/login?next=/admin`);
    await page.getByLabel('E-mail').fill('root@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/admin$/);

    await page.getByRole('link', { name: 'Kategori pengaduan' }).click();
    await page.getByRole('link', { name: 'Tambah kategori' }).click();
    await page.getByLabel('Kode', { exact: true }).fill('queue_system');
    await page.getByLabel('Nama (Bahasa Indonesia)').fill('Sistem antrean');
    await page.getByLabel('Nama (English)').fill('Queueing system');
    await page.locator('#skmElements').getByLabel('U3').check();
    await page.locator('#berakhlakValues').getByLabel('adaptif').check();
    await page.getByLabel('Batas verifikasi', { exact: false }).fill('2');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/\/admin\/categories$/);
    const row = page.locator('tr[data-category="queue_system"]');
    expect(await row.textContent()).to.include('Sistem antrean');
    expect(await row.textContent()).to.include('U3');

    await page.getByRole('link', { name: 'Templat jawaban' }).click();
    await page.getByRole('link', { name: 'Tambah templat' }).click();
    await page.getByLabel('Kode', { exact: true }).fill('queue_reply');
    await page.getByLabel('Kategori', { exact: true }).selectOption({ label: 'Sistem antrean' });
    await page.getByLabel('Judul (Bahasa Indonesia)').fill('Antrean: sedang dibenahi');
    await page.getByLabel('Judul (English)').fill('Queue: being fixed');
    await page
      .getByLabel('Isi (Bahasa Indonesia)')
      .fill('Laporan {code} tentang antrean di {unit} sedang kami benahi.');
    await page.getByLabel('Isi (English)').fill('Report {code} about the queue at {unit} is being fixed.');
    await page.getByRole('button', { name: 'Pratinjau' }).click();
    await page.locator('#preview').getByText('Laporan SR-CONTOH-0001 tentang antrean di Puskesmas Contoh').waitFor();
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/\/admin\/templates$/);
    expect(await page.locator('tr[data-template="queue_reply"]').textContent()).to.include('Sistem antrean');

    await page.goto(`${browser.baseUrl}/u/PKM-KEBUNHANDIL`);
    expect(await page.locator('option[value="queue_system"]').textContent()).to.equal('Sistem antrean');
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
