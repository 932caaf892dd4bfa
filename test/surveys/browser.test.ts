import { expect } from 'chai';
import type { Express } from 'express';
import { mkdir } from 'node:fs/promises';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';
import { testApp } from '../helpers/app.js';
import { seedSurveyDirectory } from './fixtures.js';

describe('In a real browser: a citizen rates a puskesmas visit on a phone', function () {
  useTestDatabase();
  let app: Express;
  let fixtures: Awaited<ReturnType<typeof seedSurveyDirectory>>;
  before(async () => {
    app = await testApp();
    fixtures = await seedSurveyDirectory();
  });
  const browser = useBrowser(this, () => app);

  it('opens the QR link, taps through nine questions and the profile, and lands on the thank-you page', async function () {
    this.timeout(60_000);
    const context = await browser.browser!.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'id-ID',
      hasTouch: true,
      isMobile: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    await page.goto(`${browser.baseUrl}/survey/PKM-KEBUNHANDIL?service=POLI-UMUM&officer=${fixtures.siti.ref}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Survei kepuasan masyarakat');
    expect(await page.getByLabel('Jenis layanan yang diterima').inputValue()).to.equal('POLI-UMUM');
    expect(await page.getByLabel('Petugas yang melayani (tidak wajib)').inputValue()).to.equal(fixtures.siti.ref);
    expect(await page.content()).not.to.include(fixtures.siti.nip);

    // Each answer is a big target: a whole row, at least 44 px high, across the narrow screen.
    const firstChoice = page.locator('#q-1 label.survey-choice').first();
    const box = (await firstChoice.boundingBox())!;
    expect(box.height).to.be.at.least(44);
    expect(box.width).to.be.at.least(300);

    const choose = async (question: number, label: string) =>
      page.locator(`#q-${question}`).getByRole('radio', { name: label, exact: true }).check();
    // Labels carry the score, as on the printed questionnaire: "4 Sangat sesuai".
    await choose(1, '4 Sangat sesuai');
    await choose(2, '3 Mudah');
    await choose(3, '2 Kurang cepat');
    await choose(4, '4 Gratis');
    await choose(5, '3 Sesuai');
    await choose(6, '4 Sangat kompeten');
    await choose(7, '4 Sangat sopan dan ramah');
    await choose(8, '3 Berfungsi kurang maksimal');
    await choose(9, '3 Baik');
    await page.getByRole('radio', { name: 'Perempuan' }).check();
    await page.getByLabel('Usia').selectOption('20_29');
    await page.getByLabel('Pendidikan terakhir').selectOption('d4_s1');
    await page.getByLabel('Pekerjaan').selectOption('student');
    await page.getByLabel('Saran atau komentar (tidak wajib)').fill('Mohon tambah kursi di ruang tunggu.');
    await page.getByRole('button', { name: 'Kirim penilaian' }).click();

    await page.waitForURL(/\/survey\/PKM-KEBUNHANDIL\/thanks$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Terima kasih');
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/survey-thanks-phone.png', fullPage: true });

    const stored = (await SurveyResponse.findOne().lean())!;
    expect(stored.answers).to.deep.equal([4, 3, 2, 4, 3, 4, 4, 3, 3]);
    expect(stored.respondent).to.deep.include({ gender: 'female', occupation: 'student' });
    expect(String(stored.officerId)).to.equal(String(fixtures.siti._id));
    expect(stored.integrity!.flags).not.to.include('fresh_device');
    expect(stored.integrity!.secondsToComplete).to.be.a('number');
    expect(errors, 'no script or CSP errors in the console').to.deep.equal([]);
    await context.close();
  });

  it('lays the form out for a phone, and comes back with errors beside the questions left out', async function () {
    this.timeout(60_000);
    const context = await browser.browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${browser.baseUrl}/survey/PKM-KEBUNHANDIL?lang=en&service=KIA`);
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width, 'nothing wider than the screen').to.be.at.most(390);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/survey-form-phone.png', fullPage: true });

    // The browser's own checks would stop an empty form; a citizen on an old browser gets the server's answer.
    await page.locator('#survey-form').evaluate((form) => form.setAttribute('novalidate', ''));
    await page.locator('#q-1').getByRole('radio', { name: '3 Appropriate', exact: true }).check();
    await page.getByRole('button', { name: 'Send rating' }).click();
    await page.waitForSelector('#survey-errors');
    expect(await page.locator('#q-2-error').textContent()).to.equal('Choose one answer.');
    expect(await page.locator('#q-1').getByRole('radio', { name: '3 Appropriate', exact: true }).isChecked()).to.equal(
      true,
    );
    // The page script moves focus to the list of problems.
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).to.equal('survey-errors');
    await context.close();
  });
});
