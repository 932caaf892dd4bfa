import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { ApiToken, User } from '../../src/modules/accounts/model.js';
import { Unit } from '../../src/modules/directory/model.js';
import type { Actor } from '../../src/platform/access.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

describe('The admin tokens page: an agency’s API tokens, made, listed and revoked by its admin', () => {
  useTestDatabase();
  let app: Express;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const session = async (email: string) => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  let headToken: { id: string; token: string };
  let root: Actor;

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    root = admin;
    await createUser(admin, {
      email: 'admin.ambon@suara.test',
      name: 'Admin Ambon',
      password: PASSWORD,
      role: 'admin',
      unitCode: 'AMBON',
    });
    const { agent, csrf } = await session('kepala.kebunhandil@suara.test');
    const { body } = await agent
      .post('/api/v1/auth/tokens')
      .set('X-CSRF-Token', csrf)
      .send({ name: 'Papan antrean', expiresInDays: 30 })
      .expect(201);
    headToken = { id: body.id, token: body.token };
  });
  beforeEach(() => resetRateLimits());

  it('creates a token with the admin’s grant and an expiry, shows it once, then lists it without the secret', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const created = await agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: csrf, name: 'Integrasi SIMPUS', grant: 'admin|JAMBI', expiresInDays: '30' })
      .expect(201);
    const secret = /suara_[\w-]+/.exec(created.text)?.[0];
    expect(secret, 'the secret on the page').to.be.a('string');
    expect(created.text).to.include('tidak akan ditampilkan lagi');

    const page = await agent.get('/admin/tokens').expect(200);
    expect(page.text).to.include('Integrasi SIMPUS');
    expect(page.text).to.include(secret!.slice(0, 12));
    expect(page.text).not.to.include(secret!);
    const stored = (await ApiToken.findOne({ name: 'Integrasi SIMPUS' }).lean())!;
    expect(stored.grant).to.include({ role: 'admin', unitCode: 'JAMBI' });
    const days = (stored.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).to.be.within(29.9, 30.1);

    await request(app).get('/api/v1/accounts').set(bearer(secret!)).expect(200);
  });

  it('keeps the form and says what is wrong when a name is missing', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const page = await agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: csrf, name: '', grant: 'admin|JAMBI', expiresInDays: '400' })
      .expect(400);
    expect(page.text).to.include('field-error');
    expect(page.text).to.include('value="400"');
    expect(await ApiToken.countDocuments({ 'grant.role': 'admin' })).to.equal(1);
  });

  it('lists the tokens of the agency’s staff, with whose they are, and none to the admin of another agency', async () => {
    const jambi = await session('admin.jambi@suara.test');
    const list = await jambi.agent.get('/api/v1/admin/tokens').expect(200);
    const head = list.body.find((token: { id: string }) => token.id === headToken.id);
    expect(head).to.deep.include({ name: 'Papan antrean', role: 'unit_head', unitCode: 'PKM-KEBUNHANDIL' });
    expect(head.owner.email).to.equal('kepala.kebunhandil@suara.test');
    expect(JSON.stringify(list.body)).not.to.match(/tokenHash|suara_[\w-]{20,}/);

    const ambon = await session('admin.ambon@suara.test');
    expect((await ambon.agent.get('/api/v1/admin/tokens').expect(200)).body).to.deep.equal([]);
    expect((await ambon.agent.get('/admin/tokens').expect(200)).text).not.to.include('Papan antrean');
    await ambon.agent.post(`/admin/tokens/${headToken.id}/revoke`).type('form').send({ _csrf: ambon.csrf }).expect(403);
    await request(app).get('/api/v1/auth/me').set(bearer(headToken.token)).expect(200);
  });

  it('revokes a head’s token from the page: refused at once, audited', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    await agent.post(`/admin/tokens/${headToken.id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
    await request(app).get('/api/v1/auth/me').set(bearer(headToken.token)).expect(401);
    const page = await agent.get('/admin/tokens').expect(200);
    expect(page.text).to.include('Token dicabut');
    expect(page.text).to.include('Dicabut');
    expect(await AuditEntry.countDocuments({ action: 'token.revoke' })).to.equal(1);
  });

  it('mints a narrower token: one unit below the admin’s agency, or fewer of their roles', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const form = await agent.get('/admin/tokens').expect(200);
    expect(form.text).to.include('Peran yang dibawa token');
    expect(form.text).to.include('<option value="PKM-KEBUNHANDIL"');
    expect(form.text).not.to.include('<option value="AMB-DUKCAPIL"');

    const created = await agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: csrf, name: 'Papan Kebun Handil', roles: 'admin', unitCode: 'PKM-KEBUNHANDIL' })
      .expect(201);
    const secret = /suara_[\w-]+/.exec(created.text)![0];
    const stored = (await ApiToken.findOne({ name: 'Papan Kebun Handil' }).lean())!;
    expect(stored.grants!.map(({ role, unitCode }) => ({ role, unitCode }))).to.deep.equal([
      { role: 'admin', unitCode: 'PKM-KEBUNHANDIL' },
    ]);
    const me = (await request(app).get('/api/v1/auth/me').set(bearer(secret)).expect(200)).body;
    expect(me.grants).to.deep.equal([
      { role: 'admin', unitId: String(stored.grants![0]!.unitId), unitCode: 'PKM-KEBUNHANDIL' },
    ]);
    // The token reads its own unit's officers, and no longer the rest of the agency the admin keeps.
    const own = await request(app).get('/api/v1/officers?unitCode=PKM-KEBUNHANDIL').set(bearer(secret)).expect(200);
    expect(JSON.stringify(own.body)).to.include('Siti Rahmawati');
    const sibling = await request(app).get('/api/v1/officers?unitCode=PKM-PUTRIAYU').set(bearer(secret));
    expect(JSON.stringify(sibling.body)).not.to.include('Budi Santoso');
    expect((await agent.get('/admin/tokens').expect(200)).text).to.include('PKM-KEBUNHANDIL');

    // Fewer roles: an account that is both admin and viewer of Jambi gives a dashboard only the viewer's.
    await createUser(root, {
      email: 'admin.pemantau@suara.test',
      name: 'Admin dan Pemantau',
      password: PASSWORD,
      role: 'admin',
      unitCode: 'JAMBI',
    });
    await User.updateOne(
      { email: 'admin.pemantau@suara.test' },
      {
        $push: {
          grants: { role: 'viewer', unitId: (await Unit.findOne({ code: 'JAMBI' }).lean())!._id, unitCode: 'JAMBI' },
        },
      },
    );
    const both = await session('admin.pemantau@suara.test');
    const viewerOnly = await both.agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: both.csrf, name: 'Dasbor publik', roles: 'viewer' })
      .expect(201);
    const dashboard = /suara_[\w-]+/.exec(viewerOnly.text)![0];
    const seen = (await request(app).get('/api/v1/auth/me').set(bearer(dashboard)).expect(200)).body;
    expect(seen.grants.map((grant: { role: string }) => grant.role)).to.deep.equal(['viewer']);
    await request(app).get('/api/v1/accounts').set(bearer(dashboard)).expect(403);
  });

  it('refuses a wider token, a role not held or a unit outside the admin’s scope, in the user’s language, making none', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const before = await ApiToken.countDocuments();
    const outside = await agent
      .post('/admin/tokens')
      .type('form')
      .set('Accept-Language', 'en')
      .send({ _csrf: csrf, name: 'Ke Ambon', roles: 'admin', unitCode: 'AMB-DUKCAPIL' })
      .expect(400);
    expect(outside.text).to.include('A token may only apply to a unit within your own role’s scope or below it.');
    expect(outside.text).to.include('value="Ke Ambon"');
    const role = await agent
      .post('/api/v1/auth/tokens')
      .set('X-CSRF-Token', csrf)
      .send({ name: 'Kepala palsu', roles: ['admin', 'unit_head'] })
      .expect(400);
    expect(role.body.error.fields.role).to.equal('Token hanya boleh membawa peran yang Anda pegang sendiri.');
    const everywhere = await agent
      .post('/api/v1/auth/tokens')
      .set('X-CSRF-Token', csrf)
      .send({ name: 'Nasional', role: 'admin', unitCode: 'NO-SUCH-UNIT' })
      .expect(400);
    expect(everywhere.body.error.fields).to.have.key('unitCode');
    await agent
      .post('/api/v1/auth/tokens')
      .set('X-CSRF-Token', csrf)
      .send({ name: 'Aneh', roles: { $ne: null } })
      .expect(400);
    expect(await ApiToken.countDocuments()).to.equal(before);
  });

  it('is for admins only', async () => {
    const { agent, csrf } = await session('kepala.kebunhandil@suara.test');
    await agent.get('/admin/tokens').expect(403);
    await agent
      .post('/admin/tokens')
      .type('form')
      .send({ _csrf: csrf, name: 'Lewat pintu admin', grant: 'unit_head|PKM-KEBUNHANDIL' })
      .expect(403);
  });
});
