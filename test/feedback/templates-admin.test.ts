import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { ResponseTemplate } from '../../src/modules/feedback/templates.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

interface Signed {
  agent: request.Agent;
  csrf: string;
}

describe('Response templates per category and action (/admin/templates, /api/v1/response-templates)', () => {
  useTestDatabase();
  let app: Express;
  let root: Signed;
  let jambiAdmin: Signed;

  const as = async (email: string): Promise<Signed> => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  const send = (who: Signed, method: 'post' | 'patch', url: string, body: object, lang = 'id') =>
    who.agent[method](url).set('X-CSRF-Token', who.csrf).set('Accept-Language', lang).send(body);
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
    app = await testApp();
    await seedDirectory();
    root = await as('root@suara.test');
    jambiAdmin = await as('admin.jambi@suara.test');
  });
  beforeEach(resetRateLimits);

  it('lists the six seeded templates to any admin, in both languages', async () => {
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

  it('lets no agency admin change a template: 403 and nothing changes', async () => {
    await send(jambiAdmin, 'patch', '/api/v1/response-templates/need_details', { titleId: 'Tanya lagi' }).expect(403);
    await send(jambiAdmin, 'post', '/api/v1/response-templates', { ...queueAnswer, code: 'jambi_answer' }).expect(403);
    await jambiAdmin.agent
      .post('/admin/templates/need_details/active')
      .type('form')
      .send({ _csrf: jambiAdmin.csrf, active: 'false' })
      .expect(403);
    const kept = (await ResponseTemplate.findOne({ code: 'need_details' }).lean())!;
    expect(kept.title!.id).to.equal('Minta keterangan tambahan');
    expect(kept.active).to.equal(true);
    expect(await ResponseTemplate.exists({ code: 'jambi_answer' })).to.equal(null);
    expect(await AuditEntry.countDocuments({ action: /^feedback\.template/, target: 'need_details' })).to.equal(0);
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
