import { expect } from 'chai';
import { Types } from 'mongoose';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { evaluateRules, reevaluateRules } from '../../src/modules/coaching/plan/rules.js';
import { CoachingRule, PlanSuggestion } from '../../src/modules/coaching/plan/model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { Finding } from '../../src/modules/feedback/model.js';
import { eventsSettled } from '../../src/platform/events.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { BUDI, coachingWorld, complaintAbout, findingAbout, SITI, type Signed } from './work-helpers.js';

describe('Development plan: rules kept as data suggest training; the coach decides with a reason', () => {
  useTestDatabase();
  let app: Express;
  let coach: Signed;
  let head: Signed;
  let siteHead: Signed;
  let siti: Signed;
  let farCoach: Signed;

  before(async function () {
    this.timeout(30_000);
    const world = await coachingWorld();
    app = world.app;
    coach = await world.as('pembina.dinkes@suara.test');
    head = await world.as('kepala.dinkes@suara.test');
    siteHead = await world.as('kepala.kebunhandil@suara.test');
    siti = await world.as('siti@suara.test');
    farCoach = await world.as('pembina.ambon@suara.test');
  });
  beforeEach(resetRateLimits);

  const post = (who: Signed, url: string, body: object = {}) =>
    who.agent.post(url).set('X-CSRF-Token', who.csrf).send(body);

  it('seeds the rules as data, including two conduct findings in 90 days → Pelayanan Prima', async () => {
    const rule = await CoachingRule.findOne({ code: 'conduct_repeat' }).lean();
    expect(rule).to.include({ category: 'officer_conduct', minCount: 2, windowDays: 90 });
    expect(rule?.training?.id).to.equal('Pelatihan Pelayanan Prima');
    expect(
      await CoachingRule.countDocuments({ category: { $in: ['competence', 'waiting_time', 'illegal_fee'] } }),
    ).to.equal(3);
  });

  it('does not suggest for unverified complaints or not_substantiated findings, and does after two that count', async () => {
    await complaintAbout(app, SITI);
    await complaintAbout(app, SITI);
    await findingAbout(app, head, SITI, 'not_substantiated');
    await findingAbout(app, head, SITI, 'not_substantiated');
    await findingAbout(app, head, SITI, 'substantiated');
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    // Three allegations and a substantiated finding: still one that counts; nothing is suggested.
    await evaluateRules(officer._id);
    expect(await PlanSuggestion.countDocuments({ officerId: officer._id })).to.equal(0);

    await findingAbout(app, head, SITI, 'partially_substantiated');
    await eventsSettled(); // the plan projector applies `finding.recorded` after the answer has gone out
    const suggestions = await PlanSuggestion.find({ officerId: officer._id }).lean();
    expect(suggestions).to.have.length(1);
    expect(suggestions[0]).to.include({ ruleCode: 'conduct_repeat', status: 'suggested' });
    expect(suggestions[0]!.training?.id).to.equal('Pelatihan Pelayanan Prima');
    expect(suggestions[0]!.findingIds).to.have.length(2);
    // Evaluating again (a re-delivered event) does not suggest twice.
    await evaluateRules(officer._id);
    expect(await PlanSuggestion.countDocuments({ officerId: officer._id })).to.equal(1);

    const plan = (await coach.agent.get(`/api/v1/officers/${SITI}/plan`).expect(200)).body;
    expect(plan.suggestions[0]).to.include({ status: 'suggested', training: 'Pelatihan Pelayanan Prima' });
    const english = (await coach.agent.get(`/api/v1/officers/${SITI}/plan`).set('Accept-Language', 'en').expect(200))
      .body;
    expect(english.suggestions[0].training).to.equal('Service Excellence Training');
  });

  it('only counts findings inside the rule’s window', async () => {
    await findingAbout(app, head, BUDI, 'substantiated', 'officer_conduct', 'PKM-PUTRIAYU');
    await findingAbout(app, head, BUDI, 'substantiated', 'officer_conduct', 'PKM-PUTRIAYU');
    const budi = (await Officer.findOne({ nip: BUDI }).lean())!;
    await eventsSettled();
    expect(await PlanSuggestion.countDocuments({ officerId: budi._id })).to.equal(1);
    await PlanSuggestion.deleteMany({ officerId: budi._id });
    // One finding 100 days ago, the other 20 days ago: today only one is inside the 90-day window.
    const [first, second] = await Finding.find({ officerId: budi._id }).sort({ createdAt: 1 }).lean();
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    await Finding.collection.updateOne(
      { _id: first!._id },
      { $set: { updatedAt: daysAgo(100), createdAt: daysAgo(100) } },
    );
    await Finding.collection.updateOne(
      { _id: second!._id },
      { $set: { updatedAt: daysAgo(20), createdAt: daysAgo(20) } },
    );
    expect(await evaluateRules(budi._id)).to.have.length(0);
    // Seen from 15 days ago, both were within the 90 days before.
    const then = await evaluateRules(budi._id, daysAgo(15));
    expect(then.map((suggestion) => suggestion.ruleCode)).to.deep.equal(['conduct_repeat']);
  });

  it('repairs a missed finding event with the periodic re-evaluation, without suggesting twice', async () => {
    const budi = (await Officer.findOne({ nip: BUDI }).lean())!;
    await PlanSuggestion.deleteMany({});
    // Two counting competence findings written without their events (as after a crash between write and event).
    const { _id, createdAt, updatedAt, ...template } = (await Finding.findOne({ officerId: budi._id }).lean())!;
    void [_id, createdAt, updatedAt];
    for (const ticketId of [new Types.ObjectId(), new Types.ObjectId()])
      await Finding.create({ ...template, ticketId, category: 'competence', outcome: 'substantiated' });
    const first = await reevaluateRules();
    expect(first.suggested).to.be.at.least(1);
    expect(await PlanSuggestion.exists({ officerId: budi._id, ruleCode: 'competence_repeat' })).to.not.equal(null);
    expect(await reevaluateRules()).to.deep.equal({ suggested: 0 });
  });

  it('lets the coach accept, edit or dismiss a suggestion, each with a reason, once', async () => {
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    const make = async () =>
      String(
        (
          await PlanSuggestion.create({
            officerId: officer._id,
            unitPath: officer.unitPath,
            ruleCode: 'competence_repeat',
            category: 'competence',
            competency: { id: 'Kompetensi teknis layanan', en: 'Technical service competence' },
            training: { id: 'Bimbingan teknis layanan', en: 'Technical service coaching (bimtek)' },
          })
        )._id,
      );
    const [a, b, c] = [await make(), await make(), await make()];
    // A reason is required, in the request's language.
    const noReason = (
      await coach.agent
        .post(`/api/v1/suggestions/${a}/decision`)
        .set('X-CSRF-Token', coach.csrf)
        .set('Accept-Language', 'en')
        .send({ decision: 'accept' })
        .expect(400)
    ).body;
    expect(noReason.error.fields.reason).to.be.a('string');
    await post(coach, `/api/v1/suggestions/${b}/decision`, { decision: 'edit', reason: 'Lebih tepat' }).expect(400);

    const accepted = (
      await post(coach, `/api/v1/suggestions/${a}/decision`, { decision: 'accept', reason: 'Sesuai kebutuhan' }).expect(
        200,
      )
    ).body;
    expect(accepted).to.include({
      status: 'accepted',
      edited: false,
      reason: 'Sesuai kebutuhan',
      decidedBy: 'Pembina Dinkes',
    });
    const edited = (
      await post(coach, `/api/v1/suggestions/${b}/decision`, {
        decision: 'edit',
        reason: 'Bimtek internal lebih tepat',
        competency: 'Kompetensi administrasi kependudukan',
        training: 'Bimtek SIAK',
      }).expect(200)
    ).body;
    expect(edited).to.include({ status: 'accepted', edited: true, training: 'Bimtek SIAK' });
    const dismissed = (
      await post(coach, `/api/v1/suggestions/${c}/decision`, {
        decision: 'dismiss',
        reason: 'Sudah ikut tahun lalu',
      }).expect(200)
    ).body;
    expect(dismissed).to.include({ status: 'dismissed', reason: 'Sudah ikut tahun lalu' });
    // Decided once: a second decision is a conflict.
    await post(coach, `/api/v1/suggestions/${c}/decision`, { decision: 'accept', reason: 'Berubah pikiran' }).expect(
      409,
    );
    // Only the coach in scope decides.
    const d = await make();
    await post(siteHead, `/api/v1/suggestions/${d}/decision`, { decision: 'accept', reason: 'Setuju saja' }).expect(
      403,
    );
    await post(siti, `/api/v1/suggestions/${d}/decision`, { decision: 'dismiss', reason: 'Tidak perlu' }).expect(403);
    await post(farCoach, `/api/v1/suggestions/${d}/decision`, { decision: 'dismiss', reason: 'Tidak perlu' }).expect(
      403,
    );
    expect(await AuditEntry.countDocuments({ action: /^coaching\.suggestion\./ })).to.equal(3);
  });

  it('shows the plan page with decisions for the coach, read-only for the officer', async () => {
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    const suggestion = await PlanSuggestion.create({
      officerId: officer._id,
      unitPath: officer.unitPath,
      ruleCode: 'illegal_fee',
      category: 'illegal_fee',
      competency: { id: 'Integritas dan antikorupsi', en: 'Integrity and anti-corruption' },
      training: { id: 'Pelatihan Integritas dan Antikorupsi', en: 'Integrity and Anti-Corruption Training' },
    });
    const page = await coach.agent.get(`/coaching/officers/${SITI}/plan`).expect(200);
    expect(page.text).to.include('Pelatihan Integritas dan Antikorupsi');
    expect(page.text).to.include(`/coaching/suggestions/${String(suggestion._id)}/decision`);
    const saved = await coach.agent
      .post(`/coaching/suggestions/${String(suggestion._id)}/decision`)
      .type('form')
      .send({ _csrf: coach.csrf, nip: SITI, reason: 'Wajib bagi petugas loket', decision: 'accept' })
      .expect(303);
    expect(saved.headers.location).to.equal(`/coaching/officers/${SITI}/plan`);
    const own = await siti.agent.get(`/coaching/officers/${SITI}/plan`).expect(200);
    expect(own.text).to.include('Wajib bagi petugas loket');
    expect(own.text).not.to.include('/decision');
  });
});
