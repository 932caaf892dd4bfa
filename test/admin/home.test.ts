import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { createUser } from '../../src/modules/accounts/service.js';
import { Unit } from '../../src/modules/directory/model.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

describe('The admin home: every admin page, and what waits for the admin in their own agency', () => {
  useTestDatabase();
  let app: Express;
  const session = async (email: string) => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  const failedMail = (unitPath: unknown[]) => ({
    template: 'ticket.receipt',
    lang: 'id',
    toHash: 'x',
    unitPath,
    status: 'failed',
    attempts: 8,
    failedAt: new Date(),
  });

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
    const kebunHandil = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    await Outbox.insertMany([failedMail(kebunHandil.path), failedMail(kebunHandil.path), failedMail([])]);
    // A head's integration token that runs out in a week, and one good for months.
    const head = await session('kepala.kebunhandil@suara.test');
    for (const [name, expiresInDays] of [
      ['Papan antrean', 7],
      ['Laporan bulanan', 120],
    ] as const)
      await head.agent
        .post('/api/v1/auth/tokens')
        .set('X-CSRF-Token', head.csrf)
        .send({ name, expiresInDays })
        .expect(201);
  });
  beforeEach(() => resetRateLimits());

  it('greets the Jambi admin at /admin with links to every admin page and the counts of their agency', async () => {
    const { agent } = await session('admin.jambi@suara.test');
    const page = await agent.get('/admin').expect(200);
    for (const href of [
      '/admin/units',
      '/admin/officers',
      '/admin/holidays',
      '/admin/settings/JAMBI',
      '/admin/categories',
      '/admin/templates',
      '/admin/accounts',
      '/admin/tokens',
      '/admin/coaching-rules',
      '/admin/training-catalogue',
      '/coaching/agencies/JAMBI/settings',
      '/admin/audit',
    ])
      expect(page.text).to.include(`href="${href}"`);
    expect(page.text).to.match(/href="\/admin\/outbox\?status(=|&#x3D;)failed"/);
    expect(page.text).to.include('2 e-mail gagal dikirim');
    expect(page.text).to.include('1 token habis masa berlaku dalam 14 hari');

    const json = await agent.get('/api/v1/admin').expect(200);
    expect(json.body.counts).to.deep.equal({ failedMail: 2, tokensExpiring: 1 });
  });

  it('shows the Ambon admin none of Jambi’s counts, in English when asked', async () => {
    const { agent } = await session('admin.ambon@suara.test');
    const page = await agent.get('/admin').set('Accept-Language', 'en').expect(200);
    expect(page.text).to.include('Admin home');
    expect(page.text).to.include('Nothing needs a look.');
    expect(page.text).not.to.include('e-mails failed');
    expect((await agent.get('/api/v1/admin').expect(200)).body.counts).to.deep.equal({
      failedMail: 0,
      tokensExpiring: 0,
    });
  });

  it('counts everything, mail about no unit included, for the platform administrator', async () => {
    const { agent } = await session('root@suara.test');
    expect((await agent.get('/api/v1/admin').expect(200)).body.counts).to.deep.equal({
      failedMail: 3,
      tokensExpiring: 1,
    });
  });

  it('is where an admin lands after signing in, and is refused to staff who are not admins', async () => {
    const agent = request.agent(app);
    const login = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)![1];
    const signedIn = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, email: 'admin.jambi@suara.test', password: PASSWORD })
      .expect(303);
    expect(signedIn.headers.location).to.equal('/admin');
    await agent.get('/admin').expect(200);

    const head = await session('kepala.dinkes@suara.test');
    await head.agent.get('/admin').expect(403);
    await request(app).get('/admin').expect(303).expect('location', '/login?next=%2Fadmin');
  });
});
