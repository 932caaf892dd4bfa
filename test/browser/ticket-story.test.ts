import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import request from 'supertest';
import type { Express } from 'express';
import type { Page } from 'playwright-core';
import { User } from '../../src/modules/accounts/model.js';
import { createOfficer } from '../../src/modules/directory/service.js';
import { Officer } from '../../src/modules/directory/model.js';
import { Finding } from '../../src/modules/feedback/model.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';

const HEAD_NIP = '197805102005011003';
const WORDS = 'Kepala puskesmas meminta uang tambahan di ruang belakang, lalu petugas loket ikut membentak.';

describe('In a real browser: a complaint about the head of a puskesmas is decided by the head of the Dinas', function () {
  useTestDatabase();
  let app: Express;

  before(async function () {
    this.timeout(60_000);
    app = await testApp();
    const { admin } = await seedDirectory();
    await createOfficer(admin, {
      nip: HEAD_NIP,
      name: 'Hendra Kurniawan',
      position: 'Kepala Puskesmas',
      unitCode: 'PKM-KEBUNHANDIL',
    });
    await User.updateOne({ email: 'kepala.kebunhandil@suara.test' }, { $set: { officerNip: HEAD_NIP } });
  });
  const browser = useBrowser(this, () => app);

  async function signIn(page: Page, email: string, next: string) {
    await page.goto(`${browser.baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL((url) => url.pathname === next);
  }

  it('lets the Dinas head verify, tag a second officer by name, answer and record a finding, while the named head reads none of it', async function () {
    this.timeout(120_000);
    const ref = (await Officer.findOne({ nip: HEAD_NIP }).lean())!.ref;
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'illegal_fee',
        officerRef: ref,
        description: WORDS,
        reporter: { email: 'warga@contoh.id' },
        privacy: 'confidential',
        consent: true,
      })
      .expect(201);
    const code = filed.body.code as string;

    const context = await browser.browser!.newContext({ viewport: { width: 1366, height: 900 }, locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await signIn(page, 'kepala.dinkes@suara.test', `/inbox/tickets/${code}`);
    await page.getByText('Dinas Kesehatan Provinsi Jambi — Dialihkan ke unit atasan').waitFor();
    await page.getByRole('button', { name: 'Verifikasi' }).click();
    await page.getByText('Terverifikasi').first().waitFor();

    // Tag the counter officer by name, not by an 18-digit NIP.
    await page.getByLabel('Tandai petugas').selectOption({ label: 'Siti Rahmawati — Perawat' });
    await page.getByRole('button', { name: 'Tandai petugas' }).click();
    await page.locator('.officers').getByText('Siti Rahmawati').waitFor();

    await page.getByRole('textbox', { name: 'Balas pelapor' }).fill('Kami memeriksa laporan Anda bersama Inspektorat.');
    await page.getByRole('button', { name: 'Kirim' }).click();
    await page.getByText('Kami memeriksa laporan Anda bersama Inspektorat.').first().waitFor();

    const finding = page.locator('.officers li', { hasText: 'Hendra Kurniawan' });
    await finding.getByLabel('Hasil pemeriksaan').selectOption('substantiated');
    await finding.getByRole('button', { name: 'Catat temuan' }).click();
    await page.locator('.findings').getByText('Terbukti').waitFor();
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/inbox-ticket-decided-above.png', fullPage: true });
    const history = (await page.locator('.timeline').textContent())!;
    expect(history).to.include('Hendra Kurniawan: Terbukti');
    expect(history).not.to.match(/substantiated|received|→ received/);
    const officer = (await Officer.findOne({ nip: HEAD_NIP }).lean())!;
    expect(await Finding.countDocuments({ code, officerId: officer._id, outcome: 'substantiated' })).to.equal(1);

    // The named head, on a phone: the banner, no words, no action.
    const phone = await browser.browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID' });
    const named = await phone.newPage();
    await signIn(named, 'kepala.kebunhandil@suara.test', `/inbox/tickets/${code}`);
    const text = (await named.locator('main').textContent())!;
    expect(text).to.include('Laporan ini menyebut Anda');
    expect(text).not.to.include('ruang belakang');
    expect(text).not.to.include('Kami memeriksa laporan');
    expect(await named.getByRole('button').count()).to.be.at.most(2); // sign-out and the language switch at most
    expect(await named.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).to.equal(true);
    await named.screenshot({ path: 'test-results/inbox-ticket-named-phone.png', fullPage: true });
    expect(errors).to.deep.equal([]);
    await context.close();
    await phone.close();
  });
});
