import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { User } from '../../src/modules/accounts/model.js';
import { usersWithRoleOn } from '../../src/modules/accounts/index.js';
import { Unit } from '../../src/modules/directory/model.js';
import { sendMorningDigests } from '../../src/modules/feedback/clocks.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/db.js';

// Friday 23 January 2026, 07:05 in Jambi (WIB): digest time on a working day.
const FRIDAY_MORNING_JAMBI = new Date('2026-01-23T00:05:00Z');

describe('The morning digest is each head’s choice', () => {
  useTestDatabase();
  let app: Express;
  const session = async (email: string) => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  const digestOf = async (email: string) => (await User.findOne({ email }).lean())!.digest;

  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  it('is on by default, and the head of Puskesmas Kebun Handil turns it off on their own account page', async () => {
    expect(await digestOf('kepala.kebunhandil@suara.test')).to.equal(true);
    const { agent, csrf } = await session('kepala.kebunhandil@suara.test');
    const page = await agent.get('/account').expect(200);
    expect(page.text).to.include('Kirim ringkasan pagi lewat e-mail');
    expect(page.text).to.match(/name="digest" value="1" checked/);

    await agent.post('/account/digest').type('form').send({ _csrf: csrf, digest: '0' }).expect(303);
    expect(await digestOf('kepala.kebunhandil@suara.test')).to.equal(false);
    expect((await agent.get('/account').expect(200)).text).not.to.match(/name="digest" value="1" checked/);
    const audit = await AuditEntry.findOne({ action: 'user.digest', target: 'kepala.kebunhandil@suara.test' }).lean();
    expect(audit!.details).to.deep.include({ after: { digest: false } });
  });

  it('is changed by the Jambi admin on the account form, the hidden "0" and the box deciding together', async () => {
    const { agent, csrf } = await session('admin.jambi@suara.test');
    const head = (await User.findOne({ email: 'kepala.dinkes@suara.test' }).lean())!;
    const form = { _csrf: csrf, name: head.name, officerNip: '' };
    await agent
      .post(`/admin/accounts/${head._id}`)
      .type('form')
      .send({ ...form, digest: '0' })
      .expect(303);
    expect(await digestOf('kepala.dinkes@suara.test')).to.equal(false);
    await agent
      .post(`/admin/accounts/${head._id}`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrf)}&name=${encodeURIComponent(head.name)}&digest=0&digest=1`)
      .expect(303);
    expect(await digestOf('kepala.dinkes@suara.test')).to.equal(true);
    expect(await AuditEntry.countDocuments({ action: 'user.digest', target: 'kepala.dinkes@suara.test' })).to.equal(2);
  });

  it('leaves out a head who turned it off from the digest, but not from escalations', async () => {
    const kebunHandil = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    expect((await usersWithRoleOn('unit_head', kebunHandil._id)).map((user) => user.email)).to.deep.equal([
      'kepala.kebunhandil@suara.test',
    ]);
    expect(await usersWithRoleOn('unit_head', kebunHandil._id, { digest: true })).to.deep.equal([]);

    await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'slow_processing',
        description: 'Antrean poli umum sudah dua jam belum dipanggil, loket pendaftaran tutup tanpa keterangan.',
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    await sendMorningDigests({ publicUrl: 'https://suara.jambiprov.go.id' }, FRIDAY_MORNING_JAMBI);
    const heads = await User.find({
      email: { $in: ['kepala.dinkes@suara.test', 'kepala.kebunhandil@suara.test'] },
    }).lean();
    const idOf = (email: string) => String(heads.find((user) => user.email === email)!._id);
    const keys = (await Outbox.find({ template: 'staff.digest' }).lean()).map((mail) => mail.dedupeKey);
    expect(keys).to.deep.equal([`digest:${idOf('kepala.dinkes@suara.test')}:2026-01-23`]);
  });
});
