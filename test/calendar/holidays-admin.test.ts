import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { Holiday } from '../../src/modules/calendar/model.js';
import { ensureNationalHolidays } from '../../src/modules/calendar/service.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/db.js';

const hutJambi = {
  date: '2026-01-06',
  kind: 'local' as const,
  agencyCode: 'JAMBI',
  name_id: 'HUT Provinsi Jambi',
  name: 'Jambi Province Anniversary',
};

describe('Holidays admin page and public API', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    await ensureNationalHolidays();
  });

  async function signedIn(email: string) {
    const agent = request.agent(app);
    const csrf = await signIn(agent, email);
    return { agent, csrf };
  }

  describe('/admin/holidays', () => {
    it("shows an agency admin the year's national days and cuti bersama, with a form for their agency only", async () => {
      const { agent } = await signedIn('admin.jambi@suara.test');
      const page = await agent.get('/admin/holidays?year=2026').expect(200);
      expect(page.text).to.include('Isra Mikraj Nabi Muhammad S.A.W.');
      expect(page.text).to.include('Cuti bersama Idul Fitri 1447 Hijriah');
      expect(page.text).to.include('Jumat, 16 Januari 2026');
      expect(page.text).not.to.include('Tahun Baru 2027 Masehi');
      expect(page.text).to.include('method="post" action="/admin/holidays"');
      expect(page.text).to.include('<option value="JAMBI"');
      expect(page.text).not.to.include('<option value="AMBON"');
      expect(page.text).not.to.include('<option value="national"'); // only the platform admin adds national days
      expect(page.text).not.to.include('/delete"'); // national days are not theirs to remove
      const english = await agent.get('/admin/holidays?year=2027&lang=en').expect(200);
      expect(english.text).to.include('New Year&#x27;s Day 2027').and.to.include('Friday, 1 January 2027');
    });

    it('lets an agency admin add a local holiday for their agency, which only that agency sees', async () => {
      const { agent, csrf } = await signedIn('admin.jambi@suara.test');
      const added = await agent
        .post('/admin/holidays')
        .type('form')
        .send({ ...hutJambi, _csrf: csrf })
        .expect(303);
      expect(added.headers.location).to.equal('/admin/holidays?year=2026');
      const page = await agent.get('/admin/holidays?year=2026').expect(200);
      expect(page.text).to.include('HUT Provinsi Jambi').and.to.include('/delete"');

      const jambi = await request(app).get('/api/v1/holidays?year=2026&agencyCode=JAMBI').expect(200);
      expect(jambi.body.holidays.map((h: { date: string }) => h.date)).to.include('2026-01-06');
      const ambon = await request(app).get('/api/v1/holidays?year=2026&agencyCode=AMBON').expect(200);
      expect(ambon.body.holidays.map((h: { date: string }) => h.date)).not.to.include('2026-01-06');
    });

    it("forbids an agency admin another agency's local holiday and national days", async () => {
      const { agent, csrf } = await signedIn('admin.jambi@suara.test');
      await agent
        .post('/admin/holidays')
        .type('form')
        .send({ ...hutJambi, date: '2026-09-07', agencyCode: 'AMBON', name_id: 'HUT Kota Ambon', _csrf: csrf })
        .expect(403);
      await agent
        .post('/admin/holidays')
        .type('form')
        .send({ ...hutJambi, date: '2026-10-02', kind: 'national', name_id: 'Hari Batik', _csrf: csrf })
        .expect(403);
      const national = await Holiday.findOne({ date: '2026-08-17', agencyCode: null }).lean();
      await agent
        .post(`/admin/holidays/${String(national!._id)}/delete`)
        .type('form')
        .send({ _csrf: csrf })
        .expect(403);
      expect(await Holiday.countDocuments({ date: { $in: ['2026-09-07', '2026-10-02'] } })).to.equal(0);
      expect(await Holiday.countDocuments({ date: '2026-08-17', removedAt: null })).to.equal(1);
    });

    it('lets a unit head read the calendar but not change it', async () => {
      const { agent, csrf } = await signedIn('kepala.dinkes@suara.test');
      const page = await agent.get('/admin/holidays?year=2026').expect(200);
      expect(page.text).to.include('Proklamasi Kemerdekaan');
      expect(page.text).to.include('HUT Provinsi Jambi'); // their agency's local day applies to their clocks
      expect(page.text).not.to.include('method="post" action="/admin/holidays"');
      await agent
        .post('/admin/holidays')
        .type('form')
        .send({ ...hutJambi, date: '2026-11-03', name_id: 'Libur Dinkes', _csrf: csrf })
        .expect(403);
      const local = await Holiday.findOne({ date: '2026-01-06', agencyCode: 'JAMBI' }).lean();
      await agent
        .post(`/admin/holidays/${String(local!._id)}/delete`)
        .type('form')
        .send({ _csrf: csrf })
        .expect(403);
      expect(await Holiday.countDocuments({ date: '2026-11-03' })).to.equal(0);
    });

    it('shows a mistyped form again with the message beside the field and nothing lost', async () => {
      const { agent, csrf } = await signedIn('admin.jambi@suara.test');
      const page = await agent
        .post('/admin/holidays')
        .type('form')
        .send({ ...hutJambi, date: '2026-02-30', name_id: 'Hari Jadi Kabupaten', _csrf: csrf })
        .expect(400);
      expect(page.text).to.include('aria-invalid="true" aria-describedby="date-error"');
      expect(page.text).to.include('value="Hari Jadi Kabupaten"');
      expect(page.text).to.include('value="2026-02-30"');
    });

    it('refuses a change without the form token', async () => {
      const { agent } = await signedIn('admin.jambi@suara.test');
      await agent
        .post('/admin/holidays')
        .type('form')
        .send({ ...hutJambi, date: '2026-12-01' })
        .expect(403);
      expect(await Holiday.countDocuments({ date: '2026-12-01' })).to.equal(0);
    });

    it('lets the agency admin remove their local holiday, and the platform admin a national one', async () => {
      const { agent, csrf } = await signedIn('admin.jambi@suara.test');
      const local = await Holiday.findOne({ date: '2026-01-06', agencyCode: 'JAMBI' }).lean();
      await agent
        .post(`/admin/holidays/${String(local!._id)}/delete`)
        .type('form')
        .send({ _csrf: csrf })
        .expect(303);
      const after = await request(app).get('/api/v1/holidays?year=2026&agencyCode=JAMBI').expect(200);
      expect(after.body.holidays.map((h: { date: string }) => h.date)).not.to.include('2026-01-06');

      const platform = await signedIn('root@suara.test');
      const batik = await platform.agent
        .post('/admin/holidays')
        .type('form')
        .send({ date: '2026-10-02', kind: 'national', name_id: 'Hari Batik', name: 'Batik Day', _csrf: platform.csrf })
        .expect(303);
      expect(batik.headers.location).to.equal('/admin/holidays?year=2026');
      const ambon = await request(app).get('/api/v1/holidays?year=2026&agencyCode=AMBON').expect(200);
      expect(ambon.body.holidays.map((h: { date: string }) => h.date)).to.include('2026-10-02');
    });

    it('takes the same changes as JSON from a signed-in admin, for integrations', async () => {
      const { agent, csrf } = await signedIn('admin.jambi@suara.test');
      const created = await agent
        .post('/api/v1/holidays')
        .set('X-CSRF-Token', csrf)
        .send({ ...hutJambi, date: '2027-01-06', name_id: 'HUT Provinsi Jambi ke-70' })
        .expect(201);
      expect(created.body).to.include({ date: '2027-01-06', agencyCode: 'JAMBI', kind: 'local' });
      const refused = await agent
        .post('/api/v1/holidays')
        .set('X-CSRF-Token', csrf)
        .send({ ...hutJambi, date: '2027-01-06', agencyCode: 'AMBON' })
        .expect(403);
      expect(refused.body.error.code).to.equal('forbidden');
      await agent
        .delete(`/api/v1/holidays/${created.body.id as string}`)
        .set('X-CSRF-Token', csrf)
        .expect(204);
      await agent
        .delete(`/api/v1/holidays/${created.body.id as string}`)
        .set('X-CSRF-Token', csrf)
        .expect(404);
    });

    it('sends someone signed out to the sign-in page', async () => {
      const response = await request(app).get('/admin/holidays').expect(303);
      expect(response.headers.location).to.match(/^\/login\?next=/);
    });
  });

  describe('GET /api/v1/holidays', () => {
    it('lists national days and cuti bersama of a year to anyone, in date order', async () => {
      const response = await request(app).get('/api/v1/holidays?year=2027').expect(200);
      expect(response.body.year).to.equal(2027);
      expect(response.body.agencyCode).to.equal(null);
      const holidays = response.body.holidays as { date: string; kind: string; name_id: string; name: string }[];
      expect(holidays).to.have.length(26);
      expect(holidays[0]).to.deep.equal({
        date: '2027-01-01',
        kind: 'national',
        name_id: 'Tahun Baru 2027 Masehi',
        name: "New Year's Day 2027",
        agencyCode: null,
      });
      expect(holidays.map((h) => h.date)).to.deep.equal([...holidays.map((h) => h.date)].sort());
      expect(holidays.filter((h) => h.kind === 'cuti_bersama')).to.have.length(8);
    });

    it("takes any unit code and answers for that unit's agency", async () => {
      await Holiday.create({ ...hutJambi, date: '2026-01-07', source: 'admin' });
      const response = await request(app).get('/api/v1/holidays?year=2026&agencyCode=pkm-kebunhandil').expect(200);
      expect(response.body.agencyCode).to.equal('JAMBI');
      expect(response.body.holidays.map((h: { date: string }) => h.date)).to.include('2026-01-07');
    });

    it('answers bad input with a 400 naming the field', async () => {
      const badYear = await request(app).get('/api/v1/holidays?year=dua-ribu').expect(400);
      expect(badYear.body.error.code).to.equal('validation');
      expect(badYear.body.error.fields).to.have.property('year');
      const unknown = await request(app).get('/api/v1/holidays?agencyCode=NOWHERE').expect(400);
      expect(unknown.body.error.fields).to.have.property('agencyCode');
      await request(app).get('/api/v1/holidays?agencyCode=JAMBI&agencyCode=AMBON').expect(400);
    });
  });
});
