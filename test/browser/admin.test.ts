import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';

describe('In a real browser: an admin signs in and finds the directory', function () {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  const browser = useBrowser(this, () => app);

  it('signs in on a phone-sized screen, lands on the unit tree, and opens a puskesmas with its officers', async function () {
    this.timeout(60_000);
    const context = await browser.browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    await page.goto(`${browser.baseUrl}/admin/units`);
    expect(new URL(page.url()).pathname).to.equal('/login');
    await page.getByLabel('E-mail').fill('admin.jambi@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/admin\/units$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.include('Unit');
    await page.getByRole('link', { name: 'Puskesmas Kebun Handil' }).click();
    await page.waitForURL(/\/admin\/units\/PKM-KEBUNHANDIL$/);
    expect(await page.getByRole('cell', { name: 'Siti Rahmawati' }).isVisible()).to.equal(true);

    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.getByRole('heading', { name: 'Officers (1)' }).isVisible()).to.equal(true);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/admin-unit-phone.png', fullPage: true });
    expect(errors, 'no script or CSP errors in the console').to.deep.equal([]);
    await context.close();
  });
});
