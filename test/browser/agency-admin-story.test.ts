import { expect } from 'chai';
import type { Express } from 'express';
import type { Page } from 'playwright-core';
import { createUser } from '../../src/modules/accounts/service.js';
import { Officer } from '../../src/modules/directory/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { clock } from '../../src/platform/clock.js';
import { eventsSettled } from '../../src/platform/events.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { useBrowser } from '../helpers/browser.js';
import { useTestDatabase } from '../helpers/db.js';

const DEWI = '198705122011012003';
const RUDI = '199007042015031004';
/** What an agency sends: Excel's CSV in an Indonesian locale, semicolons and a BOM. */
const officersCsv = [
  '\uFEFFNIP;Nama Lengkap;Jabatan;Kode Unit',
  `${DEWI};Dewi Lestari;Perawat Ahli Pertama;PKM-KEBUNHANDIL`,
  `${RUDI};Rudi Nasution;Analis Kesehatan;PKM-KEBUNHANDIL`,
].join('\r\n');

/** A moment of the night in Jambi (WIB, UTC+7) on today's date there: 00:30, or now when it is earlier still. */
function jambiNight(): Date {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());
  const halfPastMidnight = new Date(`${today}T00:30:00+07:00`);
  return halfPastMidnight.getTime() < Date.now() ? halfPastMidnight : new Date();
}

/** The text of the page's main content, spaces folded. */
const mainText = async (page: Page) => (await page.locator('main').innerText()).replace(/\s+/g, ' ');

