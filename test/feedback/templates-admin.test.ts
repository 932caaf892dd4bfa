import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { createUser } from '../../src/modules/accounts/service.js';
import { ResponseTemplate } from '../../src/modules/feedback/templates.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { PASSWORD } from '../helpers/app.js';
import { adminWorld, postForm, send, type Signed } from '../helpers/admin.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

describe('Response templates per category and action (/admin/templates, /api/v1/response-templates)', () => {
  useTestDatabase();
  let app: Express;
  let root: Signed;
  let jambiAdmin: Signed;
  let ambonAdmin: Signed;
  let as: (email: string) => Promise<Signed>;
  const queueAnswer = {
    code: 'waiting_time_queue',
    category: 'waiting_time',
    usedFor: 'reply',
    titleId: 'Antrean: sedang kami benahi',
    titleEn: 'Queue: being fixed',
    bodyId: 'Laporan {code} tentang antrean di {unit} sedang kami tindak lanjuti.',
    bodyEn: 'We are following up report {code} about the queue at {unit}.',
  };

  before(async () => {
    const world = await adminWorld();
    ({ app, as } = world);
    await createUser(world.root, {
      email: 'kepala.dukcapil@suara.test',
      name: 'Kepala Dukcapil',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'AMB-DUKCAPIL',
    });
    root = await as('root@suara.test');
    jambiAdmin = await as('admin.jambi@suara.test');
    ambonAdmin = await as('admin.ambon@suara.test');
  });
  beforeEach(resetRateLimits);

  it('lists the six seeded national templates to any admin, in both languages', async () => {
    const { templates } = (await jambiAdmin.agent.get('/api/v1/response-templates').expect(200)).body;
    expect(templates).to.have.length(6);
    const fee = templates.find((template: { code: string }) => template.code === 'illegal_fee_inspectorate');
    expect(fee).to.include({ category: 'illegal_fee', usedFor: 'reply', active: true });
    expect(fee.body.en).to.include('inspectorate');
    const page = await jambiAdmin.agent.get('/admin/templates').set('Accept-Language', 'en').expect(200);
    expect(page.text).to.include('Response templates');
    expect(page.text).to.include('Known placeholders: {code}, {unit}');
  });

  it('saves a template with known placeholders, audited with before and after', async () => {
    const created = (await send(root, 'post', '/api/v1/response-templates', queueAnswer).expect(201)).body;
    expect(created.body.id).to.equal(queueAnswer.bodyId);
    const entry = (await AuditEntry.findOne({
      action: 'feedback.template.create',
      target: 'waiting_time_queue',
    }).lean())!;
    expect((entry.details as { before: unknown }).before).to.equal(null);

    await send(root, 'patch', '/api/v1/response-templates/waiting_time_queue', { titleEn: 'Queue: on it' }).expect(200);
    const change = (await AuditEntry.findOne({
      action: 'feedback.template.update',
      target: 'waiting_time_queue',
    }).lean())!;
    const details = change.details as {
      before: { title: { en: string } };
      after: { title: { en: string; id: string } };
    };
    expect(details.before.title.en).to.equal('Queue: being fixed');
    expect(details.after.title).to.deep.equal({ id: 'Antrean: sedang kami benahi', en: 'Queue: on it' });
  });

  it('refuses an unknown placeholder or an unbalanced brace as a field error in the user’s language', async () => {
    const unknown = { ...queueAnswer, code: 'with_name', bodyId: 'Halo {nama}, laporan {code} kami terima.' };
    const id = (await send(root, 'post', '/api/v1/response-templates', unknown).expect(400)).body;
    expect(id.error.fields.bodyId).to.equal('Tempat isian tidak dikenal. Yang dikenal: {code}, {unit}.');
    const unbalanced = { ...queueAnswer, code: 'with_brace', bodyEn: 'Report {code is being followed up.' };
    const en = (await send(root, 'post', '/api/v1/response-templates', unbalanced, 'en').expect(400)).body;
    expect(en.error.fields.bodyEn).to.equal('A curly brace has no partner.');
    await send(root, 'patch', '/api/v1/response-templates/need_details', { bodyEn: 'Tell us more }' }).expect(400);
    expect(await ResponseTemplate.exists({ code: /^with_/ })).to.equal(null);
    expect((await ResponseTemplate.findOne({ code: 'need_details' }).lean())!.body!.en).to.not.include('}');

    // The page keeps what was typed and says it beside the field.
    const page = await root.agent
      .post('/admin/templates')
      .type('form')
      .send({ _csrf: root.csrf, ...unknown })
      .expect(400);
    expect(page.text).to.include('Halo {nama}, laporan {code} kami terima.');
    expect(page.text).to.include('Tempat isian tidak dikenal');
  });

  it('previews a template filled from a made-up ticket, never a real one, and saves nothing', async () => {
    const preview = (
      await send(root, 'post', '/api/v1/response-templates/preview', {
        bodyId: queueAnswer.bodyId,
        bodyEn: queueAnswer.bodyEn,
      }).expect(200)
    ).body;
    expect(preview.body.id).to.equal(
      'Laporan SR-CONTOH-0001 tentang antrean di Puskesmas Contoh sedang kami tindak lanjuti.',
    );
    expect(preview.body.en).to.equal('We are following up report SR-CONTOH-0001 about the queue at Puskesmas Contoh.');

    const page = await root.agent
      .post('/admin/templates/preview')
      .type('form')
      .send({ _csrf: root.csrf, ...queueAnswer, code: 'only_a_preview' })
      .expect(200);
    expect(page.text).to.include('Pratinjau dengan laporan contoh SR-CONTOH-0001');
    expect(page.text).to.include('antrean di Puskesmas Contoh');
    expect(await ResponseTemplate.exists({ code: 'only_a_preview' })).to.equal(null);
  });

  it('lets no agency admin change a national template: 403 and nothing changes', async () => {
    const refused = await send(
      jambiAdmin,
      'patch',
      '/api/v1/response-templates/need_details',
      { titleId: 'Tanya lagi' },
      'en',
    );
    expect(refused.status).to.equal(403);
    expect(refused.body.error.message).to.equal('Only the platform administrator can change a national template.');
    await postForm(jambiAdmin, '/admin/templates/need_details/active', { active: 'false' }).expect(403);
    const kept = (await ResponseTemplate.findOne({ code: 'need_details' }).lean())!;
    expect(kept.title!.id).to.equal('Minta keterangan tambahan');
    expect(kept.active).to.equal(true);
    expect(await AuditEntry.countDocuments({ action: /^feedback\.template/, target: 'need_details' })).to.equal(0);
    const page = await jambiAdmin.agent.get('/admin/templates').expect(200);
    expect(page.text).not.to.include('/admin/templates/need_details/edit');
  });

  it('lets an agency admin keep templates of the agency’s own, for its own categories, used only on its tickets', async () => {
    await send(jambiAdmin, 'post', '/api/v1/categories', {
      code: 'jambi_pharmacy_queue',
      nameId: 'Antrean apotek',
      nameEn: 'Pharmacy queue',
      kinds: ['complaint'],
    }).expect(201);
    const jambiAnswer = {
      ...queueAnswer,
      code: 'jambi_pharmacy_answer',
      category: 'jambi_pharmacy_queue',
      titleId: 'Apotek: loket tambahan',
      titleEn: 'Pharmacy: extra counter',
    };
    await postForm(jambiAdmin, '/admin/templates', jambiAnswer).expect(303).expect('location', '/admin/templates');
    const saved = (await jambiAdmin.agent.get('/api/v1/response-templates/jambi_pharmacy_answer').expect(200)).body;
    expect(saved).to.include({ owner: 'JAMBI', category: 'jambi_pharmacy_queue' });
    expect(
      await AuditEntry.countDocuments({ action: 'feedback.template.create', target: 'jambi_pharmacy_answer' }),
    ).to.equal(1);

    // Ambon neither sees it nor reaches it, and cannot name Jambi's category in a template of its own.
    const ambonList = (await ambonAdmin.agent.get('/api/v1/response-templates').expect(200)).body.templates;
    expect(ambonList.map((t: { code: string }) => t.code)).not.to.include('jambi_pharmacy_answer');
    await ambonAdmin.agent.get('/api/v1/response-templates/jambi_pharmacy_answer').expect(404);
    await send(ambonAdmin, 'patch', '/api/v1/response-templates/jambi_pharmacy_answer', {
      titleId: 'Punya Ambon',
    }).expect(404);
    await postForm(ambonAdmin, '/admin/templates/jambi_pharmacy_answer/active', { active: 'false' }).expect(404);
    const foreign = await send(
      ambonAdmin,
      'post',
      '/api/v1/response-templates',
      { ...jambiAnswer, code: 'ambon_answer' },
      'en',
    );
    expect(foreign.status).to.equal(400);
    expect(foreign.body.error.fields.category).to.equal('Unknown category.');
    expect((await ResponseTemplate.findOne({ code: 'jambi_pharmacy_answer' }).lean())!.title!.id).to.equal(
      'Apotek: loket tambahan',
    );

    // Staff of Jambi are offered it on a ticket of that category; a ticket elsewhere cannot use it.
    const file = (unitCode: string, category: string) =>
      request(app)
        .post('/api/v1/tickets')
        .send({
          kind: 'complaint',
          unitCode,
          category,
          description: 'Antrean di apotek sangat panjang dan tidak ada nomor antrean.',
          privacy: 'anonymous',
          consent: true,
        })
        .expect(201);
    const jambiTicket = (await file('PKM-KEBUNHANDIL', 'jambi_pharmacy_queue')).body.code as string;
    const site = await as('kepala.kebunhandil@suara.test');
    const view = (await site.agent.get(`/api/v1/tickets/${jambiTicket}`).expect(200)).body;
    expect(view.templates.map((t: { code: string }) => t.code)).to.include('jambi_pharmacy_answer');

    const ambonTicket = (await file('AMB-DUKCAPIL', 'waiting_time')).body.code as string;
    const dukcapil = await as('kepala.dukcapil@suara.test');
    const seen = (await dukcapil.agent.get(`/api/v1/tickets/${ambonTicket}`).expect(200)).body;
    expect(seen.templates.map((t: { code: string }) => t.code)).not.to.include('jambi_pharmacy_answer');
    const verified = await send(dukcapil, 'patch', `/api/v1/tickets/${ambonTicket}`, {
      revision: seen.ticket.revision,
      action: 'verify',
    }).expect(200);
    const refused = await send(dukcapil, 'patch', `/api/v1/tickets/${ambonTicket}`, {
      revision: verified.body.ticket.revision,
      action: 'resolve',
      template: 'jambi_pharmacy_answer',
    }).expect(400);
    expect(refused.body.error.fields).to.have.key('template');
  });

  it('fills {code} and {unit} from the ticket when staff resolve with the saved template', async () => {
    await send(root, 'post', '/api/v1/response-templates', {
      ...queueAnswer,
      code: 'queue_resolved',
      usedFor: 'resolve',
    }).expect(201);
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Menunggu dua setengah jam di loket pendaftaran tanpa kepastian.',
        privacy: 'anonymous',
        consent: true,
      })
      .expect(201);
    const site = await as('kepala.kebunhandil@suara.test');
    const act = (change: object) =>
      site.agent.patch(`/api/v1/tickets/${body.code}`).set('X-CSRF-Token', site.csrf).send(change).expect(200);
    const seen = (await site.agent.get(`/api/v1/tickets/${body.code}`).expect(200)).body;
    const verified = (await act({ revision: seen.ticket.revision, action: 'verify' })).body;
    const resolved = (await act({ revision: verified.ticket.revision, action: 'resolve', template: 'queue_resolved' }))
      .body;
    expect(resolved.history.at(-1).body).to.equal(
      `Laporan ${body.code} tentang antrean di Puskesmas Kebun Handil sedang kami tindak lanjuti.`,
    );
  });
});
