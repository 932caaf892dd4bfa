import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Server } from 'socket.io';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { attachDisplayGateway, type DisplayGateway } from '../../src/modules/analytics/display/gateway.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory } from '../helpers/app.js';
import { CHROMIUM } from '../helpers/browser.js';
import { survey } from '../surveys/fixtures.js';
import { insertWorkedExample } from '../analytics/pages-helpers.js';

describe('In a real browser: trends charts drawn by Chart.js, and the hall display updating live', function () {
  useTestDatabase();
  let http: HttpServer;
  let io: Server;
  let gateway: DisplayGateway;
  let baseUrl: string;
  let browser: Browser;
  before(async function () {
    this.timeout(60_000);
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}`);
      process.stderr.write(`  (browser specs skipped: no Chromium at ${CHROMIUM})\n`);
      this.skip();
    }
    await seedDirectory();
    await insertWorkedExample('PKM-KEBUNHANDIL', new Date(Date.now() - 2 * 3600_000));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'suara-browser-')) });
    await ensureReferenceData();
    http = createServer(createApp({ config, sessionSecret: 'browser-analytics-secret-'.padEnd(48, 'x') }));
    io = new Server(http, { serveClient: false });
    gateway = attachDisplayGateway(io, { throttleMs: 300 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await gateway?.close();
    if (io) {
      const closing = io.close();
      http.closeAllConnections();
      await closing;
    }
  });

  it('draws the trends charts (no CSP violation) beside their tables', async function () {
    this.timeout(60_000);
    const context = await browser.newContext({ locale: 'id-ID' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${baseUrl}/login?next=/analytics/trends`);
    await page.getByLabel('E-mail').fill('kepala.kebunhandil@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/analytics\/trends$/);
    const canvas = page.locator('canvas#chart-ikm[data-rendered="1"]');
    await canvas.waitFor({ state: 'visible', timeout: 10_000 });
    const box = await canvas.boundingBox();
    expect(box!.width).to.be.greaterThan(100);
    expect(box!.height).to.be.greaterThan(50);
    // Chart.js painted something: the canvas is not blank.
    const painted = await page.evaluate<number>(`(() => {
      const element = document.querySelector('canvas#chart-ikm');
      const pixels = element.getContext('2d').getImageData(0, 0, element.width, element.height).data;
      let inked = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) inked++;
      return inked;
    })()`);
    expect(painted).to.be.greaterThan(100);
    expect(await page.locator('table#table-ikm td').filter({ hasText: '91,48' }).count()).to.equal(1);
    expect(await page.locator('canvas[data-rendered="1"]').count()).to.be.greaterThan(5);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/analytics-trends.png', fullPage: true });
    // The report of the same unit: the index, its grade, the sample warning, and the follow-up form.
    await page.getByRole('link', { name: 'Laporan IKM' }).click();
    await page.locator('#ikm-value', { hasText: '91,48' }).waitFor();
    await page.screenshot({ path: 'test-results/analytics-ikm.png', fullPage: true });
    expect(problems).to.deep.equal([]);
    await context.close();
  });

  it('updates the hall display without a reload when a survey is submitted', async function () {
    this.timeout(60_000);
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${baseUrl}/display/PKM-KEBUNHANDIL`);
    await page.waitForFunction('Boolean(window.io)');
    // Connected once the first live update has arrived.
    await page.locator('body[data-updated]').waitFor({ state: 'attached', timeout: 10_000 });
    const before = Number(await page.locator('#d-today').textContent());
    expect(await page.locator('#d-ikm').textContent()).to.equal('91,48');

    await resetRateLimits();
    const response = await fetch(`${baseUrl}/api/v1/surveys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(survey({ answers: [4, 4, 4, 4, 4, 4, 4, 4, 4] })),
    });
    expect(response.status).to.equal(201);
    // Locators, not page functions: the page's CSP forbids evaluating strings.
    await page.locator('#d-today', { hasText: new RegExp(`^${before + 1}$`) }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#d-respondents').textContent()).to.equal('30');
    await page.screenshot({ path: 'test-results/analytics-display.png' });
    expect(problems).to.deep.equal([]);
    await context.close();
  });
});
