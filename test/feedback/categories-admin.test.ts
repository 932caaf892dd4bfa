import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Category, CategoryOverride } from '../../src/modules/feedback/categories.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { adminWorld, postForm, send, type Signed } from '../helpers/admin.js';
import { PASSWORD } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

describe('The complaint category table (/admin/categories, /api/v1/categories)', () => {
  useTestDatabase();
  let app: Express;
  let root: Signed;
  let jambiAdmin: Signed;
  let ambonAdmin: Signed;
  let head: Signed;
  let as: (email: string) => Promise<Signed>;
  let rootActor: Awaited<ReturnType<typeof adminWorld>>['root'];
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
    const world = await adminWorld();
    app = world.app;
    as = world.as;
    rootActor = world.root;
    root = await as('root@suara.test');
    jambiAdmin = await as('admin.jambi@suara.test');
    ambonAdmin = await as('admin.ambon@suara.test');
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

  const complaint = (unitCode: string, category: string) =>
    request(app).post('/api/v1/tickets').send({
      kind: 'complaint',
      unitCode,
      category,
      description: 'Antrean pengambilan obat di apotek puskesmas lebih dari dua jam tanpa kejelasan.',
      privacy: 'anonymous',
      consent: true,
    });
  const pharmacy = {
    code: 'jambi_pharmacy_queue',
    nameId: 'Antrean apotek',
    nameEn: 'Pharmacy queue',
    kinds: ['complaint', 'suggestion'],
    skmElements: [2, 8],
    berakhlakValues: ['berorientasi_pelayanan', 'kolaboratif'],
    competency: 'manajemen_antrean',
    verifyWorkingDays: 1,
  };

  it('lets an agency admin add a category of the agency’s own, offered only on its units’ forms, audited', async () => {
    const created = (await send(jambiAdmin, 'post', '/api/v1/categories', pharmacy).expect(201)).body;
    expect(created).to.include({ code: 'jambi_pharmacy_queue', owner: 'JAMBI', verifyWorkingDays: 1, offered: true });
    expect(created.skmElements).to.deep.equal([2, 8]);
    expect(created.berakhlakValues).to.deep.equal(['berorientasi_pelayanan', 'kolaboratif']);

    expect((await request(app).get('/u/PKM-KEBUNHANDIL').expect(200)).text).to.include('Antrean apotek');
    expect((await request(app).get('/u/AMB-DUKCAPIL').expect(200)).text).not.to.include('Antrean apotek');
    // Its own verification limit (one working day) sets the clock of a ticket filed under it.
    const own = (await complaint('PKM-KEBUNHANDIL', 'jambi_pharmacy_queue').expect(201)).body;
    const national = (await complaint('PKM-KEBUNHANDIL', 'waiting_time').expect(201)).body;
    expect(new Date(own.dueAt).getTime()).to.be.below(new Date(national.dueAt).getTime());
    const elsewhere = (await complaint('AMB-DUKCAPIL', 'jambi_pharmacy_queue').expect(400)).body;
    expect(elsewhere.error.fields).to.have.key('category');

    // Each agency's table lists the national categories and its own, never another agency's.
    const jambi = (await jambiAdmin.agent.get('/api/v1/categories').expect(200)).body;
    expect(jambi.agency).to.equal('JAMBI');
    expect(jambi.categories.map((c: { code: string }) => c.code)).to.include('jambi_pharmacy_queue');
    const ambon = (await ambonAdmin.agent.get('/api/v1/categories').expect(200)).body;
    expect(ambon.categories.map((c: { code: string }) => c.code)).not.to.include('jambi_pharmacy_queue');

    const entry = (await AuditEntry.findOne({
      action: 'feedback.category.create',
      target: 'jambi_pharmacy_queue',
    }).lean())!;
    expect(entry.actorId).to.not.equal(null);
    expect((entry.details as { before: unknown }).before).to.equal(null);
    expect((entry.details as { after: { owner: string } }).after.owner).to.equal('JAMBI');
  });

  it('lets an agency switch a national category off for its own units only, the national row untouched', async () => {
    const before = await Category.findOne({ code: 'waiting_time' }).lean();
    const filedBefore = (await complaint('PKM-KEBUNHANDIL', 'waiting_time').expect(201)).body.code as string;

    await postForm(jambiAdmin, '/admin/categories/waiting_time/active', { active: 'false' })
      .expect(303)
      .expect('location', '/admin/categories');
    const after = await Category.findOne({ code: 'waiting_time' }).lean();
    expect(after!.active).to.equal(true);
    expect(after!.updatedAt).to.deep.equal(before!.updatedAt);
    expect(
      await CategoryOverride.countDocuments({ agencyCode: 'JAMBI', code: 'waiting_time', active: false }),
    ).to.equal(1);

    expect((await request(app).get('/u/PKM-KEBUNHANDIL').expect(200)).text).not.to.include('value="waiting_time"');
    expect((await request(app).get('/u/AMB-DUKCAPIL').expect(200)).text).to.include('value="waiting_time"');
    await complaint('PKM-KEBUNHANDIL', 'waiting_time').expect(400);
    await complaint('AMB-DUKCAPIL', 'waiting_time').expect(201);

    const page = await jambiAdmin.agent.get('/admin/categories').expect(200);
    expect(page.text).to.include('Nonaktif di instansi ini');
    // The inbox still names the category on a ticket filed before.
    const site = await as('kepala.kebunhandil@suara.test');
    expect((await site.agent.get(`/inbox/tickets/${filedBefore}`).expect(200)).text).to.include('Waktu tunggu lama');

    const entry = (await AuditEntry.findOne({
      action: 'feedback.category.deactivate',
      target: 'waiting_time',
    }).lean())!;
    const details = entry.details as { agency: string; before: { offered: boolean }; after: { offered: boolean } };
    expect(details).to.deep.include({ agency: 'JAMBI' });
    expect(details.before.offered).to.equal(true);
    expect(details.after.offered).to.equal(false);

    await send(jambiAdmin, 'patch', '/api/v1/categories/waiting_time', { active: true }).expect(200);
    expect((await request(app).get('/u/PKM-KEBUNHANDIL').expect(200)).text).to.include('value="waiting_time"');
  });

  it('refuses an agency admin a national category’s content, another agency’s category and a forged code, changing nothing', async () => {
    const waiting = await Category.findOne({ code: 'waiting_time' }).lean();
    const own = await Category.findOne({ code: 'jambi_pharmacy_queue' }).lean();
    const audited = await AuditEntry.countDocuments({ action: /^feedback\.category/ });

    const renamed = await send(
      jambiAdmin,
      'patch',
      '/api/v1/categories/waiting_time',
      { nameId: 'Antre lama sekali' },
      'en',
    );
    expect(renamed.status).to.equal(403);
    expect(renamed.body.error.message).to.include('platform administrator');
    // Another agency's category reads as unknown, in the asker's language, by API and by page.
    const id = await send(ambonAdmin, 'patch', '/api/v1/categories/jambi_pharmacy_queue', { active: false }).expect(
      404,
    );
    const en = await send(ambonAdmin, 'patch', '/api/v1/categories/jambi_pharmacy_queue', { active: false }, 'en');
    expect(en.status).to.equal(404);
    expect(id.body.error.message).to.not.equal(en.body.error.message);
    await ambonAdmin.agent.get('/api/v1/categories/jambi_pharmacy_queue').expect(404);
    await ambonAdmin.agent.get('/admin/categories/jambi_pharmacy_queue/edit').expect(404);
    await postForm(ambonAdmin, '/admin/categories/jambi_pharmacy_queue/active', { active: 'false' }).expect(404);
    await postForm(ambonAdmin, '/admin/categories/jambi_pharmacy_queue', { nameId: 'Punya Ambon' }).expect(404);
    // Naming another agency in the query is no way round it; nor is a code made up or built to match anything.
    await ambonAdmin.agent.get('/api/v1/categories?agency=JAMBI').expect(404);
    await send(ambonAdmin, 'post', '/api/v1/categories?agency=JAMBI', { ...pharmacy, code: 'ambon_in_jambi' }).expect(
      404,
    );
    await send(jambiAdmin, 'patch', '/api/v1/categories/no_such_thing', { active: false }).expect(404);
    await send(jambiAdmin, 'patch', `/api/v1/categories/${encodeURIComponent('{"$ne":null}')}`, {
      active: false,
    }).expect(404);
    await send(jambiAdmin, 'patch', '/api/v1/categories/jambi_pharmacy_queue?agency=JAMBI&agency=AMBON', {
      active: false,
    }).expect(404);

    // Other staff read no table at all.
    await head.agent.get('/api/v1/categories').expect(403);
    await head.agent.get('/admin/categories').expect(403);
    await send(head, 'post', '/api/v1/categories', { ...pharmacy, code: 'head_own' }).expect(403);

    expect(await Category.findOne({ code: 'waiting_time' }).lean()).to.deep.equal(waiting);
    expect(await Category.findOne({ code: 'jambi_pharmacy_queue' }).lean()).to.deep.equal(own);
    expect(await Category.exists({ code: { $in: ['ambon_in_jambi', 'head_own'] } })).to.equal(null);
    expect(await CategoryOverride.countDocuments({ agencyCode: 'AMBON' })).to.equal(0);
    expect(await AuditEntry.countDocuments({ action: /^feedback\.category/ })).to.equal(audited);
  });

  it('keeps one category and one override when twenty admins’ requests race for them', async () => {
    const adding = await Promise.all(
      Array.from({ length: 20 }, () =>
        send(jambiAdmin, 'post', '/api/v1/categories', { ...pharmacy, code: 'jambi_parking', nameId: 'Parkir' }),
      ),
    );
    expect(adding.filter((response) => response.status === 201)).to.have.length(1);
    expect(adding.every((response) => [201, 400].includes(response.status))).to.equal(true);
    expect(await Category.countDocuments({ code: 'jambi_parking' })).to.equal(1);

    const switching = await Promise.all(
      Array.from({ length: 20 }, () => send(jambiAdmin, 'patch', '/api/v1/categories/facilities', { active: false })),
    );
    expect(switching.map((response) => response.status)).to.deep.equal(Array(20).fill(200));
    expect(await CategoryOverride.countDocuments({ agencyCode: 'JAMBI', code: 'facilities' })).to.equal(1);
    await send(jambiAdmin, 'patch', '/api/v1/categories/facilities', { active: true }).expect(200);
  });

  it('lets the platform administrator open an agency’s table, and the agency’s own rows stay off the national one', async () => {
    const national = (await root.agent.get('/api/v1/categories').expect(200)).body;
    expect(national.agency).to.equal(null);
    expect(national.categories.map((c: { code: string }) => c.code)).not.to.include('jambi_pharmacy_queue');
    const jambi = (await root.agent.get('/api/v1/categories?agency=JAMBI').expect(200)).body;
    expect(jambi.categories.map((c: { code: string }) => c.code)).to.include('jambi_pharmacy_queue');
    const page = await root.agent.get('/admin/categories').expect(200);
    expect(page.text).to.include('href="/admin/categories?agency=JAMBI"');
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

  it('gives an admin of two agencies links between their two tables and no national one, naming the agency', async () => {
    const made = await createUser(rootActor, {
      email: 'admin.dua@suara.test',
      name: 'Admin Dua Instansi',
      password: PASSWORD,
      role: 'admin',
      unitCode: 'JAMBI',
    });
    await send(root, 'patch', `/api/v1/accounts/${made.id}`, {
      grants: [
        { role: 'admin', unitCode: 'JAMBI' },
        { role: 'admin', unitCode: 'AMBON' },
      ],
    }).expect(200);
    const both = await as('admin.dua@suara.test');
    const page = (await both.agent.get('/admin/categories?agency=AMBON').expect(200)).text.replace(/&#x3D;/g, '=');
    expect(page).to.include('href="/admin/categories?agency=JAMBI"');
    expect(page).to.not.include('href="/admin/categories"');
    expect(page).to.match(/Tabel kategori:\s*<strong>Pemerintah Kota Ambon<\/strong> · <a /);
    expect(page).to.include('href="/admin/categories/new?agency=AMBON"');
    // An admin of one agency sees only theirs, with nothing to switch to.
    const one = (await jambiAdmin.agent.get('/admin/categories').expect(200)).text;
    expect(one).to.not.include('?agency=');
  });
});
