import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { ApiToken } from '../../src/modules/accounts/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { createUser, updateUser } from '../../src/modules/accounts/service.js';
import { clock } from '../../src/platform/clock.js';
import { useTestClock } from '../helpers/clock.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';

const SITI = '198503152010012001'; // Puskesmas Kebun Handil
const BUDI = '199001012015031002'; // Puskesmas Putri Ayu

describe('API tokens carry one grant of their creator and an expiry', () => {
  useTestDatabase();
  const time = useTestClock();
  let app: Express;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const session = async (email: string) => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  const mint = async (email: string, body: object, status: number) => {
    const { agent, csrf } = await session(email);
    return agent.post('/api/v1/auth/tokens').set('X-CSRF-Token', csrf).send(body).expect(status);
  };

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'siti@suara.test',
      name: 'Siti',
      password: PASSWORD,
      role: 'officer',
      unitCode: 'PKM-KEBUNHANDIL',
      officerNip: SITI,
    });
    await createUser(admin, {
      email: 'admin.ambon@suara.test',
      name: 'Admin Ambon',
      password: PASSWORD,
      role: 'admin',
      unitCode: 'AMBON',
    });
    // A Jambi inspector who also heads Kebun Handil: two grants to choose from.
    const multi = await createUser(admin, {
      email: 'ganda@suara.test',
      name: 'Ganda',
      password: PASSWORD,
      role: 'viewer',
      unitCode: 'JAMBI',
    });
    await updateUser(admin, multi.id, {
      grants: [
        { role: 'viewer', unitCode: 'JAMBI' },
        { role: 'unit_head', unitCode: 'PKM-KEBUNHANDIL' },
      ],
    });
  });
  beforeEach(resetRateLimits);

  it('acts with the one grant it carries, never with the rest of its creator’s grants', async () => {
    const ambiguous = await mint('ganda@suara.test', { name: 'Dasbor' }, 400);
    expect(ambiguous.body.error.fields).to.have.property('role');
    await mint('ganda@suara.test', { name: 'Dasbor', role: 'admin', unitCode: 'JAMBI' }, 400);
    const created = await mint(
      'ganda@suara.test',
      { name: 'Dasbor', role: 'unit_head', unitCode: 'PKM-KEBUNHANDIL' },
      201,
    );
    expect(created.body).to.include({ role: 'unit_head', unitCode: 'PKM-KEBUNHANDIL', expired: false });
    const days = (new Date(created.body.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).to.be.within(89.9, 90.1);
    const me = await request(app).get('/api/v1/auth/me').set(bearer(created.body.token)).expect(200);
    expect(me.body.grants.map((grant: { role: string }) => grant.role)).to.deep.equal(['unit_head']);
    const officers = await request(app).get('/api/v1/officers').set(bearer(created.body.token)).expect(200);
    const nips = officers.body.map((officer: { nip: string }) => officer.nip);
    expect(nips).to.include(SITI).and.not.to.include(BUDI);
    // A token cannot mint another.
    await request(app).post('/api/v1/auth/tokens').set(bearer(created.body.token)).send({ name: 'Anak' }).expect(403);
    // When its creator loses the grant, the token loses it too.
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const id = me.body.id as string;
    await agent
      .patch(`/api/v1/accounts/${id}`)
      .set('X-CSRF-Token', csrf)
      .send({ grants: [{ role: 'viewer', unitCode: 'JAMBI' }] })
      .expect(200);
    await request(app).get('/api/v1/auth/me').set(bearer(created.body.token)).expect(401);
  });

  it('expires after at most a year, and an expired token answers 401 the moment it expires', async () => {
    await mint('admin.jambi@suara.test', { name: 'Terlalu lama', expiresInDays: 400 }, 400);
    const created = await mint('admin.jambi@suara.test', { name: 'SIMPEG', expiresInDays: 365 }, 201);
    // Expiring in a second and a half, written behind this process's back so that nothing it keeps is dropped.
    await ApiToken.collection.updateOne(
      { prefix: created.body.prefix },
      { $set: { expiresAt: new Date(clock.now() + 1500) } },
    );
    await request(app).get('/api/v1/officers').set(bearer(created.body.token)).expect(200);
    time.advance(1499);
    await request(app).get('/api/v1/officers').set(bearer(created.body.token)).expect(200);
    time.advance(1);
    const refused = await request(app).get('/api/v1/officers').set(bearer(created.body.token)).expect(401);
    expect(refused.body.error.code).to.equal('unauthenticated');
  });

  it('is listed without its secret and revoked by its owner or an admin in scope, at once', async () => {
    const owner = await session('kepala.dinkes@suara.test');
    const created = await owner.agent
      .post('/api/v1/auth/tokens')
      .set('X-CSRF-Token', owner.csrf)
      .send({ name: 'Laporan' })
      .expect(201);
    const listed = await owner.agent.get('/api/v1/auth/tokens').expect(200);
    expect(listed.body).to.have.length(1);
    expect(JSON.stringify(listed.body)).not.to.include(created.body.token.slice(12));
    expect(listed.body[0]).to.not.have.property('tokenHash');
    await request(app).get('/api/v1/officers').set(bearer(created.body.token)).expect(200);

    const ambon = await session('admin.ambon@suara.test');
    await ambon.agent.delete(`/api/v1/auth/tokens/${created.body.id}`).set('X-CSRF-Token', ambon.csrf).expect(403);
    await request(app).get('/api/v1/officers').set(bearer(created.body.token)).expect(200);
    const jambi = await session('admin.jambi@suara.test');
    const ownerId = (await owner.agent.get('/api/v1/auth/me')).body.id as string;
    const seen = await jambi.agent.get(`/api/v1/auth/tokens?userId=${ownerId}`).expect(200);
    expect(seen.body.map((token: { name: string }) => token.name)).to.deep.equal(['Laporan']);
    const revoked = await jambi.agent
      .delete(`/api/v1/auth/tokens/${created.body.id}`)
      .set('X-CSRF-Token', jambi.csrf)
      .expect(200);
    expect(revoked.body.revokedAt).to.be.a('string');
    await request(app).get('/api/v1/officers').set(bearer(created.body.token)).expect(401);
    const audit = await AuditEntry.find({
      action: { $in: ['token.create', 'token.revoke'] },
      target: created.body.prefix,
    })
      .sort({ at: 1, _id: 1 })
      .lean();
    expect(audit.map((entry) => entry.action)).to.deep.equal(['token.create', 'token.revoke']);

    // The owner's own revocation, from the page.
    const another = await owner.agent
      .post('/api/v1/auth/tokens')
      .set('X-CSRF-Token', owner.csrf)
      .send({ name: 'Cadangan' })
      .expect(201);
    const page = await owner.agent.get('/account/tokens').expect(200);
    expect(page.text).to.include('Cadangan').and.to.include(`/account/tokens/${another.body.id}/revoke`);
    await owner.agent
      .post(`/account/tokens/${another.body.id}/revoke`)
      .type('form')
      .send({ _csrf: owner.csrf })
      .expect(303);
    await request(app).get('/api/v1/officers').set(bearer(another.body.token)).expect(401);
  });

  it('an officer cannot mint one, neither through the API nor the page', async () => {
    const refused = await mint('siti@suara.test', { name: 'Punyaku' }, 403);
    expect(refused.body.error.message).to.equal('Peran pegawai (ASN) tidak dapat membuat token API.');
    const { agent } = await session('siti@suara.test');
    const page = await agent.get('/account/tokens').expect(200);
    expect(page.text).not.to.include('action="/account/tokens"');
    expect(await ApiToken.countDocuments({ name: 'Punyaku' })).to.equal(0);
  });
});
