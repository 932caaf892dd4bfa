import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import type { Express } from 'express';
import { calendarFor } from '../../src/modules/calendar/service.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { localDate } from '../../src/platform/calendar.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';

/**
 * In real Chromium, on a phone: a unit head signs in through the page, records a complaint a citizen made by phone
 * yesterday, finds it in the inbox with its channel and a due time counted from yesterday, and takes the WhatsApp
 * share link from the receipt (wa.me cannot be reached from here, so the spec reads the link and follows the
 * tracking address inside it instead).
 */
describe('In a real browser: a head records a phone complaint received yesterday and shares its receipt', function () {
  useTestDatabase();
  let app: Express;
  before(async function () {
    this.timeout(60_000);
    app = await testApp();
    await seedDirectory();
  });
  // After the app exists: the browser's server serves it.
  const browser = useBrowser(this, () => app);

  it('files it from the form, shows it in the inbox with its channel and due time, and shares a working link', async function () {
    this.timeout(120_000);
    await mkdir('test-results', { recursive: true });
    const context = await browser.browser!.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${browser.baseUrl}/login?next=/inbox/record`);
    await page.getByLabel('E-mail').fill('kepala.kebunhandil@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/inbox\/record$/);

    // The form fits a phone's width: nothing to scroll sideways.
    expect(
      await page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
    ).to.equal(true);
    const yesterday = localDate(new Date(Date.now() - 24 * 3600 * 1000), 'Asia/Jakarta');
    await page.getByLabel('Telepon', { exact: true }).check();
    await page.getByLabel('Tanggal diterima').fill(yesterday);
    await page.getByLabel('Kategori').selectOption('waiting_time');
    await page
      .getByLabel('Isi laporan (sebagaimana disampaikan warga)')
      .fill('Penelepon menunggu tiga jam di poli umum, nomor antreannya dilewati.');
    await page.getByLabel('Nomor telepon').fill('0812 7788 9900');
    await page.getByText('Pelapor sudah diberi tahu').click();
    await page.getByRole('button', { name: 'Catat laporan' }).click();
    await page.waitForURL(/\/inbox\/record\/receipt$/);

    await page.screenshot({ path: 'test-results/assisted-intake-receipt-phone.png', fullPage: true });
    const code = (await page.locator('#receipt-code').textContent())!.trim();
    expect(await page.locator('#receipt-channel').textContent()).to.equal('Telepon');
    const ticket = (await Ticket.findOne({ code }).lean<TicketDoc>())!;
    expect(localDate(ticket.createdAt, 'Asia/Jakarta')).to.equal(yesterday);
    const due = (await calendarFor(ticket)).dueAfterWorkingDays(ticket.createdAt, 3);

    // The WhatsApp share link goes to the citizen's number with the code and the tracking address.
    const href = (await page.locator('#whatsapp-share').getAttribute('href'))!;
    const share = new URL(href);
    expect(`${share.origin}${share.pathname}`).to.equal('https://wa.me/6281277889900');
    const text = share.searchParams.get('text')!;
    expect(text).to.contain(code);
    const trackAddress = text.slice(text.indexOf('http'));
    expect(trackAddress).to.match(new RegExp(`/track/${code}\\?token=`));

    // In the inbox, filtered by channel: the row names the channel and the due time counted from yesterday.
    await page.goto(`${browser.baseUrl}/inbox?channel=phone`);
    const row = page.locator('tr[data-ticket]', { hasText: code });
    await row.waitFor();
    expect(await row.textContent()).to.include('Telepon');
    expect(await row.locator('time').getAttribute('datetime')).to.equal(due.toISOString());

    // The citizen, with nothing but the link from the message, follows the ticket on their own phone.
    const citizen = await (await browser.browser!.newContext({ locale: 'id-ID' })).newPage();
    const tracked = new URL(trackAddress);
    await citizen.goto(`${browser.baseUrl}${tracked.pathname}${tracked.search}`);
    expect(await citizen.locator('h1').textContent()).to.contain(code);
    expect(await citizen.textContent('body')).not.to.contain('kepala.kebunhandil');
    expect(errors).to.deep.equal([]);
    await page.screenshot({ path: 'test-results/assisted-intake-inbox-phone.png', fullPage: true });
    await context.close();
  });
});
