import { expect } from 'chai';
import os from 'node:os';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { Unit } from '../../src/modules/directory/model.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { queueMail } from '../../src/modules/notifications/service.js';
import { configureMailTransport, processOutboxOnce, stopOutboxWorker } from '../../src/modules/notifications/worker.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/db.js';
import { TestMailServer } from '../helpers/mail-server.js';

const WAHYU = 'wahyu.pratama@contoh.id';
const MASKED = 'wa***@contoh.id';
const CODE = 'K7M4QXP2D';

describe('The admin outbox page: mail of the admin’s agency, masked, with a resend for failures', () => {
  useTestDatabase();
  let app: Express;
  let smtp: TestMailServer;
  let kebunHandilPath: string[];
  let failedId: string;

  const session = async (email: string) => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };

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
    kebunHandilPath = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!.path.map(String);
    smtp = await TestMailServer.start();
    configureMailTransport({ smtpUrl: smtp.url, mailFrom: 'Suara <no-reply@suara.test>', dataDir: os.tmpdir() });

    // A receipt to a mailbox that refuses it for good: failed after one attempt.
    smtp.rejecting.add(WAHYU);
    failedId = (
      await queueMail({
        to: WAHYU,
        template: 'ticket.receipt',
        lang: 'id',
        data: { code: CODE, trackUrl: `https://suara.test/track?code=${CODE}&token=t` },
        unitPath: kebunHandilPath,
      })
    ).id;
    expect(await processOutboxOnce()).to.deep.include({ failed: 1 });
    smtp.rejecting.clear();
  });
  after(async () => {
    await stopOutboxWorker();
    await smtp.close();
  });

  it('shows the Jambi admin the failed receipt with its address masked, its attempts and the error', async () => {
    const { agent } = await session('admin.jambi@suara.test');
    const page = await agent.get('/admin/outbox?status=failed').expect(200);
    expect(page.text).to.include(MASKED);
    expect(page.text).not.to.include(WAHYU);
    expect(page.text).to.include(CODE);
    expect(page.text).to.include('mailbox unavailable');
    expect(page.text).to.include('Kirim ulang');

    const json = await agent.get('/api/v1/admin/outbox/messages?status=failed').expect(200);
    expect(json.body.counts.failed).to.equal(1);
    expect(json.body.messages).to.have.length(1);
    expect(json.body.messages[0]).to.include({ id: failedId, to: MASKED, attempts: 1, resendable: true });
    expect(JSON.stringify(json.body)).not.to.include(WAHYU);
  });

  it('shows an admin of another agency none of it, and refuses their resend as not found', async () => {
    const { agent, csrf } = await session('admin.ambon@suara.test');
    const json = await agent.get('/api/v1/admin/outbox/messages').expect(200);
    expect(json.body.total).to.equal(0);
    expect(json.body.counts.failed).to.equal(0);
    const page = await agent.get('/admin/outbox').expect(200);
    expect(page.text).not.to.include(CODE);
    await agent.post(`/api/v1/admin/outbox/${failedId}/resend`).set('X-CSRF-Token', csrf).expect(404);
    expect(await Outbox.findById(failedId).lean()).to.include({ status: 'failed' });
  });

  it('refuses staff who are not admins', async () => {
    const { agent } = await session('kepala.kebunhandil@suara.test');
    await agent.get('/api/v1/admin/outbox/messages').expect(403);
  });

  it('resends a failed mail once through the SMTP server, audited, and a second click changes nothing', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const resent = await agent
      .post(`/admin/outbox/${failedId}/resend`)
      .type('form')
      .send({ _csrf: csrf, back: '/admin/outbox?status=failed' })
      .expect(303);
    expect(resent.headers.location).to.equal('/admin/outbox?status=failed');
    expect(await Outbox.findById(failedId).lean()).to.include({ status: 'queued', attempts: 0 });

    expect(await processOutboxOnce()).to.deep.equal({ sent: 1, retrying: 0, failed: 0 });
    expect(await processOutboxOnce()).to.deep.equal({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.received).to.have.length(1);
    expect(smtp.received[0]!.envelopeTo).to.deep.equal([WAHYU]);
    expect(smtp.received[0]!.text).to.include(CODE);

    const audit = await AuditEntry.find({ action: 'outbox.resend' }).lean();
    expect(audit).to.have.length(1);
    expect(audit[0]!.target).to.equal(failedId);
    expect(audit[0]!.unitPath!.map(String)).to.deep.equal(kebunHandilPath);

    // Sent now: the address is gone, the page says so, and resending is refused in the admin's language.
    const again = await agent.post(`/api/v1/admin/outbox/${failedId}/resend`).set('X-CSRF-Token', csrf).expect(409);
    expect(JSON.stringify(again.body)).to.include('Hanya e-mail yang gagal');
    const page = await agent.get('/admin/outbox?status=sent').expect(200);
    expect(page.text).to.include('alamat sudah dihapus');
    expect(await AuditEntry.countDocuments({ action: 'outbox.resend' })).to.equal(1);
  });

  it('says a failed mail whose address is gone cannot be resent', async () => {
    const [lost] = await Outbox.create([
      {
        template: 'staff.digest',
        lang: 'id',
        toSealed: null,
        toHash: 'x',
        dataSealed: null,
        unitPath: kebunHandilPath,
        status: 'failed',
        attempts: 8,
        lastError: 'the message has no recipient or data',
        failedAt: new Date(),
      },
    ]);
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const page = await agent.get('/admin/outbox?status=failed').expect(200);
    expect(page.text).to.include('tidak dapat dikirim ulang');
    const form = await agent.post(`/admin/outbox/${lost!._id}/resend`).type('form').send({ _csrf: csrf }).expect(303);
    expect(form.headers.location).to.equal('/admin/outbox');
    const after = await agent.get('/admin/outbox').expect(200);
    expect(after.text).to.include('alamat penerimanya sudah tidak disimpan');
    expect(await Outbox.findById(lost!._id).lean()).to.include({ status: 'failed' });
  });

  it('shows the Jambi admin the reset link mail of a Jambi account, and not the Ambon admin', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const head = (await agent.get('/api/v1/accounts').expect(200)).body.find(
      (user: { email: string }) => user.email === 'kepala.kebunhandil@suara.test',
    );
    await agent.post(`/api/v1/accounts/${head.id}/password-reset`).set('X-CSRF-Token', csrf).expect(202);
    const mine = await agent.get('/api/v1/admin/outbox/messages?status=queued').expect(200);
    expect(mine.body.messages.map((message: { template: string }) => message.template)).to.include(
      'account.password_reset',
    );
    expect(JSON.stringify(mine.body)).to.include('ke***@suara.test');
    const ambon = await session('admin.ambon@suara.test');
    expect((await ambon.agent.get('/api/v1/admin/outbox/messages').expect(200)).body.total).to.equal(0);
  });

  it('pages through the mail, fifty at a time, in English for an English reader', async () => {
    await Outbox.insertMany(
      Array.from({ length: 55 }, () => ({
        template: 'ticket.status',
        lang: 'id',
        toHash: 'x',
        unitPath: kebunHandilPath,
        status: 'sent',
        attempts: 1,
        sentAt: new Date(),
      })),
    );
    const { agent } = await session('admin.jambi@suara.test');
    const first = await agent.get('/api/v1/admin/outbox/messages?status=sent').expect(200);
    expect(first.body).to.include({ page: 1, pages: 2, total: 56 });
    expect(first.body.messages).to.have.length(50);
    const second = await agent.get('/admin/outbox?status=sent&page=2').set('Accept-Language', 'en').expect(200);
    expect(second.text).to.include('Page 2 of 2');
    expect(second.text).to.match(/href="\/admin\/outbox\?status(=|&#x3D;)sent" rel="prev"/);
    await agent.get('/api/v1/admin/outbox/messages?status=nonsense').expect(400);
  });
});
