import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { configureMailTransport, processOutboxOnce } from '../../src/modules/notifications/worker.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { TestMailServer } from '../helpers/mail-server.js';

describe('The receipt by e-mail, through the outbox to a real SMTP server', () => {
  useTestDatabase();
  let app: Express;
  let mail: TestMailServer;
  before(async () => {
    mail = await TestMailServer.start();
    app = await testApp({ SMTP_URL: mail.url, PUBLIC_URL: 'https://suara.jambiprov.go.id' });
    configureMailTransport({ smtpUrl: mail.url, mailFrom: 'Suara <no-reply@suara.test>', dataDir: '/nonexistent' });
    await seedDirectory();
  });
  after(() => mail.close());
  beforeEach(resetRateLimits);

  const file = (lang: string, email: string) =>
    request(app)
      .post('/api/v1/tickets')
      .set('Accept-Language', lang)
      .send({
        kind: 'suggestion',
        unitCode: 'PKM-KEBUNHANDIL',
        description: 'Mohon disediakan kursi roda di pintu masuk.',
        reporter: { email },
        privacy: 'public',
        consent: true,
      })
      .expect(201);

  it('sends the tracking code and the link that opens the case, in Indonesian', async () => {
    const { body } = await file('id', 'warga@contoh.id');
    await processOutboxOnce();
    const message = mail.received.find((received) => received.envelopeTo.includes('warga@contoh.id'))!;
    expect(message.text).to.include(body.code);
    const link = `https://suara.jambiprov.go.id/track/${body.code}?token=${body.accessToken}`;
    expect(message.text).to.include(link);
    expect(message.subject).to.match(/Laporan|laporan/);
    const opened = await request(app)
      .get(new URL(link).pathname + new URL(link).search)
      .expect(200);
    expect(opened.text).to.include(body.code);
  });

  it('writes in English to a citizen who filed in English', async () => {
    const { body } = await file('en', 'resident@example.org');
    await processOutboxOnce();
    const message = mail.received.find((received) => received.envelopeTo.includes('resident@example.org'))!;
    expect(message.text).to.include(body.code);
    expect(message.text).to.match(/report|Report/);
    expect(message.text).not.to.match(/Laporan Anda/);
  });

  it('files without e-mail and sends nothing when no address is given', async () => {
    const before = mail.received.length;
    await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'suggestion',
        unitCode: 'PKM-KEBUNHANDIL',
        description: 'Tambah tempat sampah.',
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    await processOutboxOnce();
    expect(mail.received.length).to.equal(before);
  });
});
