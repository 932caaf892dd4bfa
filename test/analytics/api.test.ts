import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { rebuildRollups } from '../../src/modules/analytics/rollups/rebuild.js';
import { ikmReport } from '../../src/modules/analytics/ikm/report.js';
import { ticketTrends } from '../../src/modules/analytics/trends/report.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { toActor } from '../../src/modules/accounts/actors.js';
import { User } from '../../src/modules/accounts/model.js';
import { Unit, type UnitDoc } from '../../src/modules/directory/model.js';
import { addDays, localDate } from '../../src/platform/calendar.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { insertSurveys, rowsFor } from './rollups-helpers.js';

const WORKED = [105, 101, 100, 116, 102, 105, 106, 105, 115];

describe('Analytics JSON API', () => {
  useTestDatabase();
  let app: Express;
  let head: request.Agent;

  before(async function () {
    this.timeout(60_000);
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'viewer.ambon@suara.test',
      name: 'Viewer Ambon',
      password: PASSWORD,
      role: 'viewer',
      unitCode: 'AMBON',
    });
    await createUser(admin, {
      email: 'kepala.dukcapil@suara.test',
      name: 'Kepala Dukcapil',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'AMB-DUKCAPIL',
    });
    const units = Object.fromEntries((await Unit.find({}).lean<UnitDoc[]>()).map((unit) => [unit.code, unit]));
    await insertSurveys(units['PKM-KEBUNHANDIL']!, rowsFor(WORKED, 29), new Date('2026-02-10T03:00:00Z'));
    // Today (local) too, for the default period of this quarter.
    await insertSurveys(units['PKM-PUTRIAYU']!, [[4, 4, 4, 4, 4, 4, 4, 4, 4]], new Date());
    await rebuildRollups();
    head = request.agent(app);
    await signIn(head, 'kepala.dinkes@suara.test');
  });

  it('gives the IKM in the documented shape, with the element means first-class', async () => {
    const { body } = await head
      .get('/api/v1/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=2026-02-01&to=2026-02-28')
      .expect(200);
    expect(body).to.include({ respondents: 29, ikm: 91.48, grade: 'A', label: 'Sangat Baik', minimumSample: null });
    expect(body.elements).to.have.length(9);
    body.elements.forEach((mean: number, index: number) => expect(mean).to.be.closeTo(WORKED[index]! / 29, 1e-12));
    expect(body.elementGrades).to.deep.equal(['A', 'B', 'B', 'A', 'B', 'A', 'A', 'A', 'A']);
    expect(body).to.include({ sampleTooSmall: false, from: '2026-02-01', to: '2026-02-28', subtree: true });
    // `to` is inclusive: the last day counts.
    const lastDay = await head.get('/api/v1/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=2026-02-10&to=2026-02-10');
    expect(lastDay.body.respondents).to.equal(29);
  });

  it('defaults to this quarter to date, and reads the subtree unless told otherwise', async () => {
    const { body } = await head.get('/api/v1/analytics/ikm?unitCode=JAMBI-DINKES').expect(200);
    const today = localDate(new Date(), 'Asia/Jakarta');
    expect(body.to).to.equal(today);
    expect(body.from).to.match(/^\d{4}-(01|04|07|10)-01$/);
    expect(body.respondents).to.equal(1);
    const alone = await head.get('/api/v1/analytics/ikm?unitCode=JAMBI-DINKES&subtree=0').expect(200);
    expect(alone.body.respondents).to.equal(0);
    expect(alone.body.ikm).to.equal(null);
  });

  it('gives trends with bucket labels', async () => {
    const { body } = await head
      .get('/api/v1/analytics/trends?unitCode=JAMBI-DINKES&from=2026-01-01&to=2026-03-31&interval=month')
      .expect(200);
    expect(body.buckets.map((bucket: { label: string }) => bucket.label)).to.deep.equal([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    expect(body.ikm[1]).to.include({ respondents: 29, ikm: 91.48 });
    const weeks = await head
      .get('/api/v1/analytics/trends?unitCode=JAMBI-DINKES&from=2026-02-02&to=2026-02-15&interval=week')
      .expect(200);
    expect(weeks.body.buckets).to.have.length(2);
  });

  it('refuses bad dates and periods with a 400 in the request language', async () => {
    const bad = await head
      .get('/api/v1/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=2026-02-30&to=2026-03-01')
      .set('Accept-Language', 'en')
      .expect(400);
    expect(bad.body.error.code).to.equal('validation');
    expect(bad.body.error.fields.from).to.equal('Dates must look like YYYY-MM-DD and exist in the calendar.');
    const reversed = await head
      .get('/api/v1/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=2026-03-01&to=2026-02-01')
      .set('Accept-Language', 'id')
      .expect(400);
    expect(reversed.body.error.fields.to).to.equal('Tanggal akhir tidak boleh sebelum tanggal awal.');
    const interval = await head
      .get('/api/v1/analytics/trends?unitCode=PKM-KEBUNHANDIL&interval=day')
      .set('Accept-Language', 'en')
      .expect(400);
    expect(interval.body.error.fields).to.have.keys('interval');
    await head.get('/api/v1/analytics/ikm').expect(400);
    await head.get('/api/v1/analytics/ikm?unitCode=NOPE-UNIT').expect(404);
  });

  it('needs a sign-in, and the grant on the unit: a viewer or head of another agency gets 403', async () => {
    await request(app).get('/api/v1/analytics/ikm?unitCode=PKM-KEBUNHANDIL').expect(401);
    const viewer = request.agent(app);
    await signIn(viewer, 'viewer.ambon@suara.test');
    await viewer.get('/api/v1/analytics/ikm?unitCode=PKM-KEBUNHANDIL').expect(403);
    await viewer.get('/api/v1/analytics/trends?unitCode=JAMBI').expect(403);
    await viewer.get('/api/v1/analytics/ikm?unitCode=AMB-DUKCAPIL').expect(200);
    const otherHead = request.agent(app);
    await signIn(otherHead, 'kepala.dukcapil@suara.test');
    await otherHead.get('/api/v1/analytics/ikm?unitCode=JAMBI-DINKES').expect(403);
    // A head reads below their unit, not above it.
    const siteHead = request.agent(app);
    await signIn(siteHead, 'kepala.kebunhandil@suara.test');
    await siteHead.get('/api/v1/analytics/ikm?unitCode=PKM-KEBUNHANDIL').expect(200);
    await siteHead.get('/api/v1/analytics/ikm?unitCode=JAMBI-DINKES').expect(403);
    await siteHead.get('/api/v1/analytics/weights/JAMBI').expect(403);
  });

  it('checks the grant in the service too, not only in the route; public figures need none', async () => {
    const viewer = toActor((await User.findOne({ email: 'viewer.ambon@suara.test' }))!);
    const today = localDate(new Date(), 'Asia/Jakarta');
    const q = { unitCode: 'JAMBI', from: addDays(today, -7), to: today };
    await ikmReport(viewer, q).then(
      () => expect.fail('a viewer of Ambon read Jambi'),
      (error: { code?: string }) => expect(error.code).to.equal('forbidden'),
    );
    await ticketTrends(viewer, { ...q, interval: 'week' }).then(
      () => expect.fail('a viewer of Ambon read Jambi trends'),
      (error: { code?: string }) => expect(error.code).to.equal('forbidden'),
    );
    expect((await ikmReport(null, q)).respondents).to.equal(1);
  });
});
