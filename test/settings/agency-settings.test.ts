import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { adminWorld, postForm, send, signedIn, type Signed } from '../helpers/admin.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

const EQUAL = Array(9).fill(1 / 9);
const CUSTOM = [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];

/** Today in Jambi, as the transparency page counts its period to date. */
const todayInJambi = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(new Date());

describe('Agency settings: an admin sets the SKM weights and the transparency period of their own agency', function () {
  this.timeout(60_000);
  useTestDatabase();
  let app: Express;
  let jambi: Signed;
  let ambon: Signed;

  const as = (email: string) => signedIn(app, email);
  const put = (who: Signed, agency: string, body: object, lang = 'id') =>
    send(who, 'put', `/api/v1/agencies/${agency}/settings`, body, lang);
  const post = postForm;
  const weightFields = (weights: number[]) =>
    Object.fromEntries(weights.map((weight, index) => [`weight${index + 1}`, String(weight)]));

  before(async () => {
    ({ app } = await adminWorld());
  });
  beforeEach(async () => {
    await resetRateLimits();
    jambi = await as('admin.jambi@suara.test');
    ambon = await as('admin.ambon@suara.test');
  });

  it('opens on equal weights and the quarter, reached from the admin home', async () => {
    const home = await jambi.agent.get('/admin').expect(200);
    expect(home.text).to.include('href="/admin/settings/JAMBI"');
    expect(home.text).to.include('Pengaturan instansi');
    await jambi.agent.get('/admin/settings').expect(303).expect('location', '/admin/settings/JAMBI');
    const json = (await jambi.agent.get('/api/v1/agencies/JAMBI/settings').expect(200)).body;
    expect(json).to.deep.include({ agencyCode: 'JAMBI', customWeights: false, transparencyPeriod: 'quarter' });
    expect(json.weights).to.deep.equal(EQUAL);
    const page = await jambi.agent.get('/admin/settings/JAMBI').expect(200);
    expect(page.text).to.include('Bobot sama (1/9) berlaku.');
    expect(page.text).to.include('<option value="quarter" selected>Triwulan berjalan</option>');
  });

  it('saves weights from the page without JavaScript, audits before and after, and goes back to equal weights', async () => {
    await post(jambi, '/admin/settings/JAMBI/weights', weightFields(CUSTOM))
      .expect(303)
      .expect('location', '/admin/settings/JAMBI');
    const json = (await jambi.agent.get('/api/v1/agencies/JAMBI/settings').expect(200)).body;
    expect(json).to.deep.include({ customWeights: true, weights: CUSTOM });
    expect((await jambi.agent.get('/admin/settings/JAMBI').expect(200)).text).to.include('Bobot sendiri berlaku.');
    const [entry] = await AuditEntry.find({ action: 'analytics.weights', target: 'JAMBI' }).sort({ at: -1 }).lean();
    expect(entry!.details).to.deep.include({ before: { weights: null }, after: { weights: CUSTOM } });

    await post(jambi, '/admin/settings/JAMBI/weights', { ...weightFields(CUSTOM), equal: '1' }).expect(303);
    expect((await jambi.agent.get('/api/v1/agencies/JAMBI/settings').expect(200)).body.weights).to.deep.equal(EQUAL);
    const [reset] = await AuditEntry.find({ action: 'analytics.weights', target: 'JAMBI' }).sort({ at: -1 }).lean();
    expect(reset!.details).to.deep.include({ before: { weights: CUSTOM }, after: { weights: null } });
  });

  it('refuses weights that do not add up to 1, on the page with what was typed and on the API, in both languages', async () => {
    const typed = weightFields(Array(9).fill(0.11));
    const page = await post(jambi, '/admin/settings/JAMBI/weights', typed).expect(400);
    expect(page.text).to.include('Bobot harus 9 angka tidak negatif yang jumlahnya 1.');
    expect(page.text).to.include('name="weight1" type="number" min="0" max="1" step="any" value="0.11"');
    const english = await post(jambi, '/admin/settings/JAMBI/weights', typed, 'en').expect(400);
    expect(english.text).to.include('Weights must be 9 non-negative numbers that add up to 1.');
    const api = await put(jambi, 'JAMBI', { weights: [0.5, 0.5, 0, 0, 0, 0, 0, 0, 0.1] }, 'en').expect(400);
    expect(api.body.error.fields.weights).to.equal('Weights must be 9 non-negative numbers that add up to 1.');
    const period = await put(jambi, 'JAMBI', { transparencyPeriod: 'week' }).expect(400);
    expect(period.body.error.fields.transparencyPeriod).to.equal('Pilih bulan, triwulan, semester, atau tahun.');
    const periodEn = await post(jambi, '/admin/settings/JAMBI/transparency', { transparencyPeriod: 'week' }, 'en');
    expect(periodEn.status).to.equal(400);
    expect(periodEn.text).to.include('Choose month, quarter, half-year or year.');
    expect((await jambi.agent.get('/api/v1/agencies/JAMBI/settings').expect(200)).body).to.deep.include({
      customWeights: false,
      transparencyPeriod: 'quarter',
    });
  });

  it('refuses another agency’s admin and staff who are not admins, and changes nothing', async () => {
    const before = await AuditEntry.countDocuments({ target: 'JAMBI' });
    await ambon.agent.get('/admin/settings/JAMBI').expect(403);
    await ambon.agent.get('/api/v1/agencies/JAMBI/settings').expect(403);
    await put(ambon, 'JAMBI', { weights: CUSTOM, transparencyPeriod: 'year' }).expect(403);
    await post(ambon, '/admin/settings/JAMBI/weights', weightFields(CUSTOM)).expect(403);
    await post(ambon, '/admin/settings/JAMBI/transparency', { transparencyPeriod: 'year' }).expect(403);
    await ambon.agent.get('/admin/settings').expect(303).expect('location', '/admin/settings/AMBON');
    const head = await as('kepala.dinkes@suara.test');
    await head.agent.get('/admin/settings/JAMBI').expect(403);
    await put(head, 'JAMBI', { transparencyPeriod: 'year' }).expect(403);
    const root = await as('root@suara.test');
    const picker = await root.agent.get('/admin/settings').expect(200);
    expect(picker.text).to.include('href="/admin/settings/JAMBI"');
    expect(picker.text).to.include('href="/admin/settings/AMBON"');
    expect((await root.agent.get('/admin').expect(200)).text).to.include('href="/admin/settings"');
    await jambi.agent.get('/api/v1/agencies/NOWHERE/settings').expect(404);
    await jambi.agent.get('/api/v1/agencies/PKM-KEBUNHANDIL/settings').expect(404);
    expect(await AuditEntry.countDocuments({ target: 'JAMBI' })).to.equal(before);
    expect((await jambi.agent.get('/api/v1/agencies/JAMBI/settings').expect(200)).body).to.deep.include({
      customWeights: false,
      transparencyPeriod: 'quarter',
    });
  });

  it('makes the public transparency page of the agency’s units cover the period chosen, audited', async () => {
    const today = todayInJambi();
    const [year, month] = today.split('-');
    const quarterStart = `${year}-${String(Math.floor((Number(month) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
    const periodOf = async () =>
      (await request(app).get('/api/v1/transparency?unitCode=PKM-KEBUNHANDIL').expect(200)).body.units[0];
    expect(await periodOf()).to.include({ from: quarterStart, to: today });

    await post(jambi, '/admin/settings/JAMBI/transparency', { transparencyPeriod: 'year' }).expect(303);
    expect(await periodOf()).to.include({ from: `${year}-01-01`, to: today });
    const page = await request(app).get('/transparansi?unitCode=PKM-KEBUNHANDIL').expect(200);
    expect(page.text).to.include(`${year}`);

    await put(jambi, 'JAMBI', { transparencyPeriod: 'month' }).expect(200);
    expect(await periodOf()).to.include({ from: `${year}-${month}-01`, to: today });
    const [entry] = await AuditEntry.find({ action: 'analytics.transparency_period', target: 'JAMBI' })
      .sort({ at: -1 })
      .lean();
    expect(entry!.details).to.deep.equal({
      before: { transparencyPeriod: 'year' },
      after: { transparencyPeriod: 'month' },
    });
    // Ambon's units keep the quarter.
    const ambonUnits = (await request(app).get('/api/v1/transparency?unitCode=AMBON').expect(200)).body.units;
    expect(ambonUnits[0]).to.include({ from: quarterStart });
    await put(jambi, 'JAMBI', { transparencyPeriod: 'quarter' }).expect(200);
  });
});
