import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import { Officer } from '../../src/modules/directory/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';

describe('In a real browser: an admin transfers one officer and deactivates another', function () {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  const browser = useBrowser(this, () => app);

  it('finds Siti by name, transfers her to Puskesmas Putri Ayu with a reason, then deactivates Budi', async function () {
    this.timeout(90_000);
    const context = await browser.browser!.newContext({ locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    await page.goto(`${browser.baseUrl}/admin/officers`);
    await page.getByLabel('E-mail').fill('admin.jambi@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/admin\/officers$/);

    await page.getByLabel('Cari nama atau NIP').fill('siti');
    await page.getByRole('button', { name: 'OK' }).click();
    await page.getByRole('link', { name: 'Siti Rahmawati' }).click();
    await page.waitForURL(/\/admin\/officers\/198503152010012001$/);
    await page.getByText('Mutasi ke unit lain', { exact: true }).first().click();
    await page.getByLabel('Unit', { exact: true }).selectOption('PKM-PUTRIAYU');
    await page.getByLabel('Alasan').first().fill('SK mutasi 12/2026');
    await page.getByRole('button', { name: 'Mutasi ke unit lain' }).click();
    await page.waitForURL(/\/admin\/officers\/198503152010012001$/);
    expect(await page.getByRole('link', { name: 'PKM-PUTRIAYU' }).isVisible()).to.equal(true);

    await page.goto(`${browser.baseUrl}/admin/officers?q=199001012015031002`);
    await page.getByRole('link', { name: 'Budi Santoso' }).click();
    await page.getByRole('button', { name: 'Nonaktifkan' }).click();
    await page.waitForURL(/\/admin\/officers\/199001012015031002$/);
    expect(await page.getByText('Pegawai ini nonaktif').isVisible()).to.equal(true);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/admin-officer-inactive.png', fullPage: true });
    await page.goto(`${browser.baseUrl}/admin/units/PKM-PUTRIAYU`);
    await page.screenshot({ path: 'test-results/admin-unit-page.png', fullPage: true });

    expect((await Officer.findOne({ nip: '198503152010012001' }).lean())!.unitCode).to.equal('PKM-PUTRIAYU');
    expect((await Officer.findOne({ nip: '199001012015031002' }).lean())!.active).to.equal(false);
    expect(errors, 'no script or CSP errors in the console').to.deep.equal([]);
    await context.close();
  });
});
