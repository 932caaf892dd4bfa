import { expect } from 'chai';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { LoginFailure, PasswordReset, User } from '../../src/modules/accounts/model.js';
import { LOCKOUT_AFTER } from '../../src/modules/accounts/service.js';
import { configureMailTransport, processOutboxOnce } from '../../src/modules/notifications/worker.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { TestMailServer } from '../helpers/mail-server.js';

describe('Signing in: lockout per address, alike answers, password reset by e-mail', () => {
  useTestDatabase();
  let app: Express;
  let mail: TestMailServer;
  before(async () => {
    mail = await TestMailServer.start();
    app = await testApp({ TRUST_PROXY: '1', SMTP_URL: mail.url, PUBLIC_URL: 'http://suara.jambiprov.go.id' });
    configureMailTransport({ smtpUrl: mail.url, mailFrom: 'Suara <no-reply@suara.test>', dataDir: '/nonexistent' });
    await seedDirectory();
  });
  after(() => mail.close());
  beforeEach(async () => {
    await resetRateLimits();
    await LoginFailure.deleteMany({});
  });

  const login = (from: string, email: string, password: string) =>
    request(app).post('/api/v1/auth/login').set('X-Forwarded-For', from).send({ email, password });

  it('locks the account for the guessing address only: its owner still signs in from another address', async function () {
    this.timeout(60_000);
    const email = 'kepala.kebunhandil@suara.test';
    for (let i = 0; i < LOCKOUT_AFTER; i++) await login('203.0.113.5', email, 'tebak-tebakan').expect(401);
    const locked = await login('203.0.113.5', email, PASSWORD).expect(429);
    expect(locked.body.error.code).to.equal('locked');
    // The owner at the office: a short wait that grows with the failures, then in.
    const started = Date.now();
    await login('198.51.100.7', email, PASSWORD).expect(200);
    expect(Date.now() - started).to.be.at.least(500);
    // The guessing address stays locked, whatever the owner did elsewhere.
    await login('203.0.113.5', email, PASSWORD).expect(429);
  });

  it('answers an unknown e-mail exactly like a known one with a wrong password, with the same work and about the same time', async function () {
    this.timeout(60_000);
    const timed = async (email: string) => {
      const started = process.hrtime.bigint();
      const response = await login('192.0.2.10', email, 'salah-sandi');
      return { response, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    await timed('petugas@suara.test'); // warm the decoy hash and the connections
    await LoginFailure.deleteMany({});
    const known: number[] = [];
    const unknown: number[] = [];
    let answers: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await timed('petugas@suara.test');
      const b = await timed('tidak.ada@suara.test');
      known.push(a.ms);
      unknown.push(b.ms);
      answers = [
        [a.response.status, a.response.body],
        [b.response.status, b.response.body],
      ];
      expect(answers[0]).to.deep.equal(answers[1]);
    }
    expect(answers[0]).to.deep.equal([
      401,
      { error: { code: 'unauthenticated', message: 'E-mail atau kata sandi salah.' } },
    ]);
    // The same writes: a counter per address and one per e-mail, and an audit entry, for both.
    expect(await LoginFailure.countDocuments()).to.equal(4);
    expect(await AuditEntry.countDocuments({ action: 'auth.failed', target: 'tidak.ada@suara.test' })).to.equal(3);
    const median = (values: number[]) => values.sort((x, y) => x - y)[1]!;
    const [fast, slow] = [median(known), median(unknown)].sort((x, y) => x - y);
    expect(slow / fast, `known ${median(known)} ms, unknown ${median(unknown)} ms`).to.be.below(3);
  });

  const resetLinkIn = (to: string) => {
    const message = [...mail.received].reverse().find((received) => received.envelopeTo.includes(to));
    expect(message, `a mail to ${to}`).to.not.equal(undefined);
    return message!.text.match(/http:\/\/suara\.jambiprov\.go\.id\/password-reset\?token=[\w-]+/)![0];
  };
  const pathOf = (link: string) => new URL(link).pathname + new URL(link).search;

  it('"forgot password" answers the same for known and unknown addresses and mails a single-use link that ends other sessions', async () => {
    const known = await request(app)
      .post('/api/v1/auth/forgot-password')
      .send({ email: 'petugas@suara.test' })
      .expect(202);
    const unknown = await request(app)
      .post('/api/v1/auth/forgot-password')
      .send({ email: 'siapa@suara.test' })
      .expect(202);
    expect(unknown.body).to.deep.equal(known.body);
    const before = mail.received.length;
    await processOutboxOnce();
    expect(mail.received.length).to.equal(before + 1);
    const link = resetLinkIn('petugas@suara.test');
    expect(mail.received.at(-1)!.subject).to.equal('Atur ulang kata sandi Suara');
    expect(await PasswordReset.countDocuments({ tokenHash: new URL(link).searchParams.get('token') })).to.equal(0);

    const elsewhere = request.agent(app);
    await signIn(elsewhere, 'petugas@suara.test');
    const form = await request(app).get(pathOf(link)).expect(200);
    expect(form.text).to.include('Buat kata sandi baru');
    const token = new URL(link).searchParams.get('token')!;
    const tooShort = await request(app)
      .post('/api/v1/auth/password-reset')
      .send({ token, password: 'pendek' })
      .expect(400);
    expect(tooShort.body.error.fields).to.have.property('password');
    await request(app)
      .post('/api/v1/auth/password-reset')
      .send({ token, password: 'sandi-baru-yang-panjang' })
      .expect(204);
    await elsewhere.get('/api/v1/auth/me').expect(401);
    await login('192.0.2.20', 'petugas@suara.test', PASSWORD).expect(401);
    await login('192.0.2.20', 'petugas@suara.test', 'sandi-baru-yang-panjang').expect(200);

    const again = await request(app)
      .post('/api/v1/auth/password-reset?lang=en')
      .send({ token, password: 'sandi-lain-yang-panjang' })
      .expect(400);
    expect(again.body.error.fields.token).to.equal(
      'This link no longer works: it was used or has expired. Ask for a new one.',
    );
    expect((await request(app).get(pathOf(link)).expect(400)).text).to.include('Tautan ini tidak berlaku lagi');
    const actions = (
      await AuditEntry.find({ target: 'petugas@suara.test', action: /^user\.reset/ })
        .sort({ at: 1, _id: 1 })
        .lean()
    ).map((e) => e.action);
    expect(actions).to.deep.equal(['user.reset_requested', 'user.reset_used']);
    await User.updateOne(
      { email: 'petugas@suara.test' },
      { $set: { passwordHash: (await User.findOne({ email: 'root@suara.test' }).lean())!.passwordHash } },
    );
  });

  it('an admin sends a reset link from the account page; an expired link sets nothing', async () => {
    const admin = request.agent(app);
    const csrf = await signIn(admin, 'admin.jambi@suara.test');
    const head = await User.findOne({ email: 'kepala.dinkes@suara.test' }).lean();
    const page = await admin.get(`/admin/accounts/${head!._id}`).expect(200);
    expect(page.text).to.include(`/admin/accounts/${head!._id}/reset`);
    await admin.post(`/admin/accounts/${head!._id}/reset`).type('form').send({ _csrf: csrf }).expect(303);
    await processOutboxOnce();
    const token = new URL(resetLinkIn('kepala.dinkes@suara.test')).searchParams.get('token')!;
    await PasswordReset.updateMany({ userId: head!._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await request(app)
      .post('/api/v1/auth/password-reset')
      .send({ token, password: 'sandi-baru-yang-panjang' })
      .expect(400);
    await login('192.0.2.30', 'kepala.dinkes@suara.test', PASSWORD).expect(200);
    // A person out of the admin's scope gets no link from them.
    const ambonHead = await User.create({
      email: 'kepala.ambon@suara.test',
      name: 'Kepala Ambon',
      passwordHash: head!.passwordHash,
      grants: [
        {
          role: 'unit_head',
          unitId: (await User.db.collection('units').findOne({ code: 'AMB-DUKCAPIL' }))!._id,
          unitCode: 'AMB-DUKCAPIL',
        },
      ],
    });
    await admin.post(`/api/v1/accounts/${ambonHead._id}/password-reset`).set('X-CSRF-Token', csrf).expect(403);
  });

  it('shows "Lupa kata sandi?" on the sign-in page, and the forgot page works without JavaScript', async () => {
    const agent = request.agent(app);
    const loginPage = await agent.get('/login').expect(200);
    expect(loginPage.text).to.include('href="/forgot-password"').and.to.include('Lupa kata sandi?');
    const english = await agent.get('/login?lang=en').expect(200);
    expect(english.text).to.include('Forgot password?');
    const page = await agent.get('/forgot-password?lang=id').expect(200);
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    const known = await agent
      .post('/forgot-password')
      .type('form')
      .send({ _csrf: token, email: 'petugas@suara.test' })
      .expect(200);
    const unknown = await agent
      .post('/forgot-password')
      .type('form')
      .send({ _csrf: token, email: 'siapa@suara.test' })
      .expect(200);
    const notice = (html: string) => html.match(/<p class="notice" role="status">([^<]*)<\/p>/)![1];
    expect(notice(known.text)).to.equal(notice(unknown.text));
  });

  it('follows the sign-in form’s redirect signed in, even when the browser asks the moment the headers arrive', async function () {
    this.timeout(60_000);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    /** A request whose promise resolves on the response's headers, as a browser follows a redirect. */
    const send = (path: string, options: { cookie?: string; form?: string } = {}) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const headers: Record<string, string> = options.cookie ? { Cookie: options.cookie } : {};
        if (options.form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
        const sent = httpRequest(`${base}${path}`, { method: options.form ? 'POST' : 'GET', headers }, resolve);
        sent.on('error', reject);
        sent.end(options.form);
      });
    const cookieOf = (response: IncomingMessage) => String(response.headers['set-cookie']).split(';')[0]!;
    try {
      // Several times: a session saved after the headers went out lost this race about every other time.
      for (let attempt = 0; attempt < 5; attempt++) {
        const page = await send('/login?next=%2Finbox');
        let html = '';
        for await (const chunk of page) html += String(chunk);
        const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
        const form = new URLSearchParams({
          _csrf: csrf,
          next: '/inbox',
          email: 'kepala.dinkes@suara.test',
          password: PASSWORD,
        });
        const posted = await send('/login', { cookie: cookieOf(page), form: form.toString() });
        expect(posted.statusCode).to.equal(303);
        // Asked before the sign-in's answer has even finished arriving.
        const inbox = await send(posted.headers.location!, { cookie: cookieOf(posted) });
        expect(inbox.statusCode, `attempt ${attempt + 1}: ${inbox.headers.location ?? ''}`).to.equal(200);
        posted.resume();
        inbox.resume();
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
