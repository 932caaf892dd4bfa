import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { Unit } from '../../src/modules/directory/model.js';
import { periodShortcuts } from '../../src/modules/analytics/shared/period.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { insertSurvey, insertWorkedExample } from './pages-helpers.js';

const QUERY = 'from=2026-07-01&to=2026-09-30';
/** The unit codes the unit picker offers. */
const optionsOf = (html: string) =>
  [...(html.match(/<select id="f-unit"[\s\S]*?<\/select>/)?.[0] ?? '').matchAll(/<option value="([A-Z0-9-]+)"/g)].map(
    (match) => match[1],
  );

describe('Analytics pages: the IKM report and the trends page for staff', function () {
  this.timeout(90_000); // many requests each; the shared machine can be slow
  useTestDatabase();
  let app: Express;
  let siteHead: request.Agent;
  let dinkesHead: request.Agent;
  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'pembina@suara.test',
      name: 'Pembina',
      password: PASSWORD,
      role: 'coach',
      unitCode: 'JAMBI',
    });
    await createUser(admin, {
      email: 'pemantau@suara.test',
      name: 'Pemantau',
      password: PASSWORD,
      role: 'viewer',
      unitCode: 'PKM-PUTRIAYU',
    });
    await Unit.updateOne({ code: 'PKM-KEBUNHANDIL' }, { $set: { population: 1000 } });
    await insertWorkedExample('PKM-KEBUNHANDIL', new Date('2026-08-10T03:00:00Z'));
    await insertSurvey({
      unitCode: 'AMB-DUKCAPIL',
      answers: [1, 1, 1, 1, 1, 1, 1, 1, 1],
      submittedAt: new Date('2026-08-10T03:00:00Z'),
    });
    siteHead = request.agent(app);
    await signIn(siteHead, 'kepala.kebunhandil@suara.test');
    dinkesHead = request.agent(app);
    await signIn(dinkesHead, 'kepala.dinkes@suara.test');
  });

  it('shows a unit head the 9 element means with grades, the IKM with its grade, the sample warning and the integrity indicators', async () => {
    const page = await siteHead.get(`/analytics/ikm?unitCode=PKM-KEBUNHANDIL&${QUERY}`).expect(200);
    expect(page.text).to.include('<strong id="ikm-value">91,48</strong>');
    expect(page.text).to.include('A · Sangat Baik');
    expect(page.text).to.include('<dd id="respondents">29</dd>');
    expect(page.text).to.match(
      /<td>U1<\/td><td>Persyaratan<\/td><td class="num">105<\/td><td class="num">3,6207<\/td><td>A<\/td>/,
    );
    expect((page.text.match(/<td>U\d<\/td>/g) ?? []).length).to.equal(9);
    expect(page.text).to.include('id="sample-warning"');
    expect(page.text).to.include('Jumlah responden (29) masih di bawah sampel minimal (278)');
    expect(page.text).to.include('2 dari 29 jawaban memiliki satu tanda atau lebih.');
    expect(page.text).to.include('Perangkat baru (tanpa cookie): <strong>2</strong>');
    // The profile breakdown: 15 women, 14 men.
    expect(page.text).to.match(/<td>Perempuan<\/td><td class="num">15<\/td>/);
    expect(page.text).to.match(/<td>Laki-laki<\/td><td class="num">14<\/td>/);
    // The unit picker holds the head's own scope only.
    expect(optionsOf(page.text)).to.deep.equal(['PKM-KEBUNHANDIL']);
    // Exports and the follow-up form are offered.
    expect(page.text).to.include('/analytics/ikm.xlsx?unitCode=PKM-KEBUNHANDIL');
    expect(page.text).to.include('id="follow-up-form"');
  });

  it('opens on the first unit of the scope, with the subtree summed, and in English on request', async () => {
    const page = await dinkesHead.get(`/analytics/ikm?${QUERY}&lang=en`).expect(200);
    expect(optionsOf(page.text)).to.include.members(['JAMBI-DINKES', 'PKM-KEBUNHANDIL', 'PKM-PUTRIAYU']);
    expect(optionsOf(page.text)).not.to.include('AMB-DUKCAPIL');
    expect(page.text).to.include('<option value="JAMBI-DINKES" selected>');
    expect(page.text).to.include('<strong id="ikm-value">91.48</strong>');
    expect(page.text).to.include('Scores per element');
    const own = await dinkesHead.get(`/analytics/ikm?unitCode=JAMBI-DINKES&${QUERY}&subtree=0`).expect(200);
    expect(own.text).to.include('<dd id="respondents">0</dd>');
  });

  it('lets coaches, viewers and admins read in their scope; refuses handlers, other scopes and strangers', async () => {
    const coach = request.agent(app);
    await signIn(coach, 'pembina@suara.test');
    await coach.get(`/analytics/ikm?unitCode=PKM-KEBUNHANDIL&${QUERY}`).expect(200);
    const admin = request.agent(app);
    await signIn(admin, 'admin.jambi@suara.test');
    await admin.get(`/analytics/ikm?unitCode=JAMBI&${QUERY}`).expect(200);
    await admin.get(`/analytics/ikm?unitCode=AMB-DUKCAPIL&${QUERY}`).expect(403);
    const viewer = request.agent(app);
    await signIn(viewer, 'pemantau@suara.test');
    const viewerPage = await viewer.get(`/analytics/ikm?${QUERY}`).expect(200);
    expect(optionsOf(viewerPage.text)).to.deep.equal(['PKM-PUTRIAYU']);
    expect(viewerPage.text).not.to.include('id="follow-up-form"'); // reading is not planning
    await viewer.get(`/analytics/ikm?unitCode=PKM-KEBUNHANDIL&${QUERY}`).expect(403);
    const handler = request.agent(app);
    await signIn(handler, 'petugas@suara.test');
    await handler.get('/analytics/ikm').expect(403);
    await handler.get('/analytics/trends').expect(403);
    await siteHead.get(`/analytics/ikm?unitCode=AMB-DUKCAPIL&${QUERY}`).expect(403);
    const stranger = await request(app).get('/analytics/ikm').expect(303);
    expect(stranger.headers.location).to.equal('/login?next=%2Fanalytics%2Fikm');
  });

  it('offers ready-made periods: this quarter (the default), the previous one, this year, last year', async () => {
    const page = await siteHead.get('/analytics/ikm?unitCode=PKM-KEBUNHANDIL').expect(200);
    const [quarter, previous] = periodShortcuts('Asia/Jakarta');
    expect(page.text).to.include(`<input id="f-from" type="date" name="from" value="${quarter!.fromDay}">`);
    expect(page.text).to.match(/aria-current="true">Triwulan ini<\/a>/);
    expect(page.text).to.include(
      `href="/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=${previous!.fromDay}&to=${previous!.toDay}&subtree=1">Triwulan lalu</a>`,
    );
    const trends = await siteHead.get('/analytics/trends?unitCode=PKM-KEBUNHANDIL&interval=week').expect(200);
    expect(trends.text).to.include(`&to=${previous!.toDay}&interval=week">Triwulan lalu</a>`);
  });

  it('answers bad input with a 400 in the request language', async () => {
    const backwards = await siteHead
      .get('/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=2026-09-30&to=2026-07-01')
      .set('Accept', 'application/json')
      .set('Accept-Language', 'en')
      .expect(400);
    expect(backwards.body.error).to.deep.include({ code: 'validation' });
    expect(backwards.body.error.fields.to).to.equal('The end date cannot be before the start date.');
    const code = await siteHead
      .get('/analytics/ikm?unitCode=!!&from=2026-07-01')
      .set('Accept', 'application/json')
      .expect(400);
    expect(code.body.error.fields).to.have.property('unitCode');
    const unknown = await siteHead
      .get('/analytics/ikm?unitCode=NOPE-UNIT')
      .set('Accept', 'application/json')
      .expect(400);
    expect(unknown.body.error.fields).to.have.property('unitCode');
    await siteHead.get('/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=2020-01-01&to=2026-01-01').expect(400);
    await siteHead.get('/analytics/trends?unitCode=PKM-KEBUNHANDIL&interval=day').expect(400);
    // The page form shows the error as a page, not a stack.
    const html = await siteHead.get('/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=2026-02-30').expect(400);
    expect(html.text).to.include('Tanggal tidak valid');
  });

  it('shows trends as tables with a chart canvas each, served Chart.js, and a CSV per table', async () => {
    const page = await siteHead.get(`/analytics/trends?unitCode=PKM-KEBUNHANDIL&${QUERY}&interval=month`).expect(200);
    for (const id of ['tickets', 'categories', 'compliments', 'waiting', 'durations', 'reopen', 'rating', 'ikm'])
      expect(page.text).to.include(`id="table-${id}"`);
    expect(page.text).to.include('<canvas id="chart-ikm"');
    expect(page.text).to.include('<script type="application/json" id="trends-data">');
    expect(page.text).to.match(/<script src="\/static\/vendor\/chart\.umd\.min\.js\?v=[\w-]+" defer><\/script>/);
    expect(page.text).not.to.match(/<script>(?!<\/script>)/); // no inline script (CSP)
    // The IKM table carries the month of the surveys.
    expect(page.text).to.match(
      /<tr><td>2026-08<\/td><td class="num">91,48<\/td><td class="num">A<\/td><td class="num">29<\/td><\/tr>/,
    );
    const data = JSON.parse(page.text.match(/id="trends-data">([^<]*)<\/script>/)![1]!) as {
      id: string;
      labels: string[];
    }[];
    expect(data.find((chart) => chart.id === 'ikm')!.labels).to.deep.equal(['2026-07', '2026-08', '2026-09']);

    const csv = await siteHead
      .get(`/analytics/trends.csv?unitCode=PKM-KEBUNHANDIL&${QUERY}&interval=month&table=ikm`)
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')).to.include('2026-08,91.48,A,29');
    await siteHead
      .get(`/analytics/trends.csv?unitCode=PKM-KEBUNHANDIL&${QUERY}&table=nope`)
      .set('Accept', 'application/json')
      .expect(400);
    const weekly = await siteHead.get(`/analytics/trends?unitCode=PKM-KEBUNHANDIL&${QUERY}&interval=week`).expect(200);
    expect(weekly.text).to.include('2026-W33');

    const chart = await request(app).get('/static/vendor/chart.umd.min.js').expect(200);
    expect(chart.headers['content-type']).to.match(/javascript/);
    expect(chart.text.length).to.be.greaterThan(100_000);
    await request(app).get('/static/js/charts.js').expect(200);
  });
});
