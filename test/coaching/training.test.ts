import { expect } from 'chai';
import { FeedItem } from '../../src/modules/coaching/record/feed-model.js';
import { coachingFigures } from '../../src/modules/coaching/record/coaching-figures.js';
import { jpInYear } from '../../src/modules/coaching/training/training.js';
import { PlanSuggestion } from '../../src/modules/coaching/plan/model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { BUDI, coachingWorld, JOHANIS, SITI, type Signed } from './work-helpers.js';

describe('Training records and JP per calendar year (target 20 JP)', () => {
  useTestDatabase();
  let coach: Signed;
  let farCoach: Signed;
  let siteHead: Signed;
  let siti: Signed;
  let handler: Signed;

  before(async function () {
    this.timeout(30_000);
    const world = await coachingWorld();
    coach = await world.as('pembina.dinkes@suara.test');
    farCoach = await world.as('pembina.ambon@suara.test');
    siteHead = await world.as('kepala.kebunhandil@suara.test');
    siti = await world.as('siti@suara.test');
    handler = await world.as('petugas@suara.test');
  });
  beforeEach(resetRateLimits);

  const post = (who: Signed, url: string, body: object = {}) =>
    who.agent.post(url).set('X-CSRF-Token', who.csrf).send(body);
  const training = (extra: object = {}) => ({
    title: 'Pelatihan Pelayanan Prima',
    provider: 'BPSDM Provinsi Jambi',
    startDate: '2026-03-02',
    endDate: '2026-03-04',
    jp: 12,
    ...extra,
  });

  it('counts a training that spans the new year whole in the year it ends, never split', async () => {
    await post(coach, `/api/v1/officers/${SITI}/trainings`, training()).expect(201);
    const spanning = (
      await post(
        coach,
        `/api/v1/officers/${SITI}/trainings`,
        training({ title: 'Diklat akhir tahun', startDate: '2026-12-28', endDate: '2027-01-03', jp: 30 }),
      ).expect(201)
    ).body;
    expect(spanning.year).to.equal(2027);
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    expect(await jpInYear(officer._id, 2026)).to.equal(12);
    expect(await jpInYear(officer._id, 2027)).to.equal(30);
    const plan = (await coach.agent.get(`/api/v1/officers/${SITI}/plan`).expect(200)).body;
    expect(plan.years).to.deep.equal([
      { year: 2027, jp: 30, target: 20 },
      { year: 2026, jp: 12, target: 20 },
    ]);
    // The figures take the year of period.to on the agency's wall clock: 20:00 UTC on 31 December 2026 is already
    // 1 January 2027 in Jambi (WIB).
    const lateEvening = await coachingFigures(officer._id, {
      from: new Date('2026-10-01T00:00:00+07:00'),
      to: new Date('2026-12-31T20:00:00Z'),
    });
    expect(lateEvening.training).to.deep.equal({ year: 2027, jp: 30, target: 20 });
    const lastDay = await coachingFigures(officer._id, {
      from: new Date('2026-10-01T00:00:00+07:00'),
      to: new Date('2026-12-31T16:59:59.999Z'),
    });
    expect(lastDay.training).to.deep.equal({ year: 2026, jp: 12, target: 20 });
    const item = await FeedItem.findOne({ type: 'training', sourceId: spanning.id }).lean();
    expect(item?.data).to.include({ title: 'Diklat akhir tahun', jp: 30 });
  });

  it('links a training to a suggestion of the same officer only', async () => {
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    const budi = (await Officer.findOne({ nip: BUDI }).lean())!;
    const suggestion = (officerDoc: typeof officer) =>
      PlanSuggestion.create({
        officerId: officerDoc._id,
        unitPath: officerDoc.unitPath,
        ruleCode: 'conduct_repeat',
        category: 'officer_conduct',
        competency: { id: 'Pelayanan Prima', en: 'Service excellence' },
        training: { id: 'Pelatihan Pelayanan Prima', en: 'Service Excellence Training' },
        status: 'accepted',
      });
    const own = await suggestion(officer);
    const other = await suggestion(budi);
    const linked = (
      await post(coach, `/api/v1/officers/${SITI}/trainings`, training({ suggestionId: String(own._id) })).expect(201)
    ).body;
    expect(linked.suggestionId).to.equal(String(own._id));
    const refused = (
      await post(coach, `/api/v1/officers/${SITI}/trainings`, training({ suggestionId: String(other._id) })).expect(400)
    ).body;
    expect(refused.error.fields.suggestionId).to.be.a('string');
  });

  it('refuses bad input with 400 in the request language', async () => {
    const bad = (
      await coach.agent
        .post(`/api/v1/officers/${SITI}/trainings`)
        .set('X-CSRF-Token', coach.csrf)
        .set('Accept-Language', 'en')
        .send({ title: 'X', startDate: '2026-13-01', endDate: '2026-01-01', jp: 0 })
        .expect(400)
    ).body;
    expect(bad.error.code).to.equal('validation');
    expect(bad.error.fields).to.have.keys(['title', 'provider', 'startDate', 'jp']);
    const reversed = (
      await post(
        coach,
        `/api/v1/officers/${SITI}/trainings`,
        training({ startDate: '2026-05-05', endDate: '2026-05-01' }),
      ).expect(400)
    ).body;
    expect(reversed.error.fields.endDate).to.equal('Tanggal selesai tidak boleh sebelum tanggal mulai.');
  });

  it('scopes training: the coach in scope writes; head, officer, handler and other coaches do not', async () => {
    await post(farCoach, `/api/v1/officers/${SITI}/trainings`, training()).expect(403);
    await post(coach, `/api/v1/officers/${JOHANIS}/trainings`, training()).expect(403);
    await post(siteHead, `/api/v1/officers/${SITI}/trainings`, training()).expect(403);
    await post(siti, `/api/v1/officers/${SITI}/trainings`, training()).expect(403);
    await post(handler, `/api/v1/officers/${SITI}/trainings`, training()).expect(403);
    await siteHead.agent.get(`/api/v1/officers/${SITI}/plan`).expect(200);
    await siti.agent.get(`/api/v1/officers/${SITI}/plan`).expect(200);
    await siti.agent.get(`/api/v1/officers/${BUDI}/plan`).expect(403);
    await handler.agent.get(`/api/v1/officers/${SITI}/plan`).expect(403);
  });

  it('records a training from the page', async () => {
    const form = await coach.agent.get(`/coaching/officers/${SITI}/trainings/new`).expect(200);
    expect(form.text).to.include('name="jp"');
    await siti.agent.get(`/coaching/officers/${SITI}/trainings/new`).expect(403);
    const saved = await coach.agent
      .post(`/coaching/officers/${SITI}/trainings`)
      .type('form')
      .send({
        _csrf: coach.csrf,
        title: 'Bimtek SIMPUS',
        provider: 'Dinkes Provinsi',
        startDate: '2026-06-01',
        endDate: '2026-06-02',
        jp: '8',
        suggestionId: '',
      })
      .expect(303);
    const plan = await coach.agent.get(saved.headers.location!).expect(200);
    expect(plan.text).to.include('Bimtek SIMPUS');
    const bad = await coach.agent
      .post(`/coaching/officers/${SITI}/trainings`)
      .type('form')
      .send({
        _csrf: coach.csrf,
        title: 'Tanpa JP',
        provider: 'Dinkes',
        startDate: '2026-06-01',
        endDate: '2026-06-02',
      })
      .expect(400);
    expect(bad.text).to.include('Tanpa JP');
  });
});
