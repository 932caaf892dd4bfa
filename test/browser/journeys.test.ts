import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Server } from 'socket.io';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { seedDemo, type DemoAccount } from '../../src/demo/seed.js';
import { attachDisplayGateway, type DisplayGateway } from '../../src/modules/analytics/display/gateway.js';
import { attachInboxGateway, staffSocketOptions, type InboxGateway } from '../../src/modules/inbox/gateway.js';
import { sessionMiddleware } from '../../src/platform/session.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { CHROMIUM } from '../helpers/browser.js';
import { berakhlakValues } from '../../src/modules/coaching/evaluations/model.js';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 768 };
const SCREENS = process.env.SCREENSHOTS === '1' ? '/tmp/suara-screens' : undefined;

/** Codes that mean nothing to a reader: a page in Indonesian shows their labels instead. */
const CODE_WORDS = [
  'received',
  'verified',
  'assigned',
  'resolved',
  'closed',
  'rejected',
  'merged',
  'complaint',
  'compliment',
  'suggestion',
  'substantiated',
  'confidential',
  'anonymous',
  'citizen',
  'handler',
  'coach',
  'viewer',
  'draft',
  'signed',
];

/** The demo accounts walked, each with the page its working day starts on. */
const ONLY = process.env.JOURNEY;
const JOURNEYS_ALL: { email: string; role: string; start: RegExp }[] = [
  { email: 'kepala.dinkes.jambi@suara.test', role: 'unit head', start: /\/inbox$/ },
  { email: 'petugas.kebunhandil@suara.test', role: 'handler', start: /\/inbox$/ },
  { email: 'pembina.bkd@suara.test', role: 'coach', start: /\/coaching$/ },
  { email: 'pegawai@suara.test', role: 'officer', start: /\/coaching\/(me|officers\/\d{18})$/ },
  { email: 'inspektorat@suara.test', role: 'viewer', start: /\/(analytics\/ikm|admin\/audit)$/ },
  { email: 'admin@suara.test', role: 'admin', start: /\/admin(\/units)?$/ },
];
const JOURNEYS = JOURNEYS_ALL.filter((journey) => !ONLY || journey.role === ONLY);

/** One visit per kind of page: ids, NIPs, ticket and unit codes and query values do not make a new kind. */
function pageKind(url: URL): string {
  const segments = url.pathname
    .split('/')
    .map((segment) =>
      /^[0-9a-f]{24}$/.test(segment)
        ? ':id'
        : /^\d{8,}$/.test(segment)
          ? ':nip'
          : /[A-Z0-9]/.test(segment) && /^[A-Z0-9-]{3,}$/.test(segment)
            ? ':code'
            : segment,
    );
  return `${segments.join('/')}?${[...new Set(url.searchParams.keys())].sort().join('&')}`;
}

/**
 * What a page gets wrong for a reader on a phone: horizontal scroll (naming the boxes that stick out) and code values
 * shown as words. Runs in the page, so it is a script (the specs are typed without the DOM library).
 */
const PAGE_PROBLEMS = `((codeWords) => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) {
    const out = (element) => element.getBoundingClientRect().right > window.innerWidth + 1;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((element) => (out(element) && ![...element.children].some(out)) || element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX === 'visible' && element.clientWidth > 0)
      .slice(0, 3)
      .map((element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).split(' ')[0] : ''));
    problems.push('scrolls sideways (' + width + ' px wide at ' + window.innerWidth + ' px: ' + culprits.join(', ') + ')');
  }
  if (document.documentElement.lang === 'id') {
    // Text set as code on purpose (a file's column headers) is meant to be read as written.
    let shown = document.body.innerText;
    for (const code of document.querySelectorAll('code')) shown = shown.split(code.innerText).join(' ');
    const text = shown.replace(/\\S+@\\S+/g, ' ').replace(/https?:\\/\\/\\S+/g, ' ').replace(/\\/\\S*/g, ' ');
    const codes = new Set();
    for (const match of text.matchAll(/\\b[a-z]+(?:_[a-z]+)+\\b/g)) codes.add(match[0]);
    for (const word of codeWords) if (new RegExp('(^|[^\\\\w.-])' + word + '([^\\\\w.-]|$)').test(text)) codes.add(word);
    if (codes.size) problems.push('shows codes: ' + [...codes].join(', '));
  }
  return problems;
})(${JSON.stringify(CODE_WORDS)})`;

