import { expect } from 'chai';
import { berakhlakValues } from '../../src/modules/coaching/evaluations/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { addAmbonAdmin, send } from '../helpers/admin.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { coachingWorld, SITI, type Signed } from './work-helpers.js';

const valuesRated = (ratings: string[]) =>
  Object.fromEntries(berakhlakValues.map((value, index) => [value, { rating: ratings[index], reason: 'Diamati' }]));

describe('Agency coaching settings: the yearly JP target and how work behaviour is rated', () => {
  useTestDatabase();
  let admin: Signed;
  let ambonAdmin: Signed;
  let coach: Signed;
  let siti: Signed;

  before(async function () {
    this.timeout(30_000);
    const world = await coachingWorld();
    await addAmbonAdmin(world.admin);
    admin = await world.as('admin.jambi@suara.test');
    ambonAdmin = await world.as('admin.ambon@suara.test');
    coach = await world.as('pembina.dinkes@suara.test');
    siti = await world.as('siti@suara.test');
  });
  beforeEach(resetRateLimits);

  const put = (who: Signed, url: string, body: object, lang = 'id') => send(who, 'put', url, body, lang);
  const patch = (who: Signed, url: string, body: object, lang = 'id') => send(who, 'patch', url, body, lang);

  it('shows 20 JP on the officer’s record until the agency sets its own target, then that target', async () => {
    const before = (await siti.agent.get(`/api/v1/officers/${SITI}/record`).expect(200)).body;
    expect(before.summary.training.target).to.equal(20);
    await put(ambonAdmin, '/api/v1/agencies/JAMBI/coaching-settings', { jpTarget: 40 }).expect(403);
    await put(admin, '/api/v1/agencies/JAMBI/coaching-settings', { jpTarget: 40 }).expect(200);
    const after = (await siti.agent.get(`/api/v1/officers/${SITI}/record`).expect(200)).body;
    expect(after.summary.training.target).to.equal(40);
    expect((await siti.agent.get(`/coaching/officers/${SITI}`).expect(200)).text).to.include('0 dari 40 JP');
    expect((await coach.agent.get(`/api/v1/officers/${SITI}/plan`).expect(200)).body.jp.target).to.equal(40);
    const settings = await admin.agent.get('/coaching/agencies/JAMBI/settings').expect(200);
    expect(settings.text).to.include('name="jpTarget" type="number" min="0" max="500" value="40"');
    expect(settings.text).to.include('value="strict" selected');
    const [entry] = await AuditEntry.find({ action: 'coaching.settings', target: 'JAMBI' }).sort({ at: -1 }).lean();
    expect(entry!.details).to.deep.include({
      before: { evaluationPeriod: 'quarterly', behaviourRule: 'strict', jpTarget: 20 },
      after: { evaluationPeriod: 'quarterly', behaviourRule: 'strict', jpTarget: 40 },
    });
  });

  it('refuses a bad target or rule in the request’s language, on the API and on the page with the input kept', async () => {
    const id = (await put(admin, '/api/v1/agencies/JAMBI/coaching-settings', { jpTarget: -3 }).expect(400)).body;
    const en = (
      await put(admin, '/api/v1/agencies/JAMBI/coaching-settings', { behaviourRule: 'vote' }, 'en').expect(400)
    ).body;
    expect(id.error.fields.jpTarget).to.be.a('string');
    expect(en.error.fields.behaviourRule).to.be.a('string');
    expect(id.error.message).to.not.equal(en.error.message);
    const page = await admin.agent
      .post('/coaching/agencies/JAMBI/settings')
      .type('form')
      .send({ _csrf: admin.csrf, evaluationPeriod: 'quarterly', behaviourRule: 'strict', jpTarget: '9999' })
      .expect(400);
    expect(page.text).to.include('value="9999"');
    expect(page.text).to.include('field-error');
  });

  it('rates behaviour by the agency’s rule and says so on the evaluation', async () => {
    // Two below and five above: the strict rule says below, the majority rule above.
    const mixed = valuesRated(['below', 'below', 'above', 'above', 'above', 'above', 'above']);
    const strict = (
      await coach.agent
        .post(`/api/v1/officers/${SITI}/evaluations`)
        .set('X-CSRF-Token', coach.csrf)
        .send({ year: 2023, part: 1 })
        .expect(201)
    ).body;
    const rated = (
      await patch(coach, `/api/v1/evaluations/${strict.id}`, { revision: strict.revision, values: mixed }).expect(200)
    ).body;
    expect(rated.behaviour).to.equal('below');
    expect(rated.behaviourDerivation).to.deep.equal({ by: 'strict', reason: null });

    await put(admin, '/api/v1/agencies/JAMBI/coaching-settings', { behaviourRule: 'majority' }).expect(200);
    const again = (await patch(coach, `/api/v1/evaluations/${strict.id}`, { revision: rated.revision }).expect(200))
      .body;
    expect(again.behaviour).to.equal('above');
    expect(again.behaviourDerivation.by).to.equal('majority');

    await put(admin, '/api/v1/agencies/JAMBI/coaching-settings', { behaviourRule: 'assessor' }).expect(200);
    const open = (await patch(coach, `/api/v1/evaluations/${strict.id}`, { revision: again.revision }).expect(200))
      .body;
    expect(open.behaviour).to.equal(null);
    const refused = (
      await coach.agent
        .post(`/api/v1/evaluations/${strict.id}/sign`)
        .set('X-CSRF-Token', coach.csrf)
        .send({ revision: open.revision })
        .expect(400)
    ).body;
    expect(refused.error.fields['behaviourOverride.rating']).to.be.a('string');
    await put(admin, '/api/v1/agencies/JAMBI/coaching-settings', { behaviourRule: 'strict' }).expect(200);
  });

  it('lets the assessor override the behaviour rating only with a reason, audited, and shows the reason to the officer', async () => {
    const draft = (
      await coach.agent
        .post(`/api/v1/officers/${SITI}/evaluations`)
        .set('X-CSRF-Token', coach.csrf)
        .send({ year: 2023, part: 2 })
        .expect(201)
    ).body;
    const base = {
      revision: draft.revision,
      results: { rating: 'as_expected', reason: 'Target tercapai' },
      values: valuesRated(Array(7).fill('as_expected')),
    };
    const noReasonId = (
      await patch(coach, `/api/v1/evaluations/${draft.id}`, { ...base, behaviourOverride: { rating: 'above' } }).expect(
        400,
      )
    ).body;
    const shortEn = (
      await patch(
        coach,
        `/api/v1/evaluations/${draft.id}`,
        { ...base, behaviourOverride: { rating: 'above', reason: 'bagus' } },
        'en',
      ).expect(400)
    ).body;
    expect(noReasonId.error.fields['behaviourOverride.reason']).to.include('alasan');
    expect(shortEn.error.fields['behaviourOverride.reason']).to.include('Write why');

    const reason = 'Memimpin pembenahan antrean lansia di luar tugas pokoknya sepanjang triwulan.';
    const overridden = (
      await patch(coach, `/api/v1/evaluations/${draft.id}`, {
        ...base,
        behaviourOverride: { rating: 'above', reason },
      }).expect(200)
    ).body;
    expect(overridden.behaviour).to.equal('above');
    expect(overridden.predikat).to.equal('Baik');
    expect(overridden.behaviourDerivation).to.deep.equal({ by: 'override', reason });
    const [entry] = await AuditEntry.find({ action: 'coaching.evaluation.behaviour_override', target: SITI }).lean();
    expect(entry!.details).to.deep.include({ before: null, after: { rating: 'above', reason } });

    // The page keeps a refused override as typed and says why.
    const refusedPage = await coach.agent
      .post(`/coaching/evaluations/${draft.id}`)
      .type('form')
      .send({
        _csrf: coach.csrf,
        revision: String(overridden.revision),
        override_rating: 'below',
        override_reason: 'Tidak',
      })
      .expect(400);
    expect(refusedPage.text).to.include('Tuliskan alasan penetapan perilaku kerja');
    expect(refusedPage.text).to.include('value="below" checked');
    expect(refusedPage.text).to.include('>Tidak</textarea>');

    await coach.agent
      .post(`/api/v1/evaluations/${draft.id}/sign`)
      .set('X-CSRF-Token', coach.csrf)
      .send({ revision: overridden.revision })
      .expect(200);
    const seen = (await siti.agent.get(`/api/v1/evaluations/${draft.id}`).expect(200)).body;
    expect(seen.behaviourDerivation).to.deep.equal({ by: 'override', reason });
    const page = await siti.agent.get(`/coaching/evaluations/${draft.id}`).expect(200);
    expect(page.text).to.include(reason);
    expect(page.text).to.include('Ditetapkan oleh pejabat penilai');
    const csv = await siti.agent.get(`/coaching/evaluations/${draft.id}.csv`).expect(200);
    expect(csv.text).to.include(`behaviour,above,${reason}`);
    expect(csv.text).to.include('behaviour_derivation,override');
  });
});
