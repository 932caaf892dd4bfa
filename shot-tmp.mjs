import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:3900';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const ctx = await b.newContext({ viewport: { width: 1280, height: 900 } });
const p = await ctx.newPage();
const errors = [];
p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await p.goto(base + '/login');
await p.fill('input[name=email]', 'pembina.bkd@suara.test');
await p.fill('input[name=password]', 'demo-pass-123');
await Promise.all([p.waitForNavigation(), p.click('button[type=submit]')]);
const shots = process.argv.slice(2);
for (const [i, path] of shots.entries()) {
  const r = await p.goto(base + path);
  await p.waitForTimeout(800);
  await p.screenshot({ path: `/tmp/shots/${i}.png`, fullPage: true });
  console.log(i, path, r.status(), p.url());
}
console.log('console errors', errors);
await b.close();
