import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { ApiToken, LoginFailure } from '../../src/modules/accounts/model.js';
import { lockoutSeconds, LOCKOUT_AFTER } from '../../src/modules/accounts/service.js';
import { sessionClock } from '../../src/platform/session.js';
import { Unit } from '../../src/modules/directory/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';

describe('Staff sign-in, sessions and CSRF', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  it('signs in through the API: a session cookie, a CSRF token and who I am', async () => {
    const agent = request.agent(app);
    const response = await agent
      .post('/api/v1/auth/login')
      .send({ email: 'Kepala.Dinkes@suara.test', password: PASSWORD })
      .expect(200);
    expect(String(response.headers['set-cookie'])).to.match(/suara\.sid=.*HttpOnly/i);
    expect(response.body.csrfToken).to.be.a('string').with.length.greaterThan(20);
    const me = await agent.get('/api/v1/auth/me').expect(200);
    expect(me.body).to.include({ email: 'kepala.dinkes@suara.test' });
    expect(me.body.grants).to.deep.equal([
      { role: 'unit_head', unitId: me.body.grants[0].unitId, unitCode: 'JAMBI-DINKES' },
    ]);
  });

  it('keeps a session alive for 8 hours after its last use, moving the stored expiry at most once a minute', async () => {
    const agent = request.agent(app);
    await agent.post('/api/v1/auth/login').send({ email: 'petugas@suara.test', password: PASSWORD }).expect(200);
    const sessions = () => mongoose.connection.db!.collection<{ expiresAt: Date }>('sessions');
    const stored = async () => (await sessions().find().sort({ expiresAt: -1 }).limit(1).next())!.expiresAt.getTime();
    const atSignIn = await stored();
    expect(atSignIn - Date.now()).to.be.within(8 * 3600_000 - 60_000, 8 * 3600_000 + 1000);
    // Backdate it as if the session had last been used seven hours ago, by this process a minute and more ago.
    await sessions().updateMany({}, { $set: { expiresAt: new Date(Date.now() + 3600_000) } });
    await agent.get('/api/v1/auth/me').expect(200); // touched within the minute of the sign-in: not written again
    expect(await stored()).to.be.below(Date.now() + 3600_000 + 1000);
    sessionClock.now = () => Date.now() + 61_000; // a minute later for the store's throttle
    try {
      await agent.get('/api/v1/auth/me').expect(200);
    } finally {
      sessionClock.now = () => Date.now();
    }
    expect(await stored()).to.be.above(Date.now() + 8 * 3600_000 - 1000);
  });

  it('refuses a wrong password with the same message as an unknown e-mail', async () => {
    const wrong = await request(app)
      .post('/api/v1/auth/login')
      .send({ email: 'petugas@suara.test', password: 'salah' })
      .expect(401);
    const unknown = await request(app)
      .post('/api/v1/auth/login')
      .send({ email: 'siapa@suara.test', password: 'salah' })
      .expect(401);
    expect(wrong.body.error).to.deep.equal({ code: 'unauthenticated', message: 'E-mail atau kata sandi salah.' });
    expect(unknown.body.error).to.deep.equal(wrong.body.error);
    await LoginFailure.deleteMany({});
  });

  it('locks an account after repeated failures, even against the right password, with a growing delay', async () => {
    const email = 'kepala.kebunhandil@suara.test';
    for (let i = 0; i < LOCKOUT_AFTER; i++)
      await request(app).post('/api/v1/auth/login').send({ email, password: 'tebak-tebakan' }).expect(401);
    const locked = await request(app)
      .post('/api/v1/auth/login?lang=en')
      .send({ email, password: PASSWORD })
      .expect(429);
    expect(locked.body.error.code).to.equal('locked');
    expect(locked.body.error.message).to.match(/locked for now; try again in \d+ seconds/);
    expect(lockoutSeconds(LOCKOUT_AFTER - 1)).to.equal(0);
    expect(lockoutSeconds(LOCKOUT_AFTER + 1)).to.equal(2 * lockoutSeconds(LOCKOUT_AFTER));
    expect(lockoutSeconds(100)).to.equal(3600);
    // Once the lock has passed, the right password works and the count from this address starts again.
    await LoginFailure.updateMany(
      { lockedUntil: { $ne: null } },
      { $set: { lockedUntil: new Date(Date.now() - 1000) } },
    );
    await request(app).post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
    expect(await LoginFailure.countDocuments({ _id: /^addr:/ })).to.equal(0);
    await LoginFailure.deleteMany({});
  });

  it('refuses a cookie-authenticated change without the CSRF token, and changes nothing', async () => {
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'admin.jambi@suara.test');
    const unit = { code: 'JAMBI-BKD', name: 'Badan Kepegawaian Daerah', kind: 'badan', parentCode: 'JAMBI' };
    const refused = await agent.post('/api/v1/units').send(unit).expect(403);
    expect(refused.body.error.code).to.equal('csrf');
    await agent.post('/api/v1/units').set('X-CSRF-Token', 'x'.repeat(32)).send(unit).expect(403);
    expect(await Unit.exists({ code: 'JAMBI-BKD' })).to.equal(null);
    await agent.post('/api/v1/units').set('X-CSRF-Token', csrf).send(unit).expect(201);
    expect(await Unit.exists({ code: 'JAMBI-BKD' })).not.to.equal(null);
  });

  it('refuses an HTML form post without its token (sign-in form included)', async () => {
    const response = await request(app)
      .post('/login')
      .type('form')
      .send({ email: 'admin.jambi@suara.test', password: PASSWORD })
      .expect(403);
    expect(response.text).to.include('Formulir kedaluwarsa');
  });

  it('signs in through the page: the form carries its token and the session moves to a new id', async () => {
    const agent = request.agent(app);
    const page = await agent.get('/login?next=/admin/units').expect(200);
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    const before = page.headers['set-cookie']![0]!.split(';')[0];
    const response = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: 'admin.jambi@suara.test', password: PASSWORD, next: '/admin/units' })
      .expect(303);
    expect(response.headers.location).to.equal('/admin/units');
    expect(response.headers['set-cookie']![0]!.split(';')[0]).not.to.equal(before);
    expect((await agent.get('/admin/units').expect(200)).text).to.include('Puskesmas Kebun Handil');
  });

  it('keeps what was typed and says why when the page sign-in fails', async () => {
    const agent = request.agent(app);
    const page = await agent.get('/login').expect(200);
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    const response = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: 'petugas@suara.test', password: 'salah' })
      .expect(401);
    expect(response.text).to.include('E-mail atau kata sandi salah.');
    expect(response.text).to.include('value="petugas@suara.test"');
    await LoginFailure.deleteMany({});
  });

  it('never redirects off-site after sign-in', async () => {
    const agent = request.agent(app);
    const page = await agent.get('/login').expect(200);
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    const response = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: 'admin.jambi@suara.test', password: PASSWORD, next: '//evil.example/x' })
      .expect(303);
    expect(response.headers.location).to.equal('/admin');
  });

  it('signs out: the session no longer works', async () => {
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'admin.jambi@suara.test');
    await agent.post('/api/v1/auth/logout').set('X-CSRF-Token', csrf).expect(204);
    await agent.get('/api/v1/auth/me').expect(401);
  });

  it('lets an integration use a hashed API token instead of a session, without CSRF', async () => {
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'admin.jambi@suara.test');
    const created = await agent
      .post('/api/v1/auth/tokens')
      .set('X-CSRF-Token', csrf)
      .send({ name: 'SIMPEG sync' })
      .expect(201);
    const token = created.body.token as string;
    expect(token).to.match(/^suara_/);
    const officers = await request(app).get('/api/v1/officers').set('Authorization', `Bearer ${token}`).expect(200);
    expect(officers.body.map((officer: { nip: string }) => officer.nip)).to.include('198503152010012001');
    await request(app)
      .get('/api/v1/officers')
      .set('Authorization', `Bearer ${token.slice(0, -2)}xx`)
      .expect(401);

    // Its use is noted (at most once a minute: a second call writes nothing), and a revoked token is refused at once.
    const stored = () => ApiToken.findOne({ prefix: created.body.prefix }).lean();
    let used = (await stored())!.lastUsedAt; // written beside the answer, not before it
    for (let tries = 0; !used && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      used = (await stored())!.lastUsedAt;
    }
    expect(used).to.be.instanceOf(Date);
    await request(app).get('/api/v1/officers').set('Authorization', `Bearer ${token}`).expect(200);
    expect((await stored())!.lastUsedAt!.getTime()).to.equal(used!.getTime());
    await ApiToken.updateOne({ prefix: created.body.prefix }, { $set: { revokedAt: new Date() } });
    await request(app).get('/api/v1/officers').set('Authorization', `Bearer ${token}`).expect(401);
  });
});
