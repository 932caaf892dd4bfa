import { expect } from 'chai';
import { mkdir, readFile } from 'node:fs/promises';
import request from 'supertest';
import type { Express } from 'express';
import { Ticket } from '../../src/modules/feedback/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';

describe('In a real browser without JavaScript: a unit head hands tickets over to SP4N-LAPOR! and back', function () {
  useTestDatabase();
  let app: Express;
  let code: string;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Antrean pendaftaran pagi ini lebih dari dua jam.',
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    code = filed.body.code;
  });
  const browser = useBrowser(this, () => app);

  it('downloads the export and imports a LAPOR! file on a phone, then reads the same page in English on a laptop', async function () {
    this.timeout(90_000);
    const context = await browser.browser!.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'id-ID',
      javaScriptEnabled: false,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(`${browser.baseUrl}/inbox`);
    await page.getByLabel('E-mail').fill('kepala.kebunhandil@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/inbox$/);
    await page.getByRole('link', { name: 'Serah terima SP4N-LAPOR!' }).click();
    await page.waitForURL(/\/inbox\/lapor$/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Unduh' }).click(),
    ]);
    expect(download.suggestedFilename()).to.match(/^suara-lapor-\d{4}-\d{2}-\d{2}\.csv$/);
    const exported = await readFile((await download.path())!, 'utf8');
    expect(exported).to.contain(code);

    await page.getByLabel('Berkas CSV').setInputFiles({
      name: 'lapor.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `nomor_tracking;kode_suara;status;disposisi\nLAPOR-77;${code};Proses;Dinas Kesehatan\n;;;\nx;;Proses;\n`,
      ),
    });
    await page.getByRole('button', { name: 'Impor', exact: true }).click();
    await page.waitForURL(/\/inbox\/lapor\/import/);
    const report = page.getByRole('status');
    expect(await report.textContent()).to.contain('1 cocok (1 diperbarui, 0 tidak berubah), 0 tiket baru, 1 ditolak.');
    expect(await report.textContent()).to.contain('Baris 4: Nomor tracking LAPOR! kosong atau tidak sah');
    expect((await Ticket.findOne({ code }).lean())!.lapor).to.deep.include({ trackingNumber: 'LAPOR-77' });
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/lapor-phone.png', fullPage: true });

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${browser.baseUrl}/inbox/lapor?lang=en`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('SP4N-LAPOR! hand-over');
    expect(await page.getByLabel('Received from (date)').isVisible()).to.equal(true);
    expect(await page.getByRole('button', { name: 'Download' }).isVisible()).to.equal(true);
    expect(await page.getByRole('button', { name: 'Import', exact: true }).isVisible()).to.equal(true);
    await page.screenshot({ path: 'test-results/lapor-laptop-en.png', fullPage: true });
    await context.close();
  });
});