describe('In a real browser: a new agency admin sets up the agency, and a citizen’s night-time survey is flagged', function () {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'admin.baru@suara.test',
      name: 'Admin Baru Jambi',
      password: PASSWORD,
      role: 'admin',
      unitCode: 'JAMBI',
    });
  });
  const browser = useBrowser(this, () => app);

  it('adds a category with its template, imports, transfers and deactivates officers, sets hours; the IKM shows the flag', async function () {
    this.timeout(180_000);
    const problems: string[] = [];
    const watch = (page: Page) => {
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    };
    const laptop = await browser.browser!.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    const page = await laptop.newPage();
    watch(page);
    const base = browser.baseUrl;

    // Sign-in, through the page, on the way to the admin home.
    await page.goto(`${base}/admin`);
    await page.getByLabel('E-mail').fill('admin.baru@suara.test');
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/admin$/);

    // A category of the agency's own, through the form as rendered.
    await page.goto(`${base}/admin/categories`);
    expect(await mainText(page)).to.include('Kategori pengaduan · Pemerintah Provinsi Jambi');
    await page.getByRole('link', { name: 'Tambah kategori' }).click();
    await page.getByLabel('Kode', { exact: true }).fill('jambi_pharmacy_queue');
    await page.getByLabel('Nama (Bahasa Indonesia)').fill('Antrean apotek');
    await page.getByLabel('Nama (English)').fill('Pharmacy queue');
    const kinds = page.locator('#kinds');
    await kinds.getByLabel('Saran').check();
    await page.locator('#skmElements').getByLabel('U3', { exact: true }).check();
    await page.locator('#berakhlakValues').getByLabel('Berorientasi Pelayanan').check();
    await page.getByLabel('Kompetensi (kode)').fill('manajemen_antrean');
    await page.getByLabel(/Batas verifikasi/).fill('1');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/\/admin\/categories$/);
    expect(await page.getByRole('status').first().innerText()).to.include('Kategori tersimpan.');
    const row = page.locator('tr[data-category="jambi_pharmacy_queue"]');
    expect((await row.innerText()).replace(/\s+/g, ' '))
      .to.include('Antrean apotek')
      .and.include('Milik instansi')
      .and.include('Pengaduan, Saran')
      .and.include('U3');

    // Its response template, from the row's own link: the category is already chosen.
    await row.getByRole('link', { name: 'Tambah templat' }).click();
    expect(await page.getByLabel('Kategori').inputValue()).to.equal('jambi_pharmacy_queue');
    await page.getByLabel('Kode', { exact: true }).fill('jambi_pharmacy_answer');
    await page.getByLabel('Dipakai untuk').selectOption('resolve');
    await page.getByLabel('Judul (Bahasa Indonesia)').fill('Apotek: loket tambahan');
    await page.getByLabel('Judul (English)').fill('Pharmacy: extra counter');
    await page
      .getByLabel('Isi (Bahasa Indonesia)')
      .fill('Laporan {code}: {unit} membuka loket apotek kedua pada jam sibuk.');
    await page
      .getByLabel('Isi (English)')
      .fill('Report {code}: {unit} opened a second pharmacy counter at peak hours.');
    await page.getByRole('button', { name: 'Pratinjau' }).click();
    expect(await page.locator('#preview').innerText()).to.include(
      'Laporan SR-CONTOH-0001: Puskesmas Contoh membuka loket apotek kedua',
    );
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/\/admin\/templates$/);
    const template = (await page.locator('tr[data-template="jambi_pharmacy_answer"]').innerText()).replace(/\s+/g, ' ');
    expect(template).to.include('Apotek: loket tambahan').and.include('Antrean apotek').and.include('Penyelesaian');

    // Officers from a CSV, through the upload form.
    await page.goto(`${base}/admin/officers`);
    await page.getByText('Impor pegawai dari CSV').click();
    await page.getByLabel('Berkas CSV').setInputFiles({
      name: 'pegawai.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(officersCsv, 'utf8'),
    });
    await page.getByRole('button', { name: 'Impor CSV' }).click();
    expect(await mainText(page)).to.include('2 dibuat, 0 diperbarui, 0 ditolak.');
    const rudiRef = (await Officer.findOne({ nip: RUDI }).lean())!.ref;
    expect(await optionTexts(page, `${base}/u/PKM-KEBUNHANDIL`)).to.include.members([
      'Dewi Lestari — Perawat Ahli Pertama',
      'Rudi Nasution — Analis Kesehatan',
    ]);

    // Dewi moves to Puskesmas Putri Ayu; Rudi leaves the service.
    await page.goto(`${base}/admin/officers?q=dewi`);
    await page.getByRole('link', { name: 'Dewi Lestari' }).click();
    await page.waitForURL(new RegExp(`/admin/officers/${DEWI}$`));
    await page.getByText('Mutasi ke unit lain', { exact: true }).first().click();
    await page.getByLabel('Unit', { exact: true }).selectOption('PKM-PUTRIAYU');
    await page.getByLabel('Alasan').first().fill('SK mutasi 31/2026');
    await page.getByRole('button', { name: 'Mutasi ke unit lain' }).click();
    await page.waitForURL(new RegExp(`/admin/officers/${DEWI}$`));
    expect(await page.getByRole('link', { name: 'PKM-PUTRIAYU' }).isVisible()).to.equal(true);

    await page.goto(`${base}/admin/officers?q=${RUDI}`);
    await page.getByRole('link', { name: 'Rudi Nasution' }).click();
    await page.getByRole('button', { name: 'Nonaktifkan' }).click();
    await page.waitForURL(new RegExp(`/admin/officers/${RUDI}$`));
    expect(await page.getByText('Pegawai ini nonaktif').isVisible()).to.equal(true);

    // The public form of Kebun Handil offers neither of them now, and Rudi's QR code says he no longer serves there.
    const picker = await optionTexts(page, `${base}/u/PKM-KEBUNHANDIL`);
    expect(picker.join('|')).not.to.include('Rudi Nasution');
    expect(picker.join('|')).not.to.include('Dewi Lestari');
    expect(await optionTexts(page, `${base}/u/PKM-PUTRIAYU`)).to.include('Dewi Lestari — Perawat Ahli Pertama');
    await page.goto(`${base}/u/PKM-KEBUNHANDIL?officer=${rudiRef}`);
    expect(await page.getByRole('status').first().innerText()).to.include(
      'Petugas pada kode QR ini sudah tidak bertugas di unit ini.',
    );
    // The agency's own category is on that form; another agency's form does not have it.
    expect(await page.locator('#category').innerText()).to.include('Antrean apotek');

    // Opening hours of Kebun Handil: Monday to Saturday mornings, closed on Sunday.
    await page.goto(`${base}/admin/units/PKM-KEBUNHANDIL`);
    const hours = page.locator('form[action="/admin/units/PKM-KEBUNHANDIL/opening-hours"]');
    await hours.locator('xpath=ancestor::details').locator('summary').click();
    for (const day of ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat']) await hours.getByLabel(day).fill('07:30-14:00');
    await hours.getByLabel('Sabtu').fill('07:30-12:00');
    await hours.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/\/admin\/units\/PKM-KEBUNHANDIL$/);
    expect(await mainText(page))
      .to.include('Jam layanan')
      .and.include('Senin')
      .and.include('07:30–14:00')
      .and.include('07:30–12:00');

    // A citizen answers the survey on a phone, at half past midnight in Jambi.
    const night = jambiNight();
    const realNow = clock.now;
    clock.now = () => night.getTime();
    const phone = await browser.browser!.newContext({
      locale: 'id-ID',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const citizen = await phone.newPage();
      watch(citizen);
      await citizen.goto(`${base}/survey/PKM-KEBUNHANDIL`);
      expect(await mainText(citizen))
        .to.include('Puskesmas Kebun Handil')
        .and.include('Jam layanan');
      await citizen.getByLabel('Jenis layanan yang diterima').selectOption('POLI-UMUM');
      const questions = citizen.locator('fieldset.survey-question');
      expect(await questions.count()).to.equal(9);
      for (let index = 0; index < 9; index += 1)
        await questions.nth(index).locator('input[type="radio"][value="4"]').check();
      await citizen.locator('#gender input[type="radio"]').first().check();
      await citizen.getByLabel('Usia').selectOption({ index: 2 });
      await citizen.getByLabel('Pendidikan').selectOption({ index: 3 });
      await citizen.getByLabel('Pekerjaan').selectOption({ index: 1 });
      expect(await citizen.evaluate('document.documentElement.scrollWidth')).to.be.at.most(390);
      await citizen.getByRole('button', { name: 'Kirim penilaian' }).click();
      await citizen.getByRole('heading', { name: 'Terima kasih' }).waitFor();
      expect(await mainText(citizen)).to.include('Penilaian Anda untuk Puskesmas Kebun Handil sudah kami terima.');
    } finally {
      clock.now = realNow;
      await phone.close();
    }
    await eventsSettled();
    // The answer carries the hour it was given in Jambi: the night's, not the machine's.
    const stored = (await SurveyResponse.findOne({ unitCode: 'PKM-KEBUNHANDIL' }).lean())!;
    expect(stored.integrity!.localHour).to.equal(
      Number(night.toLocaleString('en-GB', { timeZone: 'Asia/Jakarta', hour: '2-digit', hourCycle: 'h23' })),
    );
    expect(stored.integrity!.flags).to.include('outside_hours');

    // The admin reads the unit's IKM for that day: the answer counts, flagged as given outside opening hours.
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(night);
    await page.goto(`${base}/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=${day}&to=${day}`);
    expect(await page.locator('#respondents').innerText()).to.equal('1');
    const integrity = (await page.locator('#integrity').innerText()).replace(/\s+/g, ' ');
    expect(integrity).to.include('Indikator integritas').and.include('Di luar jam layanan: 1');
    expect(await mainText(page)).to.match(/100[.,]00/);

    expect(problems, 'no script or CSP errors in the console').to.deep.equal([]);
    await laptop.close();
  });
});

/** The officer picker's choices on a unit's public form. */
async function optionTexts(page: Page, url: string): Promise<string[]> {
  await page.goto(url);
  return (await page.locator('#officerRef option').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
}
