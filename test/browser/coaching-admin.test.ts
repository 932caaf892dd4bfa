import { expect } from 'chai';
import type { Express } from 'express';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { coachingWorld } from '../coaching/work-helpers.js';

describe('In a real browser: an agency admin fills the training catalogue and points a suggestion rule at a course', function () {
  useTestDatabase();
  let app: Express;
  before(async function () {
    this.timeout(60_000);
    app = (await coachingWorld()).app;
  });
  const browser = useBrowser(this, () => app);

  it('adds a course, then edits the conduct rule to suggest it, and sees the agency’s rule in the list', async function () {
    this.timeout(120_000);
    const context = await browser.browser!.newContext({ locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${browser.baseUrl}/login?next=/admin/training-catalogue`);
    await page.getByLabel('E-mail').fill('admin.jambi@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/admin\/training-catalogue$/);
    await page.getByRole('heading', { level: 1, name: 'Katalog pelatihan' }).waitFor();

    await page.getByLabel('Judul pelatihan').fill('Pelatihan Etika Pelayanan Publik');
    await page.getByLabel('Penyelenggara').fill('BPSDM Provinsi Jambi');
    await page.getByLabel('Jam pelajaran (JP)').fill('24');
    await page.getByLabel('Metode').selectOption('e_learning');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.locator('#courses').getByText('Pelatihan Etika Pelayanan Publik').waitFor();
    await page.locator('#courses').getByText('E-learning').waitFor();

    await page.getByRole('link', { name: 'Aturan usulan pelatihan' }).click();
    await page.waitForURL(/\/admin\/coaching-rules\?agency=JAMBI$/);
    await page.locator('tr[data-rule="conduct_repeat"]').getByRole('link', { name: 'Ubah aturan' }).click();
    await page.waitForURL(/\/admin\/coaching-rules\/conduct_repeat\/edit/);
    await page.getByText('Ini aturan bawaan nasional').waitFor();
    await page.getByLabel('Jumlah temuan minimal').fill('1');
    await page
      .getByLabel('Dari katalog pelatihan')
      .selectOption({ label: 'Pelatihan Etika Pelayanan Publik · BPSDM Provinsi Jambi · 24 JP' });
    await page.getByLabel('Pelatihan yang diusulkan (Bahasa Indonesia)').fill('');
    await page.getByLabel('Pelatihan yang diusulkan (Inggris, boleh kosong)').fill('');
    await page.getByLabel('Jam pelajaran (JP, boleh kosong)').fill('');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/\/admin\/coaching-rules\?agency=JAMBI$/);
    const row = page.locator('tr[data-rule="conduct_repeat"]');
    await row.getByText('Aturan instansi').waitFor();
    expect(await row.textContent()).to.include('minimal 1 temuan dalam 90 hari');
    expect(await row.textContent()).to.include('Pelatihan Etika Pelayanan Publik (24 JP)');
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
