import { expect } from 'chai';
import type { Express } from 'express';
import { PlanSuggestion } from '../../src/modules/coaching/plan/model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { eventsSettled } from '../../src/platform/events.js';
import { addAmbonAdmin, send } from '../helpers/admin.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { signedIn } from './record-fixtures.js';
import { coachingWorld, findingAbout, SITI, type Signed } from './work-helpers.js';

describe('Agency rules for training suggestions (/admin/coaching-rules)', () => {
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

  const conductRule = async (who: Signed, agency: string) =>
    (await who.agent.get(`/api/v1/coaching-rules?agency=${agency}`).expect(200)).body.rules.find(
      (rule: { code: string }) => rule.code === 'conduct_repeat',
    );

  it('shows each agency’s admin the national defaults, and nothing of another agency to change', async () => {
    const jambi = (await admin.agent.get('/api/v1/coaching-rules').expect(200)).body;
    expect(jambi.agency.code).to.equal('JAMBI');
    expect(jambi.rules).to.have.length(6);
    expect(jambi.rules.every((rule: { source: string }) => rule.source === 'national')).to.equal(true);
    expect((await ambonAdmin.agent.get('/api/v1/coaching-rules').expect(200)).body.agency.code).to.equal('AMBON');

    await ambonAdmin.agent.get('/api/v1/coaching-rules?agency=JAMBI').expect(403);
    await send(ambonAdmin, 'patch', '/api/v1/coaching-rules/conduct_repeat?agency=JAMBI', { minCount: 1 }).expect(403);
    await send(ambonAdmin, 'post', '/api/v1/coaching-rules?agency=JAMBI', {
      category: 'officer_conduct',
      minCount: 1,
      windowDays: 30,
      competencyId: 'Etika pelayanan',
      trainingId: 'Pelatihan Etika',
    }).expect(403);
    await coach.agent.get('/admin/coaching-rules?agency=JAMBI').expect(403);
    await coach.agent.get('/api/v1/coaching-rules').expect(403);
    // A platform admin keeps every agency's rules and says which one.
    const root = await signedIn(app, 'root@suara.test');
    const unnamed = (await root.agent.get('/api/v1/coaching-rules').set('Accept-Language', 'en').expect(400)).body;
    expect(unnamed.error.fields.agency).to.include('Choose an agency');
    // On the pages, the platform admin is asked which agency instead.
    const chooser = (await root.agent.get('/admin/coaching-rules').expect(200)).text;
    expect(chooser).to.include('href="/admin/coaching-rules?agency=JAMBI"');
    expect(chooser).to.include('href="/admin/coaching-rules?agency=AMBON"');
    expect((await root.agent.get('/api/v1/coaching-rules?agency=AMBON').expect(200)).body.agency.code).to.equal(
      'AMBON',
    );
    expect((await conductRule(admin, 'JAMBI')).minCount).to.equal(2);
  });

  it('refuses a bad rule in the request’s language, and the page keeps what was typed', async () => {
    const bad = { category: 'weather', minCount: 0, windowDays: 90, competencyId: 'Etika', trainingId: 'Pelatihan' };
    const id = (await send(admin, 'post', '/api/v1/coaching-rules', bad).expect(400)).body;
    const en = (await send(admin, 'post', '/api/v1/coaching-rules', bad, 'en').expect(400)).body;
    expect(id.error.fields.minCount).to.be.a('string');
    expect(en.error.fields.minCount).to.be.a('string');
    expect(id.error.message).to.not.equal(en.error.message);
    const unknown = { ...bad, minCount: 2 };
    expect(
      (await send(admin, 'post', '/api/v1/coaching-rules', unknown).expect(400)).body.error.fields.category,
    ).to.include('tidak dikenal');
    expect(
      (await send(admin, 'post', '/api/v1/coaching-rules', unknown, 'en').expect(400)).body.error.fields.category,
    ).to.include('unknown');
    const page = await admin.agent
      .post('/admin/coaching-rules')
      .type('form')
      .send({ _csrf: admin.csrf, agency: 'JAMBI', ...bad, category: 'officer_conduct', trainingId: 'Pelatihan Loket' })
      .expect(400);
    expect(page.text).to.include('value="Pelatihan Loket"');
    expect(page.text).to.include('field-error');
  });

  it('makes the agency’s copy of a default when its admin edits it, audited, and the next suggestion follows it', async () => {
    const page = await admin.agent.get('/admin/coaching-rules/conduct_repeat/edit?agency=JAMBI').expect(200);
    expect(page.text).to.include('value="Pelatihan Pelayanan Prima"');
    await admin.agent
      .post('/admin/coaching-rules/conduct_repeat')
      .type('form')
      .send({
        _csrf: admin.csrf,
        agency: 'JAMBI',
        category: 'officer_conduct',
        minCount: '1',
        windowDays: '60',
        competencyId: 'Etika pelayanan loket',
        competencyEn: '',
        trainingId: 'Pelatihan Etika Pelayanan Loket',
        trainingEn: 'Counter Service Ethics Training',
        jp: '12',
      })
      .expect(303);
    const edited = await conductRule(admin, 'JAMBI');
    expect(edited).to.include({ source: 'agency', minCount: 1, windowDays: 60, jp: 12, active: true });
    expect(edited.competency).to.deep.equal({ id: 'Etika pelayanan loket', en: 'Etika pelayanan loket' });
    // Ambon keeps the national default.
    expect(await conductRule(ambonAdmin, 'AMBON')).to.include({ source: 'national', minCount: 2 });
    const [entry] = await AuditEntry.find({ action: 'coaching.rule.update', target: 'JAMBI' }).lean();
    const details = entry!.details as { before: { minCount: number }; after: { minCount: number } };
    expect(details.before.minCount).to.equal(2);
    expect(details.after.minCount).to.equal(1);

    // One substantiated conduct finding is now enough for Jambi's officers (the default needs two).
    await findingAbout(app, head, SITI, 'substantiated');
    await eventsSettled();
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    const [suggestion] = await PlanSuggestion.find({ officerId: officer._id }).lean();
    expect(suggestion).to.include({ ruleCode: 'conduct_repeat' });
    expect(suggestion!.training).to.deep.include({
      id: 'Pelatihan Etika Pelayanan Loket',
      en: 'Counter Service Ethics Training',
    });
  });

  it('deactivates a rule from the list page and adds a rule of the agency’s own', async () => {
    await admin.agent
      .post('/admin/coaching-rules/waiting_time_repeat/active')
      .type('form')
      .send({ _csrf: admin.csrf, agency: 'JAMBI', active: 'false' })
      .expect(303);
    const list = (await admin.agent.get('/api/v1/coaching-rules?agency=JAMBI').expect(200)).body.rules;
    expect(list.find((rule: { code: string }) => rule.code === 'waiting_time_repeat')).to.include({
      active: false,
      source: 'agency',
    });
    const [entry] = await AuditEntry.find({ action: 'coaching.rule.deactivate', target: 'JAMBI' }).lean();
    expect(entry!.details).to.deep.include({ code: 'waiting_time_repeat' });
    expect((entry!.details as { before: { active: boolean } }).before.active).to.equal(true);

    await admin.agent
      .post('/admin/coaching-rules')
      .type('form')
      .send({
        _csrf: admin.csrf,
        agency: 'JAMBI',
        category: 'competence',
        minCount: '3',
        windowDays: '180',
        competencyId: 'Literasi digital layanan',
        trainingId: 'Pelatihan Aplikasi Layanan Daring',
      })
      .expect(303);
    const page = await admin.agent.get('/admin/coaching-rules?agency=JAMBI').expect(200);
    expect(page.text).to.include('Pelatihan Aplikasi Layanan Daring');
    expect(page.text).to.include('Nonaktif');
    const english = await admin.agent.get('/admin/coaching-rules?agency=JAMBI').set('Accept-Language', 'en');
    expect(english.text).to.include('Training suggestion rules');
    expect((await ambonAdmin.agent.get('/api/v1/coaching-rules').expect(200)).body.rules).to.have.length(6);
  });

  it('lets a rule name a category of the agency’s own, never one of another agency', async () => {
    const ownCategory = (code: string) => ({
      code,
      nameId: `Kategori ${code}`,
      nameEn: `Category ${code}`,
      kinds: ['complaint'],
      skmElements: [5],
      berakhlakValues: ['berorientasi_pelayanan'],
    });
    await send(ambonAdmin, 'post', '/api/v1/categories', ownCategory('ambon_ferry_queue')).expect(201);
    await send(admin, 'post', '/api/v1/categories', ownCategory('jambi_pharmacy_wait')).expect(201);
    const rule = (category: string) => ({
      category,
      minCount: 2,
      windowDays: 60,
      competencyId: 'Manajemen antrean',
      trainingId: 'Pelatihan manajemen antrean',
    });
    const refused = (await send(admin, 'post', '/api/v1/coaching-rules', rule('ambon_ferry_queue'), 'en').expect(400))
      .body;
    expect(refused.error.fields).to.have.property('category');
    const before = await AuditEntry.countDocuments({ action: 'coaching.rule.create' });
    const made = (await send(admin, 'post', '/api/v1/coaching-rules', rule('jambi_pharmacy_wait')).expect(201)).body;
    expect(made.category).to.equal('jambi_pharmacy_wait');
    expect(await AuditEntry.countDocuments({ action: 'coaching.rule.create' })).to.equal(before + 1);
    // The form's picker offers the agency's own category and not Ambon's.
    const form = (await admin.agent.get('/admin/coaching-rules/new?agency=JAMBI').expect(200)).text;
    expect(form).to.include('value="jambi_pharmacy_wait"');
    expect(form).to.not.include('value="ambon_ferry_queue"');
  });
});
