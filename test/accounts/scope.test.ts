import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { can, scopeOf, type Actor } from '../../src/platform/access.js';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';

describe('Roles scoped to a unit subtree', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  describe('can(user, action, resource)', () => {
    const head: Actor = {
      id: 'u1',
      email: 'h@x',
      name: 'h',
      officerNip: null,
      grants: [{ role: 'unit_head', unitId: 'dinkes', unitCode: 'D' }],
    };
    it('allows on the granted unit and every unit below it, not above or beside', () => {
      expect(can(head, 'directory.read', { unitPath: ['jambi', 'dinkes'] })).to.equal(true);
      expect(can(head, 'directory.read', { unitPath: ['jambi', 'dinkes', 'pkm'] })).to.equal(true);
      expect(can(head, 'directory.read', { unitPath: ['jambi'] })).to.equal(false);
      expect(can(head, 'directory.read', { unitPath: ['jambi', 'dukcapil'] })).to.equal(false);
    });
    it('allows only the actions of the role', () => {
      expect(can(head, 'directory.manage', { unitPath: ['jambi', 'dinkes'] })).to.equal(false);
      expect(scopeOf(head, 'directory.read')).to.deep.equal(['dinkes']);
      expect(scopeOf(head, 'accounts.manage')).to.deep.equal([]);
      expect(can(undefined, 'directory.read', { unitPath: ['jambi'] })).to.equal(false);
    });
  });

  it("forbids a puskesmas head from the Dinas Kesehatan admin page, and from another agency's", async () => {
    const agent = request.agent(app);
    await signIn(agent, 'kepala.kebunhandil@suara.test');
    const own = await agent.get('/admin/units/PKM-KEBUNHANDIL').expect(200);
    expect(own.text).to.include('Siti Rahmawati');
    const parent = await agent.get('/admin/units/JAMBI-DINKES').expect(403);
    expect(parent.text).to.include('Anda tidak berhak melakukan ini.');
    await agent.get('/admin/units/PKM-PUTRIAYU').expect(403);
    await agent.get('/admin/units/AMB-DUKCAPIL').expect(403);
  });

  it('shows the Dinas Kesehatan head the whole subtree, and nothing of Ambon', async () => {
    const agent = request.agent(app);
    await signIn(agent, 'kepala.dinkes@suara.test');
    const list = await agent.get('/admin/units').expect(200);
    expect(list.text).to.include('Puskesmas Kebun Handil').and.to.include('Puskesmas Putri Ayu');
    expect(list.text).not.to.include('Disdukcapil Kota Ambon');
    await agent.get('/admin/units/PKM-PUTRIAYU').expect(200);
  });

  it('lets an agency admin manage only that agency', async () => {
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'admin.jambi@suara.test');
    await agent
      .patch('/api/v1/units/PKM-PUTRIAYU')
      .set('X-CSRF-Token', csrf)
      .send({ name: 'UPTD Puskesmas Putri Ayu' })
      .expect(200);
    const other = await agent
      .patch('/api/v1/units/AMB-DUKCAPIL')
      .set('X-CSRF-Token', csrf)
      .send({ name: 'Diambil alih' })
      .expect(403);
    expect(other.body.error.code).to.equal('forbidden');
    await agent
      .post('/api/v1/units')
      .set('X-CSRF-Token', csrf)
      .send({ code: 'NEW-AGENCY', name: 'Pemerintah Kota Baru', timeZone: 'Asia/Makassar' })
      .expect(403);
    const units = (await request(app).get('/api/v1/units').expect(200)).body as { code: string; name: string }[];
    expect(units.find((unit) => unit.code === 'AMB-DUKCAPIL')!.name).to.equal('Disdukcapil Kota Ambon');
  });

  it('looks officers up only within scope (GET /api/v1/officers)', async () => {
    const agent = request.agent(app);
    await signIn(agent, 'kepala.dinkes@suara.test');
    const all = (await agent.get('/api/v1/officers').expect(200)).body as { nip: string; unitCode: string }[];
    expect(all.map((officer) => officer.unitCode).sort()).to.deep.equal(['PKM-KEBUNHANDIL', 'PKM-PUTRIAYU']);
    expect(all[0]).to.have.all.keys('nip', 'name', 'position', 'unitCode');
    const one = (await agent.get('/api/v1/officers?unitCode=PKM-PUTRIAYU').expect(200)).body;
    expect(one).to.deep.equal([
      { nip: '199001012015031002', name: 'Budi Santoso', position: 'Bidan', unitCode: 'PKM-PUTRIAYU' },
    ]);
    await agent.get('/api/v1/officers?unitCode=AMB-DUKCAPIL').expect(403);
    await agent.get('/api/v1/officers?unitCode=NOPE').expect(404);
    await request(app).get('/api/v1/officers').expect(401);
  });

  it('sends a signed-out visitor of an admin page to sign in, and back afterwards', async () => {
    const response = await request(app).get('/admin/units/JAMBI').expect(303);
    expect(response.headers.location).to.equal('/login?next=%2Fadmin%2Funits%2FJAMBI');
  });

  it('lets an agency admin create accounts only inside the agency', async () => {
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'admin.jambi@suara.test');
    const page = await agent.get('/admin/accounts').expect(200);
    expect(page.text).to.include('kepala.dinkes@suara.test');
    const outside = await agent.post('/admin/accounts').type('form').send({
      _csrf: csrf,
      email: 'x@suara.test',
      name: 'Xaverius',
      password: 'panjang-sekali-1',
      role: 'admin',
      unitCode: 'AMBON',
    });
    expect(outside.status).to.equal(403);
    const everywhere = await agent.post('/admin/accounts').type('form').send({
      _csrf: csrf,
      email: 'x@suara.test',
      name: 'Xaverius',
      password: 'panjang-sekali-1',
      role: 'admin',
      unitCode: '',
    });
    expect(everywhere.status).to.equal(403);
    await agent
      .post('/admin/accounts')
      .type('form')
      .send({
        _csrf: csrf,
        email: 'pembina@suara.test',
        name: 'Pembina',
        password: 'panjang-sekali-1',
        role: 'coach',
        unitCode: 'JAMBI',
      })
      .expect(303);
    await signIn(request.agent(app), 'pembina@suara.test', 'panjang-sekali-1');
  });
});
