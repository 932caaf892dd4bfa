import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory } from '../helpers/app.js';
import { CHROMIUM, liveConnected } from '../helpers/browser.js';
import { startLiveServer, type LiveServer } from '../inbox/live.js';

describe('In a real browser: a citizen files, the head sees it live, answers, and the citizen reads the answer', function () {
  useTestDatabase();
  let server: LiveServer;
  let browser: Browser;
  before(async function () {
    this.timeout(60_000);
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}`);
      process.stderr.write(`  (browser specs skipped: no Chromium at ${CHROMIUM})\n`);
      this.skip();
    }
    await seedDirectory();
    server = await startLiveServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the new ticket in the open inbox without a reload, and the reply on the tracking page', async function () {
    this.timeout(90_000);
    const headContext = await browser.newContext({ locale: 'id-ID' });
    const head = await headContext.newPage();
    const errors: string[] = [];
    head.on('pageerror', (error) => errors.push(error.message));
    await head.goto(`${server.baseUrl}/login?next=/inbox`);
    await head.getByLabel('E-mail').fill('kepala.dinkes@suara.test');
    await head.getByLabel('Kata sandi').fill(PASSWORD);
    // The live connection opens with the inbox page (which keeps working without it).
    const connected = liveConnected(head, '/staff');
    await head.getByRole('button', { name: 'Masuk' }).click();
    await head.waitForURL(/\/inbox$/);
    await connected;

    const countBefore = (await head.locator('#inbox-total').textContent())!;
    const citizenContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID' });
    const citizen = await citizenContext.newPage();
    await citizen.goto(`${server.baseUrl}/u/PKM-KEBUNHANDIL`);
    await citizen.getByLabel('Kategori').selectOption('waiting_time');
    await citizen.getByLabel('Apa yang terjadi?').fill('Menunggu tiga jam, nomor antrean saya dilewati dua kali.');
    await citizen.getByText('Publik — isi laporan').click();
    await citizen.getByText('Saya setuju data yang saya berikan').click();
    await citizen.getByRole('button', { name: 'Kirim' }).click();
    const code = (await citizen.locator('code.big').textContent())!.trim();

    // The head's page, never reloaded, shows the new row.
    const row = head.locator(`tr[data-ticket] a`, { hasText: code });
    await row.waitFor({ timeout: 10_000 });
    // The live row reads like a row the server drew: labels, the unit's name, the agency's clock; the count moves.
    const live = (await head.locator('tr[data-ticket]', { hasText: code }).textContent())!;
    expect(live).to.include('Diterima').and.include('Puskesmas Kebun Handil').and.include('WIB');
    expect(live).not.to.include('received');
    expect(await head.locator('#inbox-total').textContent()).not.to.equal(countBefore);
    await mkdir('test-results', { recursive: true });
    await head.screenshot({ path: 'test-results/inbox-live.png', fullPage: true });
    await row.click();
    await head.waitForURL(new RegExp(`/inbox/tickets/${code}$`));
    await head.getByRole('button', { name: 'Verifikasi' }).click();
    await head.waitForURL(new RegExp(`/inbox/tickets/${code}$`));
    await head
      .getByRole('textbox', { name: 'Balas pelapor' })
      .fill('Mohon maaf. Antrean kini memakai nomor elektronik.');
    await head.getByRole('button', { name: 'Kirim' }).click();
    await head.getByText('Mohon maaf. Antrean kini memakai nomor elektronik.').first().waitFor();
    await head.screenshot({ path: 'test-results/inbox-ticket.png', fullPage: true });

    await citizen.getByRole('link', { name: 'Buka halaman pemantauan' }).click();
    await citizen.getByText('Mohon maaf. Antrean kini memakai nomor elektronik.').waitFor();
    expect(await citizen.locator('.status').textContent()).to.equal('Ditindaklanjuti');
    expect(errors).to.deep.equal([]);
    await headContext.close();
    await citizenContext.close();
  });
});
