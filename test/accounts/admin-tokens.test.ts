import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { ApiToken } from '../../src/modules/accounts/model.js';
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
