import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { createUser } from '../../src/modules/accounts/service.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';

describe('In a real browser without JavaScript: the inspectorate reads the audit log', function () {
  useTestDatabase();
  let app: Express;
  let code: string;
  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'inspektorat.jambi@suara.test',
      name: 'Inspektorat Jambi',
      password: PASSWORD,
      role: 'viewer',
      unitCode: 'JAMBI',
    });
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'officer_conduct',
        description: 'Petugas loket berkata kasar kepada ibu saya ketika mengurus berkas.',
        reporter: { name: 'Rahmat Hidayat', phone: '081298765432' },
        privacy: 'confidential',
        consent: true,
      })
      .expect(201);
    code = filed.body.code;
    const head = request.agent(app);
    const csrf = await signIn(head, 'kepala.kebunhandil@suara.test');
    await head
      .post(`/api/v1/tickets/${code}/contact`)
      .set('X-CSRF-Token', csrf)
      .send({ reason: 'inspection' })
      .expect(200);
  });
  const browser = useBrowser(this, () => app);

  it('finds who revealed a complainant’s contact by ticket code, follows the link and downloads the CSV', async function () {
    this.timeout(60_000);
    const context = await browser.browser!.newContext({
      javaScriptEnabled: false,
      locale: 'id-ID',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(`${browser.baseUrl}/login`);
    await page.getByLabel('E-mail').fill('inspektorat.jambi@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('link', { name: 'Log audit' }).click();
    await page.waitForURL(/\/admin\/audit$/);

    await page.getByLabel('Kode tiket').fill(code.toLowerCase());
    await page.getByLabel('Jenis tindakan').selectOption({ label: 'Membuka kontak pelapor' });
    await page.getByRole('button', { name: 'Saring' }).click();
    await page.waitForURL(/ticket=/);
    const rows = page.locator('table.audit tbody tr');
    expect(await rows.count()).to.equal(1);
    const cells = await rows.first().locator('td').allTextContents();
    expect(cells.slice(1)).to.deep.equal([
      'kepala.kebunhandilkepala.kebunhandil@suara.test',
      'Membuka kontak pelapor',
      code,
      'Pemeriksaan',
      cells[5]!,
    ]);
    expect(cells[0]).to.match(/ WIB$/);
    expect(cells[5]).to.match(/127\.0\.0\.1$/);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Unduh CSV' }).click();
    const csv = await (await download).createReadStream();
    let text = '';
    for await (const chunk of csv) text += (chunk as Buffer).toString('utf8');
    expect(text).to.include(`Membuka kontak pelapor,${code},Pemeriksaan,`);

    await page.getByRole('link', { name: code }).click();
    await page.waitForURL(new RegExp(`/inbox/tickets/${code}$`));
    await context.close();
  });
});
