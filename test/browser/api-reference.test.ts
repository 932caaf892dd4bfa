import { expect } from 'chai';
import type { Express } from 'express';
import { testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';

describe('In a real browser without JavaScript: an integrator reads the API reference', function () {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
  });
  const browser = useBrowser(this, () => app);

  for (const [device, viewport] of [
    ['a phone', { width: 390, height: 844 }],
    ['a laptop', { width: 1366, height: 800 }],
  ] as const)
    it(`on ${device}: finds how to file a ticket, in Bahasa Indonesia and then in English`, async function () {
      this.timeout(60_000);
      const context = await browser.browser!.newContext({ javaScriptEnabled: false, locale: 'id-ID', viewport });
      const page = await context.newPage();
      await page.goto(`${browser.baseUrl}/developers/api`);
      expect(await page.locator('h1').textContent()).to.equal('Referensi API');
      await page.getByRole('link', { name: 'feedback' }).click();
      await page.waitForURL(/#module-feedback$/);

      const intake = page.locator('article#postTickets');
      expect(await intake.locator('h3').textContent()).to.equal('POST /api/v1/tickets');
      expect(await intake.textContent())
        .to.include('Publik, tanpa masuk')
        .and.include('10–4000 karakter')
        .and.include('Wajib bila kind = "complaint"');
      const fields = await intake.locator('table').nth(1).locator('th[scope="row"]').allTextContents();
      expect(fields).to.include.members(['kind', 'unitCode', 'description', 'reporter.email', 'consent']);
      // Nothing on the page is wider than the screen.
      const fits = 'document.documentElement.scrollWidth <= document.documentElement.clientWidth';
      expect(await page.evaluate<boolean>(fits)).to.equal(true);

      await page.getByRole('link', { name: 'English' }).click();
      expect(await page.locator('h1').textContent()).to.equal('API reference');
      expect(await page.locator('article#getInbox').textContent()).to.include('Signed in (session or API token)');
      expect(await page.locator('article#postTickets').textContent()).to.include('string, 10–4000 chars');
      await page.getByRole('link', { name: '/api/v1/openapi.json' }).click();
      expect(JSON.parse((await page.locator('body').textContent())!).openapi).to.equal('3.1.0');
      await context.close();
    });
});
