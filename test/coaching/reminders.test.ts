import { expect } from 'chai';
import { User } from '../../src/modules/accounts/model.js';
import { sendActionReminders } from '../../src/modules/coaching/sessions/reminders.js';
import { CoachingAction } from '../../src/modules/coaching/sessions/model.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { configureMailTransport, processOutboxOnce } from '../../src/modules/notifications/worker.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { TestMailServer } from '../helpers/mail-server.js';
import { BUDI, coachingWorld, SITI, type Signed } from './work-helpers.js';

const config = { publicUrl: 'https://suara.jambiprov.go.id' };

describe('Reminders for agreed actions: one e-mail to the officer and the coach when due, exactly once', () => {
  useTestDatabase();
  let mail: TestMailServer;
  let coach: Signed;

  before(async function () {
    this.timeout(30_000);
    mail = await TestMailServer.start();
    configureMailTransport({ smtpUrl: mail.url, mailFrom: 'Suara <no-reply@suara.test>', dataDir: '/nonexistent' });
    const world = await coachingWorld();
    coach = await world.as('pembina.dinkes@suara.test');
  });
  after(async () => {
    await mail.close();
  });
  beforeEach(resetRateLimits);

  async function session(nip: string, actions: { text: string; owner: string; dueDate: string }[]) {
    return (
      await coach.agent
        .post(`/api/v1/officers/${nip}/sessions`)
        .set('X-CSRF-Token', coach.csrf)
        .send({ date: '2030-03-04', notes: 'Dialog', actions })
        .expect(201)
    ).body as { id: string; actions: { id: string; text: string }[] };
  }

  it('reminds from 07:00 WIB on the due day, mails the officer’s account and the coach through SMTP, and never twice', async () => {
    const held = await session(SITI, [
      { text: 'Ikuti kelas komunikasi efektif', owner: 'officer', dueDate: '2030-03-05' },
    ]);
    // 06:59 WIB on the due day: not yet.
    expect(await sendActionReminders(config, new Date('2030-03-04T23:59:00Z'))).to.deep.equal({ reminded: 0 });
    // 07:00 WIB: once; two overlapping runs (two processes) still remind once.
    const runs = await Promise.all([
      sendActionReminders(config, new Date('2030-03-05T00:00:00Z')),
      sendActionReminders(config, new Date('2030-03-05T00:00:00Z')),
    ]);
    expect(runs.map((run) => run.reminded).reduce((a, b) => a + b)).to.equal(1);
    expect(await sendActionReminders(config, new Date('2030-03-06T00:00:00Z'))).to.deep.equal({ reminded: 0 });
    expect(await Outbox.countDocuments({ template: 'coaching.action_due' })).to.equal(2);
    const action = await CoachingAction.findById(held.actions[0]!.id).lean();
    expect(action?.remindedAt?.toISOString()).to.equal('2030-03-05T00:00:00.000Z');

    await processOutboxOnce(50);
    const received = await mail.waitFor(2);
    const to = received.flatMap((message) => message.envelopeTo);
    expect(to).to.have.members(['siti@suara.test', 'pembina.dinkes@suara.test']);
    const message = received.find((m) => m.envelopeTo.includes('siti@suara.test'))!;
    expect(message.subject).to.include('Pengingat tindak lanjut');
    expect(message.text).to.include('Ikuti kelas komunikasi efektif');
    expect(message.text).to.include(`https://suara.jambiprov.go.id/coaching/sessions/${held.id}`);
    expect(message.text).to.include('Siti Rahmawati');
  });

  it('writes to each person in their language, mails only the coach when the officer has no account, and skips done actions', async () => {
    await User.updateOne({ email: 'pembina.dinkes@suara.test' }, { $set: { lang: 'en' } });
    const before = mail.received.length;
    const budi = await session(BUDI, [
      { text: 'Rapikan arsip loket', owner: 'officer', dueDate: '2030-04-01' },
      { text: 'Sudah beres', owner: 'coach', dueDate: '2030-04-01' },
    ]);
    await coach.agent
      .post(`/api/v1/sessions/${budi.id}/actions/${budi.actions.find((a) => a.text === 'Sudah beres')!.id}/done`)
      .set('X-CSRF-Token', coach.csrf)
      .expect(200);
    expect(await sendActionReminders(config, new Date('2030-04-01T01:00:00Z'))).to.deep.equal({ reminded: 1 });
    await processOutboxOnce(50);
    const received = (await mail.waitFor(before + 1)).slice(before);
    expect(received).to.have.length(1);
    expect(received[0]!.envelopeTo).to.deep.equal(['pembina.dinkes@suara.test']);
    expect(received[0]!.subject).to.include('Coaching action reminder');
    expect(received[0]!.text).to.include('Rapikan arsip loket');
    expect(received[0]!.text).to.include('Budi Santoso');
  });
});
