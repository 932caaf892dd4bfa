import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import { lookupHash, seal } from '../../src/platform/crypto.js';
import { Unit } from '../../src/modules/directory/model.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';

describe('In a real browser: an admin finds a failed mail from the admin home and sends it again', function () {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    const kebunHandil = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    await Outbox.create({
      template: 'ticket.receipt',
      lang: 'id',
      toSealed: seal('wahyu.pratama@contoh.id'),
      toHash: lookupHash('wahyu.pratama@contoh.id'),
      dataSealed: seal(JSON.stringify({ code: 'K7M4QXP2D', trackUrl: 'https://suara.test/track?code=K7M4QXP2D' })),
      reference: 'K7M4QXP2D',
      unitPath: kebunHandil.path,
      status: 'failed',
      attempts: 8,
      lastError: 'Connection timeout',
      failedAt: new Date(),
    });
  });
  const browser = useBrowser(this, () => app);

  it('on a phone: signs in to the admin home, follows the failed-mail count, and resends the mail', async function () {
    this.timeout(60_000);
    const context = await browser.browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

    await page.goto(`${browser.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('admin.jambi@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/admin$/);
    expect(await page.getByText('1 e-mail gagal dikirim').isVisible()).to.equal(true);

    await page.getByRole('link', { name: 'Kotak keluar e-mail' }).click();
    await page.waitForURL(/\/admin\/outbox\?status=failed$/);
    expect(await page.getByText('wa***@contoh.id').isVisible()).to.equal(true);
    expect(await page.content()).not.to.include('wahyu.pratama');
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/admin-outbox-phone.png', fullPage: true });

    await page.getByRole('button', { name: 'Kirim ulang' }).click();
    await page.waitForURL(/\/admin\/outbox\?status=failed$/);
    expect(await page.getByRole('status').first().textContent()).to.include('dimasukkan lagi ke antrean');
    expect(await Outbox.findOne({ reference: 'K7M4QXP2D' }).lean()).to.include({ status: 'queued', attempts: 0 });
    expect(errors, 'no script or CSP errors in the console').to.deep.equal([]);
    await context.close();
  });
});
