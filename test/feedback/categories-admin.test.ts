import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Category } from '../../src/modules/feedback/categories.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

interface Signed {
  agent: request.Agent;
  csrf: string;
}

describe('The complaint category table (/admin/categories, /api/v1/categories)', () => {
  useTestDatabase();
  let app: Express;
  let root: Signed;
  let jambiAdmin: Signed;
  let head: Signed;

  const as = async (email: string): Promise<Signed> => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  const send = (who: Signed, method: 'post' | 'patch', url: string, body: object, lang = 'id') =>
    who.agent[method](url).set('X-CSRF-Token', who.csrf).set('Accept-Language', lang).send(body);
  const queueing = {
    code: 'queue_system',
    nameId: 'Sistem antrean',
    nameEn: 'Queueing system',
    kinds: ['complaint', 'suggestion'],
    skmElements: [2],
    berakhlakValues: ['berorientasi_pelayanan'],
    competency: 'pelayanan_prima',
    verifyWorkingDays: 2,
  };

  before(async () => {
    app = await testApp();
    await seedDirectory();
    root = await as('root@suara.test');
    jambiAdmin = await as('admin.jambi@suara.test');
    head = await as('kepala.dinkes@suara.test');
  });
  beforeEach(resetRateLimits);

  it('lets the platform administrator add a category that the public form then offers, audited', async () => {
    const created = (await send(root, 'post', '/api/v1/categories', queueing).expect(201)).body;
    expect(created).to.include({
      code: 'queue_system',
      verifyWorkingDays: 2,
      active: true,
      competency: 'pelayanan_prima',
    });
    expect(created.name).to.deep.equal({ id: 'Sistem antrean', en: 'Queueing system' });
    const form = await request(app).get('/u/PKM-KEBUNHANDIL').expect(200);
    expect(form.text).to.include('<option value="queue_system"');
    expect(form.text).to.include('Sistem antrean');

    const entry = (await AuditEntry.findOne({ action: 'feedback.category.create', target: 'queue_system' }).lean())!;
    expect((entry.details as { before: unknown }).before).to.equal(null);
    expect((entry.details as { after: { kinds: string[] } }).after.kinds).to.deep.equal(['complaint', 'suggestion']);
  });

  it('refuses an agency admin and other staff any change, and changes nothing', async () => {
    const before = await Category.findOne({ code: 'waiting_time' }).lean();
    // An agency admin reads the national table but changes none of it.
    expect((await jambiAdmin.agent.get('/api/v1/categories').expect(200)).body.categories).to.have.length.above(10);
    await send(jambiAdmin, 'patch', '/api/v1/categories/waiting_time', { nameId: 'Antre lama sekali' }).expect(403);
    await send(jambiAdmin, 'patch', '/api/v1/categories/waiting_time', { active: false }).expect(403);
    await send(jambiAdmin, 'post', '/api/v1/categories', { ...queueing, code: 'jambi_own' }).expect(403);
    const page = await jambiAdmin.agent.get('/admin/categories').expect(200);
    expect(page.text).to.include('Hanya administrator platform');
    expect(page.text).not.to.include('/admin/categories/waiting_time/edit');
    await jambiAdmin.agent
      .post('/admin/categories/waiting_time/active')
      .type('form')
      .send({ _csrf: jambiAdmin.csrf, active: 'false' })
      .expect(403);
    await head.agent.get('/api/v1/categories').expect(403);
    await head.agent.get('/admin/categories').expect(403);
    await send(root, 'patch', '/api/v1/categories/no_such_thing', { nameId: 'Apa saja' }).expect(404);

    const after = await Category.findOne({ code: 'waiting_time' }).lean();
    expect(after!.name).to.deep.equal(before!.name);
    expect(after!.active).to.equal(true);
    expect(await Category.exists({ code: 'jambi_own' })).to.equal(null);
    expect(await AuditEntry.countDocuments({ action: /^feedback\.category/, target: 'waiting_time' })).to.equal(0);
  });

  it('refuses a verification limit past the legal three working days, in the request’s language', async () => {
    const bad = { ...queueing, code: 'too_slow', verifyWorkingDays: 4, kinds: ['weather'] };
    const id = (await send(root, 'post', '/api/v1/categories', bad).expect(400)).body;
    const en = (await send(root, 'post', '/api/v1/categories', bad, 'en').expect(400)).body;
    expect(id.error.fields).to.have.keys(['verifyWorkingDays', 'kinds.0']);
    expect(id.error.fields.verifyWorkingDays).to.not.equal(en.error.fields.verifyWorkingDays);
    expect(en.error.fields.verifyWorkingDays).to.include('3');
    const taken = (await send(root, 'post', '/api/v1/categories', queueing, 'en').expect(400)).body;
    expect(taken.error.fields.code).to.equal('Another category already uses this code.');
    expect(await Category.exists({ code: 'too_slow' })).to.equal(null);
  });

  it('renames and remaps through the page form, keeping what was typed on a refusal', async () => {
    const refused = await root.agent
      .post('/admin/categories/queue_system')
      .type('form')
      .send({ _csrf: root.csrf, nameId: 'Antrean', nameEn: 'Queue', kinds: 'complaint', verifyWorkingDays: '9' })
      .expect(400);
    expect(refused.text).to.include('value="Antrean"');
    expect(refused.text).to.include('field-error');

    await root.agent
      .post('/admin/categories/queue_system')
      .type('form')
      .send({
        _csrf: root.csrf,
        nameId: 'Antrean dan nomor panggil',
        nameEn: 'Queue and call numbers',
        kinds: 'complaint',
        skmElements: ['2', '4'],
        berakhlakValues: 'adaptif',
        verifyWorkingDays: '1',
        officerRelated: '0',
      })
      .expect(303)
      .expect('location', '/admin/categories');
    const saved = (await root.agent.get('/api/v1/categories/queue_system').expect(200)).body;
    expect(saved).to.deep.include({
      kinds: ['complaint'],
      skmElements: [2, 4],
      berakhlakValues: ['adaptif'],
      verifyWorkingDays: 1,
      officerRelated: false,
    });
    const entry = (await AuditEntry.findOne({ action: 'feedback.category.update', target: 'queue_system' }).lean())!;
    const details = entry.details as { before: { name: { id: string } }; after: { name: { id: string } } };
    expect(details.before.name.id).to.equal('Sistem antrean');
    expect(details.after.name.id).to.equal('Antrean dan nomor panggil');
  });

  it('takes a deactivated category off the public form, and an old ticket still names it', async () => {
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'queue_system',
        description: 'Nomor antrean dipanggil tidak berurutan sejak pagi, banyak yang diserobot.',
        privacy: 'anonymous',
        consent: true,
      })
      .expect(201);
    const code = filed.body.code as string;

    await root.agent
      .post('/admin/categories/queue_system/active')
      .type('form')
      .send({ _csrf: root.csrf, active: 'false' })
      .expect(303);
    expect(
      await AuditEntry.countDocuments({ action: 'feedback.category.deactivate', target: 'queue_system' }),
    ).to.equal(1);
    const form = await request(app).get('/u/PKM-KEBUNHANDIL').expect(200);
    expect(form.text).not.to.include('value="queue_system"');
    await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'queue_system',
        description: 'Nomor antrean dipanggil tidak berurutan lagi hari ini.',
        privacy: 'anonymous',
        consent: true,
      })
      .expect(400);

    const site = await as('kepala.kebunhandil@suara.test');
    const page = await site.agent.get(`/inbox/tickets/${code}`).expect(200);
    expect(page.text).to.include('Antrean dan nomor panggil');
    expect((await site.agent.get(`/api/v1/tickets/${code}`).expect(200)).body.ticket.category).to.equal('queue_system');
  });

  it('reads in English when asked, every label translated', async () => {
    for (const url of ['/admin/categories', '/admin/categories/new', '/admin/categories/waiting_time/edit']) {
      const page = await root.agent.get(url).set('Accept-Language', 'en').expect(200);
      expect(page.text).not.to.match(/(categories|templates|feedback)\.(admin|kind)\.[a-z_.]+/);
    }
    for (const url of ['/admin/templates', '/admin/templates/new', '/admin/templates/need_details/edit']) {
      const page = await root.agent.get(url).set('Accept-Language', 'en').expect(200);
      expect(page.text).not.to.match(/(categories|templates)\.admin\.[a-z_.]+/);
    }
    const form = await root.agent.get('/admin/categories/waiting_time/edit').set('Accept-Language', 'en').expect(200);
    expect(form.text).to.include('Verification limit (working days, 1–3; empty: 3)');
    expect(form.text).to.include('Information request');
  });
});
