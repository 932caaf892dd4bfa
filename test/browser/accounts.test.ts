import { expect } from 'chai';
import type { Express } from 'express';
import { User } from '../../src/modules/accounts/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';

describe('In a real browser: an admin links an account to its officer', function () {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  const browser = useBrowser(this, () => app);

  it('opens the handler’s account, types Siti Rahmawati’s NIP, is told when it is another agency’s, and links it', async function () {
    this.timeout(60_000);
    const context = await browser.browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The refused form comes back with status 400, which Chromium reports as a failed load; nothing else may.
    page.on(
      'console',
      (message) => message.type() === 'error' && !/status of 400/.test(message.text()) && errors.push(message.text()),
    );

    await page.goto(`${browser.baseUrl}/admin/accounts`);
    await page.getByLabel('E-mail').fill('admin.jambi@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/admin\/accounts$/);
    await page.getByRole('link', { name: 'petugas@suara.test' }).click();
    await page.waitForURL(/\/admin\/accounts\/[0-9a-f]{24}$/);

    // Ambon's officer: refused beside the field, in Indonesian.
    await page.getByLabel('Pegawai (NIP) yang terhubung').fill('198807202012121001');
    await page.getByRole('button', { name: 'Simpan' }).click();
    // The form comes back at the same address either way: wait for what the answer says, not for the URL.
    await page.getByText('NIP ini tidak ditemukan di antara pegawai dalam cakupan Anda.').waitFor();

    await page.getByLabel('Pegawai (NIP) yang terhubung').fill('19850315 201001 2 001');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Tersimpan.').waitFor();
    expect(await page.getByText('Siti Rahmawati · PKM-KEBUNHANDIL').isVisible()).to.equal(true);
    expect((await User.findOne({ email: 'petugas@suara.test' }).lean())!.officerNip).to.equal('198503152010012001');
    expect(errors, 'no script or CSP errors in the console').to.deep.equal([]);
    await context.close();
  });
});
