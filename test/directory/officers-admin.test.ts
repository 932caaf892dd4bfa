import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { Officer, Unit } from '../../src/modules/directory/model.js';
import { listPublicOfficers } from '../../src/modules/directory/service.js';
import { Finding } from '../../src/modules/feedback/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { useTestDatabase } from '../helpers/db.js';
import { adminWorld, signedIn } from '../helpers/admin.js';

const SITI = '198503152010012001'; // Puskesmas Kebun Handil (Jambi)
const BUDI = '199001012015031002'; // Puskesmas Putri Ayu (Jambi)
const JOHANIS = '198807202012121001'; // Disdukcapil Kota Ambon

describe('The officers admin: search, edit, transfer, deactivate (issue #22)', () => {
  useTestDatabase();
  let app: Express;
  let jambi: request.Agent;
  let jambiCsrf: string;
  let ambon: request.Agent;
  let ambonCsrf: string;
  before(async () => {
    const world = await adminWorld();
    app = world.app;
    ({ agent: jambi, csrf: jambiCsrf } = await world.as('admin.jambi@suara.test'));
    ({ agent: ambon, csrf: ambonCsrf } = await world.as('admin.ambon@suara.test'));
  });

  it('finds the officers of the admin’s agency by a part of the name or the start of the NIP, never another agency’s', async () => {
    const byName = await jambi.get('/admin/officers?q=rahma').expect(200);
    expect(byName.text).to.include('Siti Rahmawati');
    expect(byName.text).not.to.include('Budi Santoso');
    const byNip = await jambi.get('/admin/officers?q=19900101').expect(200);
    expect(byNip.text).to.include('Budi Santoso');
    expect(byNip.text).not.to.include('Siti Rahmawati');
    const everyone = await jambi.get('/admin/officers').expect(200);
    expect(everyone.text).to.include('Halaman 1 dari 1 (2 pegawai)');
    expect(everyone.text).not.to.include('Johanis');
    await jambi.get(`/admin/officers/${JOHANIS}`).expect(404);
  });

  it('transfers an officer with a reason: the officer moves, past findings stay with the unit where they happened', async () => {
    const siti = (await Officer.findOne({ nip: SITI }).lean())!;
    const kebunHandil = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    const finding = await Finding.create({
      ticketId: new mongoose.Types.ObjectId(),
      code: 'SRA-TEST-0001',
      officerId: siti._id,
      unitPath: kebunHandil.path,
      outcome: 'substantiated',
      recordedBy: { userId: new mongoose.Types.ObjectId(), name: 'Kepala' },
    });

    await jambi
      .post(`/admin/officers/${SITI}/transfer`)
      .type('form')
      .send({ _csrf: jambiCsrf, unitCode: 'PKM-PUTRIAYU', reason: 'Mutasi SK Kepala Dinas 12/2026' })
      .expect(303);

    const moved = (await Officer.findOne({ nip: SITI }).lean())!;
    const putriAyu = (await Unit.findOne({ code: 'PKM-PUTRIAYU' }).lean())!;
    expect(moved.unitCode).to.equal('PKM-PUTRIAYU');
    expect(moved.unitPath.map(String)).to.deep.equal(putriAyu.path.map(String));
    expect(moved.ref).to.equal(siti.ref); // the record follows the person
    const kept = (await Finding.findById(finding._id).lean())!;
    expect(kept.unitPath.map(String)).to.deep.equal(kebunHandil.path.map(String));
    const entry = (await AuditEntry.findOne({ action: 'officer.transfer', target: SITI }).lean())!;
    expect(entry.reason).to.equal('Mutasi SK Kepala Dinas 12/2026');
    expect(entry.details).to.deep.equal({
      before: { unitCode: 'PKM-KEBUNHANDIL' },
      after: { unitCode: 'PKM-PUTRIAYU' },
    });
  });

  it('edits name and position through the API, auditing before and after', async () => {
    const response = await jambi
      .patch(`/api/v1/officers/${BUDI}`)
      .set('X-CSRF-Token', jambiCsrf)
      .send({ name: 'Budi Santoso, A.Md.Keb.', position: 'Bidan Terampil' })
      .expect(200);
    expect(response.body).to.include({ name: 'Budi Santoso, A.Md.Keb.', position: 'Bidan Terampil' });
    const entry = (await AuditEntry.findOne({ action: 'officer.update', target: BUDI }).lean())!;
    expect(entry.details).to.deep.equal({
      before: { name: 'Budi Santoso', position: 'Bidan' },
      after: { name: 'Budi Santoso, A.Md.Keb.', position: 'Bidan Terampil' },
    });
  });

  it('deactivates an officer: gone from the public picker, shown as inactive to the admin, and back on re-activation', async () => {
    await jambi.patch(`/api/v1/officers/${BUDI}`).set('X-CSRF-Token', jambiCsrf).send({ active: false }).expect(200);
    expect((await listPublicOfficers('PKM-PUTRIAYU')).map((officer) => officer.name)).not.to.include(
      'Budi Santoso, A.Md.Keb.',
    );
    const form = await request(app).get('/u/PKM-PUTRIAYU').expect(200);
    expect(form.text).not.to.include('Budi Santoso');
    const page = await jambi.get(`/admin/officers/${BUDI}`).expect(200);
    expect(page.text).to.include('Pegawai ini nonaktif');
    const english = await jambi.get(`/admin/officers/${BUDI}`).set('Accept-Language', 'en').expect(200);
    expect(english.text).to.include('This officer is inactive');
    expect(await AuditEntry.exists({ action: 'officer.deactivate', target: BUDI })).to.not.equal(null);

    // A citizen scanning the officer's old poster is told, on the complaint and on the survey form.
    const { ref } = (await Officer.findOne({ nip: BUDI }).lean())!;
    const poster = await request(app).get(`/u/PKM-PUTRIAYU?officer=${ref}`).expect(200);
    expect(poster.text).to.include('Petugas pada kode QR ini sudah tidak bertugas di unit ini.');
    const survey = await request(app)
      .get(`/survey/PKM-PUTRIAYU?officer=${ref}`)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(survey.text).to.include('The officer on this QR code no longer serves at this unit.');

    await jambi.patch(`/api/v1/officers/${BUDI}`).set('X-CSRF-Token', jambiCsrf).send({ active: true }).expect(200);
    const back = await request(app).get(`/u/PKM-PUTRIAYU?officer=${ref}`).expect(200);
    expect(back.text).not.to.include('Petugas pada kode QR ini');
    expect((await listPublicOfficers('PKM-PUTRIAYU')).map((officer) => officer.ref)).to.have.length(2);
  });

  it('answers 404 for an officer of another agency and changes nothing', async () => {
    const before = await Officer.findOne({ nip: SITI }).lean();
    const response = await ambon
      .patch(`/api/v1/officers/${SITI}`)
      .set('X-CSRF-Token', ambonCsrf)
      .send({ active: false })
      .expect(404);
    const unknown = await ambon
      .patch('/api/v1/officers/199912312020121001')
      .set('X-CSRF-Token', ambonCsrf)
      .send({ active: false })
      .expect(404);
    expect(response.body).to.deep.equal(unknown.body); // the same answer as for no officer at all
    await ambon.post(`/admin/officers/${SITI}/active`).type('form').send({ _csrf: ambonCsrf, active: '0' }).expect(404);
    // The head of Dinas Kesehatan reads Siti's record but may not change it.
    const { agent: head, csrf: headCsrf } = await signedIn(app, 'kepala.dinkes@suara.test');
    await head.patch(`/api/v1/officers/${SITI}`).set('X-CSRF-Token', headCsrf).send({ active: false }).expect(403);
    expect(await Officer.findOne({ nip: SITI }).lean()).to.deep.equal(before);
  });

  it('refuses a transfer into another agency’s unit, and bad input, with field errors in both languages', async () => {
    const outside = await jambi
      .patch(`/api/v1/officers/${SITI}`)
      .set('X-CSRF-Token', jambiCsrf)
      .send({ unitCode: 'AMB-DUKCAPIL' })
      .expect(400);
    expect(outside.body.error.fields.unitCode).to.equal(
      'Kode unit "AMB-DUKCAPIL" tidak dikenal atau di luar cakupan Anda.',
    );
    const english = await jambi
      .patch(`/api/v1/officers/${SITI}`)
      .set('X-CSRF-Token', jambiCsrf)
      .set('Accept-Language', 'en')
      .send({ name: 'X', active: 'perhaps' })
      .expect(400);
    expect(english.body.error.fields.name).to.equal('At least 2 characters.');
    expect(english.body.error.fields.active).to.equal('Must be yes or no.');

    const page = await jambi
      .post(`/admin/officers/${SITI}`)
      .type('form')
      .send({ _csrf: jambiCsrf, name: 'S', position: 'Perawat Ahli' })
      .expect(400);
    expect(page.text).to.include('Minimal 2 karakter.');
    expect(page.text).to.include('value="Perawat Ahli"'); // what was typed is kept
    expect((await Officer.findOne({ nip: SITI }).lean())!.unitCode).to.equal('PKM-PUTRIAYU');
  });
});
