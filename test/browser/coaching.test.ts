import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { berakhlakValues } from '../../src/modules/coaching/evaluations/model.js';
import { coachingWorld, findingAbout, SITI } from '../coaching/work-helpers.js';

describe('In a real browser: a coach opens a record, logs a session with actions, drafts and signs an evaluation', function () {
  useTestDatabase();
  let app: Express;
  before(async function () {
    this.timeout(60_000);
    const world = await coachingWorld();
    app = world.app;
    // Something on the record to talk about: a substantiated conduct finding.
    await findingAbout(app, await world.as('kepala.dinkes@suara.test'), SITI, 'substantiated');
  });
  const browser = useBrowser(this, () => app);

  it('shows the open action on the record and the predikat on the signed evaluation', async function () {
    this.timeout(120_000);
    const context = await browser.browser!.newContext({ locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${browser.baseUrl}/login?next=/coaching/officers/${SITI}`);
    await page.getByLabel('E-mail').fill('pembina.dinkes@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(new RegExp(`/coaching/officers/${SITI}$`));
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Siti Rahmawati' }).waitFor();

    // A session with a topic and two actions (the second row added by public/js/coaching-work.js).
    await page.getByRole('link', { name: 'Catat dialog kinerja' }).click();
    await page.waitForURL(/\/sessions\/new$/);
    await page.locator('input[name="topic"]').first().check();
    await page.getByLabel('Catatan').fill('Membahas sikap di loket pendaftaran.');
    await page.locator('.action-text').first().fill('Ikuti kelas komunikasi efektif');
    await page.locator('.action-due').first().fill('2099-01-31');
    await page.getByRole('button', { name: 'Tambah tindak lanjut' }).click();
    await page.locator('.action-text').nth(1).fill('Pendampingan di loket sepekan');
    await page.locator('.action-due').nth(1).fill('2099-02-15');
    await page.locator('select[name="actionOwner"]').nth(1).selectOption('coach');
    await page.getByRole('button', { name: 'Simpan dialog' }).click();
    await page.waitForURL(/\/coaching\/sessions\/[0-9a-f]{24}$/);
    await page.locator('#actions').getByText('Ikuti kelas komunikasi efektif').waitFor();
    await page.locator('#actions').getByText('Pendampingan di loket sepekan').waitFor();

    // Back on the record, the open actions show.
    await page.getByRole('link', { name: 'Kembali ke catatan pegawai' }).click();
    await page.waitForURL(new RegExp(`/coaching/officers/${SITI}$`));
    await page.getByText('Ikuti kelas komunikasi efektif').first().waitFor();

    // Draft the current period's evaluation, rate, sign.
    await page.getByRole('link', { name: 'Evaluasi berkala' }).click();
    await page.waitForURL(/\/evaluations$/);
    await page.getByRole('button', { name: 'Susun draf evaluasi' }).click();
    await page.waitForURL(/\/coaching\/evaluations\/[0-9a-f]{24}$/);
    await page.locator('#rate-results input[value="above"]').check();
    await page.locator('#reason_results').fill('Target layanan tercapai');
    for (const value of berakhlakValues) {
      await page.locator(`#rate-${value} input[value="${value === 'harmonis' ? 'as_expected' : 'above'}"]`).check();
      await page.locator(`#reason_${value}`).fill('Sesuai pengamatan pembina');
    }
    await page.getByRole('button', { name: 'Tandatangani dan kunci' }).click();
    await page.locator('#status').filter({ hasText: 'Ditandatangani' }).waitFor();
    expect((await page.locator('#predikat').textContent())!.trim()).to.equal('Sangat Baik');
    expect(await page.locator('input[name="rating_results"]').count()).to.equal(0);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/coaching-evaluation.png', fullPage: true });
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
