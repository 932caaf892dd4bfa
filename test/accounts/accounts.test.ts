import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { subscribe } from '../../src/platform/events.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';

const SITI = '198503152010012001'; // Puskesmas Kebun Handil, Jambi
const BUDI = '199001012015031002'; // Puskesmas Putri Ayu, Jambi
const JOHANIS = '198807202012121001'; // Disdukcapil, Ambon

describe('Accounts are people: officer links, grants, disabling, import', () => {
  useTestDatabase();
  let app: Express;
  let jambi: request.Agent;
  let csrf: string;
  const idOf = async (email: string) => String((await User.findOne({ email }).lean())!._id);
  const patch = (id: string, body: object, lang = 'id') =>
    jambi.patch(`/api/v1/accounts/${id}?lang=${lang}`).set('X-CSRF-Token', csrf).send(body);

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'admin.ambon@suara.test',
      name: 'Admin Ambon',
      password: PASSWORD,
      role: 'admin',
      unitCode: 'AMBON',
    });
    jambi = request.agent(app);
    csrf = await signIn(jambi, 'admin.jambi@suara.test');
  });
  beforeEach(resetRateLimits);

  it('an admin of Jambi cannot link an account to an officer of Ambon, even by adding the field by hand', async () => {
    const petugas = await idOf('petugas@suara.test');
    const refused = await patch(petugas, { officerNip: JOHANIS }).expect(400);
    expect(refused.body.error.fields.officerNip).to.equal(
      'NIP ini tidak ditemukan di antara pegawai dalam cakupan Anda.',
    );
    const english = await patch(petugas, { officerNip: JOHANIS }, 'en').expect(400);
    expect(english.body.error.fields.officerNip).to.equal('This NIP is not among the officers in your scope.');
    // The same answer as for a NIP nobody has: whether Ambon has that officer stays Ambon's business.
    const unknown = await patch(petugas, { officerNip: '198001012005011009' }).expect(400);
    expect(unknown.body.error.fields.officerNip).to.equal(refused.body.error.fields.officerNip);
    const created = await jambi
      .post('/api/v1/accounts')
      .set('X-CSRF-Token', csrf)
      .send({
        email: 'baru@suara.test',
        name: 'Baru',
        password: PASSWORD,
        role: 'handler',
        unitCode: 'PKM-KEBUNHANDIL',
        officerNip: JOHANIS,
      })
      .expect(400);
    expect(created.body.error.fields).to.have.property('officerNip');
    expect(await User.exists({ email: 'baru@suara.test' })).to.equal(null);
    expect((await User.findOne({ email: 'petugas@suara.test' }).lean())!.officerNip).to.equal(null);
  });

  it('links an account to its officer once: a second account cannot take the same officer, not even at the same moment', async () => {
    const petugas = await idOf('petugas@suara.test');
    const linked = await patch(petugas, { officerNip: '1985 0315 2010 01 2 001' }).expect(200);
    expect(linked.body.officerNip).to.equal(SITI);
    expect(linked.body.officer).to.include({ name: 'Siti Rahmawati', unitCode: 'PKM-KEBUNHANDIL' });
    const twice = await patch(await idOf('kepala.kebunhandil@suara.test'), { officerNip: SITI }, 'en').expect(400);
    expect(twice.body.error.fields.officerNip).to.equal('This officer is already linked to another account.');

    const race = await Promise.all([
      patch(await idOf('kepala.dinkes@suara.test'), { officerNip: BUDI }),
      patch(await idOf('kepala.kebunhandil@suara.test'), { officerNip: BUDI }),
    ]);
    expect(race.map((response) => response.status).sort()).to.deep.equal([200, 400]);
    expect(await User.countDocuments({ officerNip: BUDI })).to.equal(1);
    // The database itself refuses a second link, whatever path a write takes.
    const second = await User.create({
      email: 'kembar@suara.test',
      name: 'Kembar',
      passwordHash: 'x',
      officerNip: BUDI,
    }).then(
      () => null,
      (error: { code?: number }) => error.code,
    );
    expect(second).to.equal(11000);

    const audit = await AuditEntry.findOne({ action: 'user.link', target: 'petugas@suara.test' }).lean();
    expect(audit!.details).to.deep.include({ before: { officerNip: null }, after: { officerNip: SITI } });
  });

  it('edits an account’s grants, each on a unit in the editor’s scope, and refuses one outside it without changing anything', async () => {
    const head = await idOf('kepala.kebunhandil@suara.test');
    const grants = [
      { role: 'unit_head', unitCode: 'PKM-KEBUNHANDIL' },
      { role: 'coach', unitCode: 'JAMBI-DINKES' },
    ];
    const edited = await patch(head, { name: 'dr. Kepala Kebun Handil', grants }).expect(200);
    expect(
      edited.body.grants.map((grant: { role: string; unitCode: string }) => [grant.role, grant.unitCode]),
    ).to.deep.equal([
      ['unit_head', 'PKM-KEBUNHANDIL'],
      ['coach', 'JAMBI-DINKES'],
    ]);
    const agent = request.agent(app);
    await signIn(agent, 'kepala.kebunhandil@suara.test');
    expect((await agent.get('/api/v1/auth/me').expect(200)).body.grants).to.have.length(2);

    await patch(head, { grants: [...grants, { role: 'admin', unitCode: 'AMB-DUKCAPIL' }] }).expect(403);
    await patch(head, { grants: [{ role: 'unit_head', unitCode: 'NOWHERE' }] }).expect(400);
    await patch(head, { grants: [] }).expect(400);
    expect((await User.findById(head).lean())!.grants).to.have.length(2);

    const removed = await patch(head, { grants: [grants[0]] }).expect(200);
    expect(removed.body.grants).to.have.length(1);
    const audit = await AuditEntry.find({ action: 'user.grants', target: 'kepala.kebunhandil@suara.test' })
      .sort({ at: 1 })
      .lean();
    expect(audit.map((entry) => (entry.details as { after: { grants: unknown[] } }).after.grants.length)).to.deep.equal(
      [2, 1],
    );
    // Ambon's admin manages none of this.
    const ambon = request.agent(app);
    const ambonCsrf = await signIn(ambon, 'admin.ambon@suara.test');
    await ambon.patch(`/api/v1/accounts/${head}`).set('X-CSRF-Token', ambonCsrf).send({ name: 'x' }).expect(403);
    await ambon.get(`/api/v1/accounts/${head}`).expect(403);
  });

  it('disabling an account ends its open session at once: the next request is refused, the page sends it to sign in', async () => {
    const desk = request.agent(app);
    await signIn(desk, 'petugas@suara.test');
    await desk.get('/api/v1/auth/me').expect(200); // the account is now kept by this process
    const ended: { userId: string | null; sessionId: string | null }[] = [];
    const stop = subscribe('user.sessions_ended', (event) => void ended.push(event));
    const id = await idOf('petugas@suara.test');
    try {
      const disabled = await patch(id, { disabled: true }).expect(200);
      expect(disabled.body.disabled).to.equal(true);
    } finally {
      stop();
    }
    await desk.get('/api/v1/auth/me').expect(401);
    const page = await desk.get('/inbox').expect(303);
    expect(page.headers.location).to.match(/^\/login/);
    expect(await mongoose.connection.db!.collection('sessions').countDocuments({ userId: id })).to.equal(0);
    expect(ended).to.deep.equal([{ userId: id, sessionId: null }]);
    const signInAgain = await request(app)
      .post('/api/v1/auth/login')
      .send({ email: 'petugas@suara.test', password: PASSWORD });
    expect(signInAgain.status).to.equal(403);

    await patch(id, { disabled: false }).expect(200);
    await signIn(request.agent(app), 'petugas@suara.test');
    const audit = await AuditEntry.find({
      target: 'petugas@suara.test',
      action: { $in: ['user.disable', 'user.enable'] },
    })
      .sort({ at: 1, _id: 1 })
      .lean();
    expect(audit.map((entry) => entry.action)).to.deep.equal(['user.disable', 'user.enable']);
    // Nobody disables themselves by mistake.
    const self = await patch(await idOf('admin.jambi@suara.test'), { disabled: true }).expect(400);
    expect(self.body.error.fields).to.have.property('disabled');
  });

  it('imports accounts from CSV with their officer links, rejecting out-of-scope lines, and mails each new person a link', async () => {
    const csv = [
      'email,name,role,unitCode,officerNip',
      `budi.akun@suara.test,Budi Santoso,handler,PKM-PUTRIAYU,`,
      `johanis@suara.test,Johanis,handler,PKM-KEBUNHANDIL,${JOHANIS}`,
      'luar@suara.test,Orang Luar,handler,AMB-DUKCAPIL,',
      'budi.akun@suara.test,Budi lagi,handler,PKM-PUTRIAYU,',
      'kepala.dinkes@suara.test,Kepala Dinkes,coach,JAMBI-DINKES,',
    ].join('\n');
    const report = await jambi.post('/api/v1/accounts/import').set('X-CSRF-Token', csrf).send({ csv }).expect(200);
    expect(report.body.created).to.equal(1);
    expect(report.body.updated).to.equal(1);
    expect(report.body.rejected.map((entry: { line: number }) => entry.line)).to.deep.equal([3, 4, 5]);
    expect(report.body.rejected[0].reason).to.equal('NIP ini tidak ditemukan di antara pegawai dalam cakupan Anda.');
    expect(await User.exists({ email: 'johanis@suara.test' })).to.equal(null);
    const dinkes = await User.findOne({ email: 'kepala.dinkes@suara.test' }).lean();
    expect(dinkes!.grants.map((grant) => grant.role)).to.deep.equal(['unit_head', 'coach']);
    expect(await Outbox.countDocuments({ template: 'account.password_reset' })).to.equal(1);

    const page = await jambi.get('/admin/accounts').expect(200);
    expect(page.text).to.include('budi.akun@suara.test').and.to.include('/admin/accounts/import');
  });
});
