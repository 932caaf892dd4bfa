import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Officer, Unit } from '../../src/modules/directory/model.js';
import { createUnit, listPublicUnits } from '../../src/modules/directory/service.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import type { Actor } from '../../src/platform/access.js';
import { useTestDatabase } from '../helpers/db.js';
import { adminWorld } from '../helpers/admin.js';

const ids = (path: readonly unknown[]) => path.map(String);

describe('Units over their life: deactivate, move, withdraw services and counters (issue #22)', () => {
  useTestDatabase();
  let app: Express;
  let root: Actor;
  let jambi: request.Agent;
  let csrf: string;
  let ambon: request.Agent;
  let ambonCsrf: string;
  before(async () => {
    const world = await adminWorld();
    ({ app, root } = world);
    ({ agent: jambi, csrf } = await world.as('admin.jambi@suara.test'));
    ({ agent: ambon, csrf: ambonCsrf } = await world.as('admin.ambon@suara.test'));
  });

  it('refuses to deactivate a unit with active sub-units, saying what to do first, in both languages', async () => {
    const id = await jambi
      .patch('/api/v1/units/JAMBI-DINKES')
      .set('X-CSRF-Token', csrf)
      .send({ active: false })
      .expect(400);
    expect(id.body.error.fields.active).to.equal(
      'Unit ini masih punya subunit aktif; nonaktifkan subunit itu lebih dulu.',
    );
    const page = await jambi
      .post('/admin/units/JAMBI-DINKES/active')
      .type('form')
      .set('Accept-Language', 'en')
      .send({ _csrf: csrf, active: '0' })
      .expect(400);
    expect(page.text).to.include('This unit still has active sub-units; deactivate them first.');
    expect((await Unit.findOne({ code: 'JAMBI-DINKES' }).lean())!.active).to.equal(true);
  });

  it('deactivates a leaf unit: gone from the public list and form, its page still readable to the admin, audited', async () => {
    await jambi.post('/admin/units/PKM-PUTRIAYU/active').type('form').send({ _csrf: csrf, active: '0' }).expect(303);
    expect((await listPublicUnits()).map((unit) => unit.code)).not.to.include('PKM-PUTRIAYU');
    await request(app).get('/u/PKM-PUTRIAYU').expect(404);
    const page = await jambi.get('/admin/units/PKM-PUTRIAYU').expect(200);
    expect(page.text).to.include('Unit ini nonaktif');
    const entry = (await AuditEntry.findOne({ action: 'unit.deactivate', target: 'PKM-PUTRIAYU' }).lean())!;
    expect(entry.details).to.deep.equal({ before: { active: true }, after: { active: false } });
    await jambi.patch('/api/v1/units/PKM-PUTRIAYU').set('X-CSRF-Token', csrf).send({ active: true }).expect(200);
    expect((await listPublicUnits()).map((unit) => unit.code)).to.include('PKM-PUTRIAYU');
  });

  it('moves a unit under another parent: the paths of the unit, the units below it and their officers follow', async () => {
    await createUnit(root, { code: 'JAMBI-RSUD', name: 'RSUD Raden Mattaher', kind: 'rsud', parentCode: 'JAMBI' });
    await createUnit(root, { code: 'PUSTU-TALANG', name: 'Pustu Talang Banjar', parentCode: 'PKM-KEBUNHANDIL' });
    await jambi
      .post('/admin/units/PKM-KEBUNHANDIL/move')
      .type('form')
      .send({ _csrf: csrf, parentCode: 'JAMBI-RSUD', reason: 'Restrukturisasi' })
      .expect(303);
    const [agency, rsud, puskesmas, pustu] = await Promise.all(
      ['JAMBI', 'JAMBI-RSUD', 'PKM-KEBUNHANDIL', 'PUSTU-TALANG'].map(
        async (code) => (await Unit.findOne({ code }).lean())!,
      ),
    );
    expect(ids(puskesmas!.path)).to.deep.equal(ids([agency!._id, rsud!._id, puskesmas!._id]));
    expect(String(puskesmas!.parentId)).to.equal(String(rsud!._id));
    expect(ids(pustu!.path)).to.deep.equal(ids([agency!._id, rsud!._id, puskesmas!._id, pustu!._id]));
    const siti = (await Officer.findOne({ nip: '198503152010012001' }).lean())!;
    expect(ids(siti.unitPath)).to.deep.equal(ids(puskesmas!.path));
    const entry = (await AuditEntry.findOne({ action: 'unit.move', target: 'PKM-KEBUNHANDIL' }).lean())!;
    expect(entry.reason).to.equal('Restrukturisasi');
    expect(entry.details).to.deep.include({
      before: { parentCode: 'JAMBI-DINKES' },
      after: { parentCode: 'JAMBI-RSUD' },
    });
  });

  it('refuses a move into another agency or below itself, and a bad field changes nothing', async () => {
    const other = await jambi
      .patch('/api/v1/units/PKM-KEBUNHANDIL')
      .set('X-CSRF-Token', csrf)
      .set('Accept-Language', 'en')
      .send({ parentCode: 'AMB-DUKCAPIL' })
      .expect(400);
    expect(other.body.error.fields.parentCode).to.equal(
      'Parent unit "AMB-DUKCAPIL" must be an active unit of the same agency.',
    );
    const below = await jambi
      .patch('/api/v1/units/PKM-KEBUNHANDIL')
      .set('X-CSRF-Token', csrf)
      .send({ parentCode: 'PUSTU-TALANG' })
      .expect(400);
    expect(below.body.error.fields.parentCode).to.equal('Unit tidak boleh menjadi induk dari dirinya sendiri.');
    await jambi
      .patch('/api/v1/units/PKM-PUTRIAYU')
      .set('X-CSRF-Token', csrf)
      .send({ active: false, name: 'X' })
      .expect(400);
    expect((await Unit.findOne({ code: 'PKM-PUTRIAYU' }).lean())!.active).to.equal(true);
  });

  it('keeps another agency’s admin out: 403 and nothing changes', async () => {
    const before = await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean();
    await ambon
      .patch('/api/v1/units/PKM-KEBUNHANDIL')
      .set('X-CSRF-Token', ambonCsrf)
      .send({ active: false })
      .expect(403);
    await ambon
      .put('/api/v1/units/PKM-KEBUNHANDIL/opening-hours')
      .set('X-CSRF-Token', ambonCsrf)
      .send({ weekly: [] })
      .expect(403);
    await ambon.delete('/api/v1/units/PKM-KEBUNHANDIL/services/POLI-UMUM').set('X-CSRF-Token', ambonCsrf).expect(403);
    expect(await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean()).to.deep.equal(before);
  });

  it('edits a service’s standard and withdraws services and counters from the public pickers', async () => {
    const editing = await jambi.get('/admin/units/PKM-KEBUNHANDIL?service=POLI-UMUM').expect(200);
    expect(editing.text).to.include('id="targetWaitMinutes" name="targetWaitMinutes" type="number" value="30"');
    const counter = await jambi.get('/admin/units/PKM-KEBUNHANDIL?counter=L1').expect(200);
    expect(counter.text).to.include('value="Loket Pendaftaran"');
    await jambi
      .post('/admin/units/PKM-KEBUNHANDIL/services')
      .type('form')
      .send({
        _csrf: csrf,
        code: 'POLI-UMUM',
        name: 'Poli Umum',
        targetWaitMinutes: '45',
        targetCompletionDays: '',
        fee: '0',
      })
      .expect(303);
    let unit = (await listPublicUnits()).find((item) => item.code === 'PKM-KEBUNHANDIL')!;
    expect(unit.services).to.deep.equal([{ code: 'POLI-UMUM', name: 'Poli Umum', targetWaitMinutes: 45 }]);
    const saved = (await AuditEntry.findOne({ action: 'service.save', target: 'PKM-KEBUNHANDIL/POLI-UMUM' })
      .sort({ at: -1 })
      .lean())!;
    const details = saved.details as { before: { targetWaitMinutes: number }; after: { targetWaitMinutes: number } };
    expect([details.before.targetWaitMinutes, details.after.targetWaitMinutes]).to.deep.equal([30, 45]);
    await jambi.delete('/api/v1/units/PKM-KEBUNHANDIL/services/POLI-UMUM').set('X-CSRF-Token', csrf).expect(204);
    await jambi
      .post('/admin/units/PKM-KEBUNHANDIL/counters/L1/withdraw')
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    unit = (await listPublicUnits()).find((item) => item.code === 'PKM-KEBUNHANDIL')!;
    expect(unit.services).to.deep.equal([]);
    expect(unit.counters).to.deep.equal([]);
    const stored = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    expect(stored.services.map((service) => service.active)).to.deep.equal([false]); // kept for history
    expect(await AuditEntry.exists({ action: 'counter.withdraw', target: 'PKM-KEBUNHANDIL/L1' })).to.not.equal(null);
  });
});
