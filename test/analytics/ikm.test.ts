import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { addDays, localDate } from '../../src/platform/calendar.js';
import {
  RollupCheckpoint,
  SurveyTreeMonthRollup,
  SurveyTreeRollup,
} from '../../src/modules/analytics/rollups/model.js';
import { rebuildRollups } from '../../src/modules/analytics/rollups/rebuild.js';
import { ensureRollupLayout, surveyTreeComplete } from '../../src/modules/analytics/rollups/layout.js';
import { ikmReport } from '../../src/modules/analytics/ikm/report.js';
import { Unit, type UnitDoc } from '../../src/modules/directory/model.js';
import { SharedAnswers } from '../../src/platform/shared-answers.js';
import { clearCollections, resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { insertSurveys, postSurveys, rowsFor, rowsWithPoints } from './rollups-helpers.js';

const WORKED = [105, 101, 100, 116, 102, 105, 106, 105, 115];

describe('IKM from the rollups (PermenPANRB 14/2017)', () => {
  useTestDatabase();
  let app: Express;
  let units: Record<string, UnitDoc>;

  beforeEach(async () => {
    await clearCollections();
    app = await testApp();
    await seedDirectory();
    await resetRateLimits();
    units = Object.fromEntries((await Unit.find({}).lean<UnitDoc[]>()).map((unit) => [unit.code, unit])) as Record<
      string,
      UnitDoc
    >;
  });

  const at = (iso: string) => new Date(iso);
  const report = (unitCode: string, from: string, to: string, extra: Record<string, unknown> = {}) =>
    ikmReport(null, { unitCode, from, to, ...extra });

  it('gives 91.48 (A, Sangat Baik) on the worked example, answered through the public API', async function () {
    this.timeout(60_000);
    await postSurveys(app, rowsFor(WORKED, 29)); // the live path: survey.submitted → $inc
    const today = localDate(new Date(), 'Asia/Jakarta');
    const result = await report('PKM-KEBUNHANDIL', addDays(today, -1), addDays(today, 1));
    expect(result).to.include({ respondents: 29, ikm: 91.48, grade: 'A', label: 'Sangat Baik', sampleTooSmall: false });
    expect(result.value).to.be.closeTo(23875 / 261, 1e-12);
    expect(result.elements.map((element) => element.total)).to.deep.equal(WORKED);
    expect(result.elements[0]!.mean).to.be.closeTo(105 / 29, 1e-12);
    expect(result.elements.map((element) => element.grade)).to.deep.equal([
      'A',
      'B',
      'B',
      'A',
      'B',
      'A',
      'A',
      'A',
      'A',
    ]);
    expect(result.profile.gender).to.deep.equal({ male: 0, female: 29 });
    expect(result.integrity.flagged).to.equal(29); // API answers without a device cookie: flagged, still counted
  });

  it('grades at the boundaries on the rounded value: 76.60 is C, 76.61 is B, all 4s give exactly 100', async () => {
    await insertSurveys(units['PKM-KEBUNHANDIL']!, rowsWithPoints(26, 717), at('2026-02-10T03:00:00Z'));
    await insertSurveys(units['PKM-PUTRIAYU']!, rowsWithPoints(19, 524), at('2026-02-10T03:00:00Z'));
    await insertSurveys(units['AMB-DUKCAPIL']!, rowsWithPoints(7, 7 * 36), at('2026-02-10T03:00:00Z'));
    await rebuildRollups();
    expect(await report('PKM-KEBUNHANDIL', '2026-02-01', '2026-02-28')).to.include({ ikm: 76.6, grade: 'C' });
    expect(await report('PKM-PUTRIAYU', '2026-02-01', '2026-02-28')).to.include({
      ikm: 76.61,
      grade: 'B',
      label: 'Baik',
    });
    const top = await report('AMB-DUKCAPIL', '2026-02-01', '2026-02-28');
    expect(top).to.include({ ikm: 100, value: 100, grade: 'A' });
  });

  it('answers an empty period with no index and no respondents', async () => {
    await insertSurveys(units['PKM-KEBUNHANDIL']!, rowsFor(WORKED, 29), at('2026-02-10T03:00:00Z'));
    await rebuildRollups();
    const empty = await report('PKM-KEBUNHANDIL', '2026-03-01', '2026-03-31');
    expect(empty).to.include({ respondents: 0, ikm: null, value: null, grade: null, label: null });
    expect(empty.elements.every((element) => element.mean === null && element.total === 0)).to.equal(true);
  });

  it('sums a subtree to exactly the sum of its units', async () => {
    await insertSurveys(units['PKM-KEBUNHANDIL']!, rowsFor(WORKED, 29), at('2026-02-10T03:00:00Z'));
    await insertSurveys(units['PKM-PUTRIAYU']!, rowsWithPoints(19, 524), at('2026-02-11T03:00:00Z'));
    await insertSurveys(units['AMB-DUKCAPIL']!, rowsWithPoints(5, 150), at('2026-02-11T03:00:00Z'));
    await rebuildRollups();
    const [one, two, dinas, dinasOnly, province] = await Promise.all([
      report('PKM-KEBUNHANDIL', '2026-02-01', '2026-02-28'),
      report('PKM-PUTRIAYU', '2026-02-01', '2026-02-28'),
      report('JAMBI-DINKES', '2026-02-01', '2026-02-28'),
      report('JAMBI-DINKES', '2026-02-01', '2026-02-28', { subtree: false }),
      report('JAMBI', '2026-02-01', '2026-02-28'),
    ]);
    expect(dinas.respondents).to.equal(one.respondents + two.respondents);
    expect(dinas.elements.map((e) => e.total)).to.deep.equal(
      one.elements.map((e, i) => e.total + two.elements[i]!.total),
    );
    expect(province.respondents).to.equal(48); // Ambon is another agency
    expect(dinasOnly.respondents).to.equal(0);
  });

  it('gives a subtree the right IKM in a database rolled up before the subtree documents, and reads them after a rebuild', async () => {
    await insertSurveys(units['PKM-KEBUNHANDIL']!, rowsFor(WORKED, 29), at('2026-02-10T03:00:00Z'));
    await insertSurveys(units['PKM-PUTRIAYU']!, rowsWithPoints(19, 524), at('2026-03-11T03:00:00Z'));
    await rebuildRollups();
    const expected = await report('JAMBI', '2026-02-05', '2026-03-20');
    expect(expected.respondents).to.equal(48);
    // As an older version left it: per-unit rollups, no subtree documents and no mark.
    await SurveyTreeRollup.collection.deleteMany({});
    await SurveyTreeMonthRollup.collection.deleteMany({});
    await RollupCheckpoint.collection.deleteMany({ _id: 'layout' as never });
    SharedAnswers.forgetAll();
    await ensureRollupLayout(); // a start: there are survey rollups to rebuild, so nothing is marked
    expect(await surveyTreeComplete()).to.equal(false);
    expect(await report('JAMBI', '2026-02-05', '2026-03-20')).to.deep.equal(expected);
    await rebuildRollups();
    expect(await surveyTreeComplete()).to.equal(true);
    expect(await SurveyTreeRollup.countDocuments({ unitId: units.JAMBI!._id })).to.equal(2);
    expect(await report('JAMBI', '2026-02-05', '2026-03-20')).to.deep.equal(expected);
  });

  it('counts an answer on the agency’s local day: 23:30 WIT is that day, 00:30 WIT the next, whatever the UTC date', async () => {
    const ambon = units['AMB-DUKCAPIL']!;
    await insertSurveys(ambon, [[4, 4, 4, 4, 4, 4, 4, 4, 4]], at('2026-03-05T14:30:00Z')); // 23:30 WIT, 5 March
    await insertSurveys(ambon, [[1, 1, 1, 1, 1, 1, 1, 1, 1]], at('2026-03-05T15:30:00Z')); // 00:30 WIT, 6 March
    await insertSurveys(units['PKM-KEBUNHANDIL']!, [[3, 3, 3, 3, 3, 3, 3, 3, 3]], at('2026-03-05T23:30:00Z')); // 06:30 WIB, 6 March
    await rebuildRollups();
    const fifth = await report('AMB-DUKCAPIL', '2026-03-05', '2026-03-05');
    expect(fifth).to.include({ respondents: 1, ikm: 100 });
    const sixth = await report('AMB-DUKCAPIL', '2026-03-06', '2026-03-06');
    expect(sixth).to.include({ respondents: 1, ikm: 25 });
    expect(await report('PKM-KEBUNHANDIL', '2026-03-05', '2026-03-05')).to.include({ respondents: 0 });
    expect(await report('PKM-KEBUNHANDIL', '2026-03-06', '2026-03-06')).to.include({ respondents: 1, ikm: 75 });
  });

  it('shows the Krejcie–Morgan minimum sample for the unit’s population and warns when the sample is smaller', async () => {
    await Unit.updateOne({ code: 'PKM-KEBUNHANDIL' }, { $set: { population: 1000 } });
    await insertSurveys(units['PKM-KEBUNHANDIL']!, rowsFor(WORKED, 29), at('2026-02-10T03:00:00Z'));
    await rebuildRollups();
    const result = await report('PKM-KEBUNHANDIL', '2026-02-01', '2026-02-28');
    expect(result).to.include({ minimumSample: 278, sampleTooSmall: true });
    expect((await report('PKM-PUTRIAYU', '2026-02-01', '2026-02-28')).minimumSample).to.equal(null);
  });

  describe('custom element weights per agency', () => {
    it('computes with the agency’s weights, set by its admin through the API', async () => {
      await insertSurveys(units['PKM-KEBUNHANDIL']!, rowsFor(WORKED, 29), at('2026-02-10T03:00:00Z'));
      await rebuildRollups();
      const admin = request.agent(app);
      const csrf = await signIn(admin, 'admin.jambi@suara.test');
      const weights = [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
      const saved = await admin
        .put('/api/v1/analytics/weights/JAMBI')
        .set('X-CSRF-Token', csrf)
        .send({ weights })
        .expect(200);
      expect(saved.body).to.deep.equal({ agencyCode: 'JAMBI', weights, custom: true });
      expect((await admin.get('/api/v1/analytics/weights/JAMBI').expect(200)).body.weights).to.deep.equal(weights);
      const result = await report('PKM-KEBUNHANDIL', '2026-02-01', '2026-02-28');
      const expected = WORKED.reduce((sum, total, index) => sum + total * weights[index]!, 0) * (25 / 29);
      expect(result.value).to.be.closeTo(expected, 1e-9);
      expect(result).to.include({ customWeights: true, ikm: Math.round(expected * 100) / 100 });
      // Back to the regulation's equal weights.
      await admin.put('/api/v1/analytics/weights/JAMBI').set('X-CSRF-Token', csrf).send({ weights: null }).expect(200);
      expect(await report('PKM-KEBUNHANDIL', '2026-02-01', '2026-02-28')).to.include({ ikm: 91.48 });
    });

    it('refuses weights that do not sum to 1 with a 400 in the request language, and anyone but the agency’s admin', async () => {
      const admin = request.agent(app);
      const csrf = await signIn(admin, 'admin.jambi@suara.test');
      const bad = await admin
        .put('/api/v1/analytics/weights/JAMBI')
        .set('X-CSRF-Token', csrf)
        .set('Accept-Language', 'en')
        .send({ weights: [0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11] })
        .expect(400);
      expect(bad.body.error.code).to.equal('validation');
      expect(bad.body.error.fields.weights).to.equal('Weights must be 9 non-negative numbers that add up to 1.');
      const eight = await admin
        .put('/api/v1/analytics/weights/JAMBI')
        .set('X-CSRF-Token', csrf)
        .send({ weights: [0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125] })
        .expect(400);
      expect(eight.body.error.fields.weights).to.equal('Bobot harus 9 angka tidak negatif yang jumlahnya 1.');
      await admin
        .put('/api/v1/analytics/weights/AMBON')
        .set('X-CSRF-Token', csrf)
        .send({ weights: Array(9).fill(1 / 9) })
        .expect(403);
      const head = request.agent(app);
      const headCsrf = await signIn(head, 'kepala.dinkes@suara.test');
      await head
        .put('/api/v1/analytics/weights/JAMBI')
        .set('X-CSRF-Token', headCsrf)
        .send({ weights: Array(9).fill(1 / 9) })
        .expect(403);
    });
  });
});
