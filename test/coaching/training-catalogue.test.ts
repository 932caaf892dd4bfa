import { expect } from 'chai';
import type { Express } from 'express';
import { PlanSuggestion } from '../../src/modules/coaching/plan/model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { eventsSettled } from '../../src/platform/events.js';
import { addAmbonAdmin, send } from '../helpers/admin.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { coachingWorld, findingAbout, SITI, type Signed } from './work-helpers.js';

describe('The agency’s training catalogue: kept by its admins, picked by rules and training records', () => {
  useTestDatabase();
  let app: Express;
  let admin: Signed;
  let ambonAdmin: Signed;
  let coach: Signed;
  let head: Signed;

  before(async function () {
    this.timeout(30_000);
    const world = await coachingWorld();
    app = world.app;
    await addAmbonAdmin(world.admin);
    admin = await world.as('admin.jambi@suara.test');
    ambonAdmin = await world.as('admin.ambon@suara.test');
    coach = await world.as('pembina.dinkes@suara.test');
    head = await world.as('kepala.dinkes@suara.test');
  });
  beforeEach(resetRateLimits);

  const etika = {
    title: 'Pelatihan Etika Pelayanan Publik',
    provider: 'BPSDM Provinsi Jambi',
    jp: 24,
    method: 'classroom',
  };
  let courseId: string;

  it('adds, edits and deactivates courses of the admin’s own agency only, audited with before and after', async () => {
    courseId = (await send(admin, 'post', '/api/v1/training-catalogue', etika).expect(201)).body.id;
    await send(ambonAdmin, 'post', '/api/v1/training-catalogue?agency=JAMBI', etika).expect(403);
    await send(ambonAdmin, 'patch', `/api/v1/training-catalogue/${courseId}?agency=JAMBI`, { jp: 1 }).expect(403);
    await send(ambonAdmin, 'patch', `/api/v1/training-catalogue/${courseId}`, { jp: 1 }).expect(404);
    await coach.agent.get('/admin/training-catalogue?agency=JAMBI').expect(403);
    expect((await ambonAdmin.agent.get('/api/v1/training-catalogue').expect(200)).body.courses).to.have.length(0);

    await admin.agent
      .post(`/admin/training-catalogue/${courseId}`)
      .type('form')
      .send({ _csrf: admin.csrf, agency: 'JAMBI', ...etika, jp: '20', method: 'blended' })
      .expect(303);
    const [course] = (await admin.agent.get('/api/v1/training-catalogue').expect(200)).body.courses;
    expect(course).to.include({ jp: 20, method: 'blended', active: true });
    const [entry] = await AuditEntry.find({ action: 'coaching.course.update', target: 'JAMBI' }).lean();
    const details = entry!.details as { before: { jp: number }; after: { jp: number } };
    expect([details.before.jp, details.after.jp]).to.deep.equal([24, 20]);
    const page = await admin.agent.get('/admin/training-catalogue').expect(200);
    expect(page.text).to.include('Pelatihan Etika Pelayanan Publik');
    expect(page.text).to.include('Blended learning');
  });

  it('refuses a bad course in the request’s language; the page keeps what was typed', async () => {
    const bad = { ...etika, method: 'webinar', jp: 0 };
    const id = (await send(admin, 'post', '/api/v1/training-catalogue', bad).expect(400)).body;
    const en = (await send(admin, 'post', '/api/v1/training-catalogue', bad, 'en').expect(400)).body;
    expect(id.error.fields).to.have.keys('method', 'jp');
    expect(id.error.message).to.not.equal(en.error.message);
    const page = await admin.agent
      .post('/admin/training-catalogue')
      .type('form')
      .send({ _csrf: admin.csrf, agency: 'JAMBI', title: 'Pelatihan Loket Ramah', provider: 'BPSDM', jp: '0' })
      .expect(400);
    expect(page.text).to.include('value="Pelatihan Loket Ramah"');
  });

  it('lets a rule suggest a catalogue course, and the training form starts from it', async () => {
    const rule = (
      await send(admin, 'patch', '/api/v1/coaching-rules/conduct_repeat', { minCount: 1, courseId }).expect(200)
    ).body;
    expect(rule).to.include({ courseId, jp: 20 });
    expect(rule.training.id).to.equal('Pelatihan Etika Pelayanan Publik');
    await findingAbout(app, head, SITI, 'substantiated');
    await eventsSettled();
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    const suggestion = (await PlanSuggestion.findOne({ officerId: officer._id }).lean())!;
    expect(String(suggestion.courseId)).to.equal(courseId);
    const form = await coach.agent
      .get(`/coaching/officers/${SITI}/trainings/new?suggestion=${String(suggestion._id)}`)
      .expect(200);
    expect(form.text).to.include(`<option value="${courseId}" selected>`);
  });

  it('records a training from a course (free text still allowed), never from another agency’s or an inactive one', async () => {
    const dates = { startDate: '2026-05-04', endDate: '2026-05-06' };
    const recorded = (
      await send(coach, 'post', `/api/v1/officers/${SITI}/trainings`, { courseId, ...dates }).expect(201)
    ).body;
    expect(recorded).to.include({
      title: 'Pelatihan Etika Pelayanan Publik',
      provider: 'BPSDM Provinsi Jambi',
      jp: 20,
    });
    expect(recorded.courseId).to.equal(courseId);
    await send(coach, 'post', `/api/v1/officers/${SITI}/trainings`, {
      title: 'Kursus bahasa isyarat',
      provider: 'Komunitas Tuli Jambi',
      jp: 8,
      ...dates,
    }).expect(201);
    const ambonCourse = (
      await send(ambonAdmin, 'post', '/api/v1/training-catalogue', { ...etika, provider: 'BPSDM Maluku' }).expect(201)
    ).body.id;
    const foreign = (
      await send(coach, 'post', `/api/v1/officers/${SITI}/trainings`, { courseId: ambonCourse, ...dates }).expect(400)
    ).body;
    expect(foreign.error.fields.courseId).to.include('katalog');

    await admin.agent
      .post(`/admin/training-catalogue/${courseId}/active`)
      .type('form')
      .send({ _csrf: admin.csrf, agency: 'JAMBI', active: 'false' })
      .expect(303);
    expect(await AuditEntry.countDocuments({ action: 'coaching.course.deactivate', target: 'JAMBI' })).to.equal(1);
    await send(coach, 'post', `/api/v1/officers/${SITI}/trainings`, { courseId, ...dates }, 'en').expect(400);
    const form = await coach.agent.get(`/coaching/officers/${SITI}/trainings/new`).expect(200);
    expect(form.text).to.not.include(courseId);
  });
});
