import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import type { Page } from 'playwright-core';
import { eventsSettled } from '../../src/platform/events.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';

const SITI_NIP = '198503152010012001';

describe('In a real browser: a counter kiosk at Puskesmas Kebun Handil, from registration to a coaching record', function () {
  useTestDatabase();
  let app: Express;

  before(async function () {
    this.timeout(60_000);
    app = await testApp();
    await seedDirectory();
  });
  const browser = useBrowser(this, () => app);

  async function signIn(page: Page, email: string, next: string) {
    await page.goto(`${browser.baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL((url) => url.pathname === next);
  }

  /** One respondent: taps the survey, one answer per question, optionally some profile, and sends. */
  async function answerSurvey(tablet: Page, answers: number[], profile?: { gender: string }) {
    await tablet.getByRole('link', { name: /Isi survei kepuasan/ }).tap();
    await tablet.getByRole('heading', { name: 'Survei kepuasan' }).waitFor();
    // The page is fresh: nothing of the person before is left on it.
    expect(await tablet.locator('input:checked').count()).to.equal(0);
    for (const [index, value] of answers.entries())
      await tablet.locator(`#q-${index + 1} .kiosk-option-${value}`).tap();
    if (profile) {
      await tablet.getByText('Tentang Anda (boleh dilewati)').tap();
      await tablet.locator('#gender .kiosk-option', { hasText: profile.gender }).tap();
    }
    if (profile?.gender === 'Perempuan') await tablet.screenshot({ path: 'test-results/kiosk-survey-tablet.png' });
    await tablet.getByRole('button', { name: 'Kirim' }).tap();
    await tablet.getByRole('heading', { name: 'Terima kasih!' }).waitFor();
    // It goes back to the start by itself for the next person.
    await tablet.waitForURL((url) => url.pathname === '/kiosk', { timeout: 20_000 });
    await tablet.getByRole('heading', { name: 'Bagaimana pelayanan kami hari ini?' }).waitFor();
  }

  it('is registered by the unit head, takes three surveys and a three-tap compliment on a tablet, and the verified compliment reaches the officer’s record', async function () {
    this.timeout(240_000);
    const errors: string[] = [];

    // The head registers a kiosk for the registration counter through the staff page.
    const desk = await browser.browser!.newContext({ viewport: { width: 1366, height: 900 }, locale: 'id-ID' });
    const head = await desk.newPage();
    head.on('pageerror', (error) => errors.push(error.message));
    await signIn(head, 'kepala.kebunhandil@suara.test', '/inbox');
    await head.getByRole('link', { name: 'Kios' }).click();
    await head.getByLabel('Unit / Loket').selectOption({ label: 'Puskesmas Kebun Handil — Loket Pendaftaran' });
    await head.getByRole('button', { name: 'Daftarkan kios' }).click();
    const url = (await head.locator('code.kiosk-url').textContent())!.trim();
    expect(url).to.match(/\/kiosk\?key=k_/);
    const kioskPath = new URL(url).pathname + new URL(url).search;

    // The tablet at the counter.
    const counter = await browser.browser!.newContext({
      viewport: { width: 800, height: 1280 },
      hasTouch: true,
      isMobile: true,
      locale: 'id-ID',
    });
    const tablet = await counter.newPage();
    tablet.on('pageerror', (error) => errors.push(error.message));
    await tablet.goto(`${browser.baseUrl}${kioskPath}`);
    await tablet.getByText('Puskesmas Kebun Handil · Loket Pendaftaran').waitFor();
    await mkdir('test-results', { recursive: true });
    await tablet.screenshot({ path: 'test-results/kiosk-start-tablet.png', fullPage: true });

    await answerSurvey(tablet, [4, 3, 3, 4, 3, 4, 4, 3, 3], { gender: 'Perempuan' });
    await answerSurvey(tablet, [3, 3, 2, 4, 3, 3, 3, 2, 3]); // skips the profile
    await answerSurvey(tablet, [4, 4, 4, 4, 4, 4, 4, 4, 4], { gender: 'Laki-laki' });

    // A fourth person compliments an officer in three taps: who, what was good, send.
    await tablet.getByRole('button', { name: /Siti Rahmawati/ }).tap();
    await tablet.getByLabel('Ramah dan menghargai').tap();
    await tablet.screenshot({ path: 'test-results/kiosk-compliment-tablet.png', fullPage: true });
    await tablet.getByRole('button', { name: 'Kirim' }).tap();
    await tablet.getByText('Pujian Anda sudah kami terima').waitFor();
    expect(await tablet.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).to.equal(true);
    await tablet.waitForURL((url) => url.pathname === '/kiosk', { timeout: 20_000 });

    const answers = await SurveyResponse.find().sort({ submittedAt: 1 }).lean();
    expect(answers.map((answer) => answer.channel)).to.deep.equal(['kiosk', 'kiosk', 'kiosk']);
    expect(answers.map((answer) => answer.respondent?.gender ?? null)).to.deep.equal(['female', null, 'male']);
    const ticket = (await Ticket.findOne({ kind: 'compliment' }).lean())!;
    expect(ticket.channel).to.equal('kiosk');

    // A person who walks away mid-survey: after a minute without a touch the kiosk is back at the start.
    await counter.clock.install();
    await tablet.goto(`${browser.baseUrl}${kioskPath.replace('/kiosk?', '/kiosk/survey?')}`);
    await tablet.locator('#q-1 .kiosk-option-2').tap();
    await tablet.clock.runFor(61_000);
    await tablet.waitForURL((url) => url.pathname === '/kiosk');

    // The head verifies the compliment in the inbox.
    await head.goto(`${browser.baseUrl}/inbox`);
    await head.getByRole('link', { name: ticket.code }).click();
    await head.getByRole('button', { name: 'Verifikasi' }).click();
    await head.getByText('Terverifikasi').first().waitFor();

    // It lands in Siti's coaching record like any compliment.
    await eventsSettled();
    await head.goto(`${browser.baseUrl}/coaching/officers/${SITI_NIP}`);
    await head.locator('#summary-compliments').getByText('1').waitFor();
    const record = (await head.locator('main').textContent())!;
    expect(record).to.include(ticket.code);
    expect(record).to.include('Ramah dan menghargai');
    await head.screenshot({ path: 'test-results/kiosk-compliment-record.png', fullPage: true });
    expect(errors).to.deep.equal([]);
    await desk.close();
    await counter.close();
  });
});