/** The links and GET forms (as the URL a submit would open) in a page's main part. */
const LINKS_AND_FORMS = `(() => ({
  links: [...document.querySelectorAll('main a[href]')].filter((link) => !link.hasAttribute('download')).map((link) => link.href),
  forms: [...document.querySelectorAll('main form')]
    .filter((form) => (form.getAttribute('method') || 'get').toLowerCase() === 'get')
    .map((form) => {
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (typeof value === 'string') query.append(name, value);
      // The attribute, not form.action: a field named "action" (the audit filter) shadows that property.
      const action = new URL(form.getAttribute('action') || location.href, location.href);
      action.search = query.toString();
      return action.href;
    }),
}))()`;

const MENU_LINKS = `[...document.querySelectorAll('header nav a[href]:not(.lang)')].map((link) => link.href)`;

describe('Every role’s working day in a real browser, on the demo', function () {
  useTestDatabase();
  let http: HttpServer;
  let io: Server;
  let inbox: InboxGateway;
  let display: DisplayGateway;
  let baseUrl: string;
  let browser: Browser;
  let accounts: DemoAccount[];

  before(async function () {
    this.timeout(180_000);
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}`);
      process.stderr.write(`  (browser specs skipped: no Chromium at ${CHROMIUM})\n`);
      this.skip();
    }
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-journeys-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DEMO_PASSWORD: 'demo-sandi-2026' });
    await ensureReferenceData();
    ({ accounts } = await seedDemo(config));
    const secret = 'browser-journeys-secret-'.padEnd(48, 'x');
    const session = sessionMiddleware(config, secret);
    http = createServer(createApp({ config, sessionSecret: secret, session }));
    io = new Server(http, { serveClient: false, ...staffSocketOptions });
    inbox = attachInboxGateway(io, { sessionMiddleware: session });
    display = attachDisplayGateway(io, { throttleMs: 300 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    if (SCREENS) await mkdir(SCREENS, { recursive: true });
  });
  beforeEach(() => resetRateLimits());
  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await display?.close();
    await inbox?.close();
    if (io) {
      const closing = io.close();
      http.closeAllConnections();
      await closing;
    }
  });

  const passwordOf = (email: string) => accounts.find((account) => account.email === email)!.password;

  async function signIn(context: BrowserContext, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Kata sandi').fill(passwordOf(email));
    // The answer to the post says what happened if the page stays (a refusal, a limit, or nothing in time).
    const answer = page
      .waitForResponse((response) => response.request().method() === 'POST' && /\/login$/.test(response.url()), {
        timeout: 55_000,
      })
      .then((response) => String(response.status()))
      .catch(() => 'no answer within 55 s');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page
      .waitForURL((url) => url.pathname !== '/login', { waitUntil: 'commit', timeout: 55_000 })
      .catch(() => undefined);
    if (new URL(page.url()).pathname === '/login')
      throw new Error(
        `${email} stays on the sign-in page (POST /login: ${await answer}): ${await page.locator('main').innerText()}`,
      );
    return page;
  }

  async function screenshot(page: Page, name: string) {
    if (!SCREENS) return;
    const file = name.replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || 'home';
    await page.setViewportSize(LAPTOP);
    await page.screenshot({ path: `${SCREENS}/${file}-1366.png`, fullPage: true });
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: `${SCREENS}/${file}-390.png`, fullPage: true });
  }

  /**
   * Opens a same-site address as a person would: a page in the tab, a download (CSV, PDF, workbook) by a request with
   * the same cookies. Returns the problems found, and for pages the links and GET forms they offer.
   */
  async function visit(page: Page, href: string) {
    const problems: string[] = [];
    const links: string[] = [];
    const forms: string[] = [];
    const download =
      /\.(csv|xlsx|pdf|png|json)$/.test(new URL(href).pathname) ||
      /\/api\//.test(href) ||
      /[?&]format=(csv|json|xlsx|pdf)\b/.test(href);
    if (download) {
      const response = await page.context().request.get(href, { maxRedirects: 5 });
      if (response.status() >= 400) problems.push(`answers ${response.status()}`);
      return { problems, links, forms };
    }
    const response = await page.goto(href);
    const status = response?.status() ?? 0;
    if (status >= 400) problems.push(`answers ${status}`);
    problems.push(...(await page.evaluate<string[]>(PAGE_PROBLEMS)));
    const found = await page.evaluate<{ links: string[]; forms: string[] }>(LINKS_AND_FORMS);
    links.push(...found.links);
    forms.push(...found.forms);
    return { problems, links, forms };
  }

  const sameSite = (href: string) => {
    const url = new URL(href);
    return (
      url.origin === baseUrl &&
      !url.pathname.startsWith('/static/') &&
      url.pathname !== '/logout' &&
      !url.searchParams.has('lang')
    );
  };

  for (const journey of JOURNEYS)
    it(`a ${journey.role} lands on their start page, and every page one click from the menu answers, fits a 390 px phone and names things in Indonesian`, async function () {
      this.timeout(300_000);
      const context = await browser.newContext({ locale: 'id-ID', viewport: PHONE });
      const page = await signIn(context, journey.email);
      expect(new URL(page.url()).pathname).to.match(journey.start);
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));

      const failures: string[] = [];
      const seen = new Set<string>();
      const report = (href: string, problems: string[]) => {
        for (const problem of problems) failures.push(`${new URL(href).pathname}${new URL(href).search}: ${problem}`);
      };
      const landing = await visit(page, page.url());
      report(page.url(), landing.problems);
      const menu = await page.evaluate<string[]>(MENU_LINKS);
      const second: string[] = [];
      const forms: string[] = [...landing.forms];
      for (const href of [page.url(), ...menu].filter(sameSite)) {
        const kind = pageKind(new URL(href));
        if (seen.has(kind)) continue;
        seen.add(kind);
        const result = await visit(page, href);
        report(href, result.problems);
        await screenshot(page, `${journey.role}-${new URL(href).pathname}`);
        second.push(...result.links.filter(sameSite));
        forms.push(...result.forms.filter(sameSite));
      }
      for (const href of second) {
        const kind = pageKind(new URL(href));
        if (seen.has(kind)) continue;
        seen.add(kind);
        const result = await visit(page, href);
        report(href, result.problems);
        forms.push(...result.forms.filter(sameSite));
      }
      // Every GET filter form, submitted exactly as rendered (one per kind of result).
      const submitted = new Set<string>();
      for (const href of forms) {
        const kind = pageKind(new URL(href));
        if (submitted.has(kind)) continue;
        submitted.add(kind);
        report(href, (await visit(page, href)).problems);
      }
      expect(seen.size, 'pages visited').to.be.greaterThan(0);
      expect(failures, failures.join('\n')).to.deep.equal([]);
      expect(pageErrors).to.deep.equal([]);
      await context.close();
    });

  it('a coach holds a coaching session (an empty one is refused at the notes) and signs an evaluation', async function () {
    this.timeout(120_000);
    const context = await browser.newContext({ locale: 'id-ID', viewport: LAPTOP });
    const page = await signIn(context, 'pembina.bkd@suara.test');
    await page.locator('main a[href^="/coaching/officers/"]').first().click();
    await page.waitForURL(/\/coaching\/officers\/\d{18}$/);
    const record = page.url();
    await page.getByRole('link', { name: 'Catat dialog kinerja' }).click();
    await page.waitForURL(/\/sessions\/new$/);
    await page.getByRole('button', { name: 'Simpan dialog' }).click();
    await page.locator('#notes-error').waitFor();
    expect(await page.locator('#notes').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('#notes').getAttribute('aria-describedby')).to.equal('notes-error');
    await page.locator('#notes').fill('Membahas sikap di loket pendaftaran dan antrean pagi.');
    await page.getByRole('button', { name: 'Simpan dialog' }).click();
    await page.waitForURL(/\/coaching\/sessions\/[0-9a-f]{24}$/);

    await page.goto(record);
    await page.getByRole('link', { name: 'Evaluasi berkala' }).click();
    await page.waitForURL(/\/evaluations$/);
    const draft = page.getByRole('button', { name: 'Susun draf evaluasi' });
    if (await draft.count()) await draft.click();
    else await page.locator('main a[href^="/coaching/evaluations/"]').first().click();
    await page.waitForURL(/\/coaching\/evaluations\/[0-9a-f]{24}$/);
    await page.locator('#rate-results input[value="as_expected"]').check();
    await page.locator('#reason_results').fill('Target layanan tercapai');
    for (const value of berakhlakValues) {
      await page.locator(`#rate-${value} input[value="above"]`).check();
      await page.locator(`#reason_${value}`).fill('Sesuai pengamatan pembina');
    }
    const text = await page.locator('main').innerText();
    expect(text).to.include('Di atas ekspektasi');
    expect(text).to.include('Di bawah ekspektasi');
    expect(text).not.to.match(/Dibawah|Diatas|Pujian/);
    await page.getByRole('button', { name: 'Tandatangani dan kunci' }).click();
    await page.locator('#status').filter({ hasText: 'Ditandatangani' }).waitFor();
    expect((await page.locator('#predikat').textContent())!.trim()).to.equal('Baik');
    await screenshot(page, 'coach-evaluation-signed');
    await context.close();
  });

  it('the public reads /transparansi on a phone: respondents and the minimum sample beside every index, no JSON link', async function () {
    this.timeout(60_000);
    const context = await browser.newContext({ locale: 'id-ID', viewport: PHONE });
    const page = await context.newPage();
    expect((await page.goto(`${baseUrl}/transparansi`))!.status()).to.equal(200);
    const problems = await page.evaluate<string[]>(PAGE_PROBLEMS);
    expect(problems, problems.join('; ')).to.deep.equal([]);
    expect(await page.locator('a[href*="/api/"]').count()).to.equal(0);
    const rows = await page.evaluate<
      { ikm: string; grade: string; respondents: string }[]
    >(`[...document.querySelectorAll('table.transparency tbody tr')].map((row) => ({
      ikm: row.querySelector('td[data-label="IKM"]')?.textContent.trim() ?? '',
      grade: row.querySelector('td:nth-of-type(2)')?.textContent.trim() ?? '',
      respondents: row.querySelector('td:nth-of-type(3)')?.textContent.trim() ?? '',
    }))`);
    expect(rows.length).to.be.greaterThan(3);
    for (const row of rows) {
      expect(row.respondents, JSON.stringify(row)).to.match(/^\d[\d.]*$/);
      // No index, and no grade, without a single answer.
      if (row.respondents === '0')
        expect(row)
          .to.include({ ikm: '—' })
          .and.to.have.property('grade')
          .that.not.match(/^[A-D] ·/);
      // Decimal comma in Indonesian.
      if (row.ikm !== '—') expect(row.ikm).to.match(/^\d{2,3},\d{2}$/);
    }
    // A card per unit: the first unit's figures sit one under the other, each with its label.
    const card = await page.locator('table.transparency tbody tr').first().boundingBox();
    expect(card!.width).to.be.at.most(PHONE.width);
    await screenshot(page, 'public-transparansi');
    await context.close();
  });

  it('the hall display fits a 1920×1080 screen without scrolling, with a QR code inviting people to the survey', async function () {
    this.timeout(60_000);
    const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    expect((await page.goto(`${baseUrl}/display/JAMBI-PKM-KEBUNHANDIL`))!.status()).to.equal(200);
    const fit = await page.evaluate<{
      width: number;
      height: number;
      bottom: number;
      qr: number;
      qrBottom: number;
    }>(`(() => {
      const qr = document.querySelector('.qr-box svg').getBoundingClientRect();
      return {
        width: document.documentElement.scrollWidth,
        height: document.documentElement.scrollHeight,
        bottom: document.querySelector('.display-foot').getBoundingClientRect().bottom,
        qr: qr.height,
        qrBottom: qr.bottom,
      };
    })()`);
    expect(fit.width).to.be.at.most(1920);
    expect(fit.height).to.be.at.most(1080);
    expect(fit.bottom).to.be.at.most(1080);
    expect(fit.qr).to.be.greaterThan(200);
    expect(fit.qrBottom).to.be.at.most(1080);
    expect(await page.locator('.qr-address').innerText()).to.match(/\/survey\/JAMBI-PKM-KEBUNHANDIL$/);
    if (SCREENS) await page.screenshot({ path: `${SCREENS}/display-1920.png` });
    await context.close();
  });
});
