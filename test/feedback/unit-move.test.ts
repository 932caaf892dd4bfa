import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { createUser } from '../../src/modules/accounts/service.js';
import { createUnit } from '../../src/modules/directory/service.js';
import { Unit } from '../../src/modules/directory/model.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { EventRecord, projectorsSettled } from '../../src/platform/event-log.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

/**
 * Tickets follow their unit through the tree (docs/domain.md#moved-units): Puskesmas Kebun Handil moves from Dinas
 * Kesehatan to RSUD Raden Mattaher; its tickets, open and answered, move with it, so the RSUD's head now reads and
 * decides them and the Dinas head, who no longer oversees the puskesmas, is refused.
 */
describe('A moved unit: its tickets follow it, to the new parent’s heads and away from the old', function () {
  this.timeout(60_000);
  useTestDatabase();
  let app: Express;
  const ids = (path: readonly unknown[]) => path.map(String);
  const ticket = async (code: string) => (await Ticket.findOne({ code }).lean<TicketDoc>())!;
  const as = async (email: string) => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };

  async function file(unitCode = 'PKM-KEBUNHANDIL') {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode,
        category: 'slow_processing',
        description: 'Antrean di loket pendaftaran sangat lama dan tidak ada petugas yang menjelaskan alasannya.',
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    return body.code as string;
  }

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUnit(admin, { code: 'JAMBI-RSUD', name: 'RSUD Raden Mattaher', kind: 'rsud', parentCode: 'JAMBI' });
    await createUser(admin, {
      email: 'direktur.rsud@suara.test',
      name: 'Direktur RSUD',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'JAMBI-RSUD',
    });
  });
  beforeEach(() => resetRateLimits());

  it('moves open and answered tickets; the new parent’s head sees them in the inbox, the old one gets 403', async () => {
    const dinkes = await as('kepala.dinkes@suara.test');
    const open = await file();
    const answered = await file();
    const stays = await file('PKM-PUTRIAYU');
    const act = async (code: string, body: object) =>
      dinkes.agent
        .patch(`/api/v1/tickets/${code}`)
        .set('X-CSRF-Token', dinkes.csrf)
        .send({ revision: (await ticket(code)).revision, ...body })
        .expect(200);
    await act(answered, { action: 'verify' });
    await act(answered, { action: 'resolve', body: 'Loket tambahan sudah dibuka.' });
    await dinkes.agent.get(`/api/v1/tickets/${open}`).expect(200);
    const revisionBefore = (await ticket(open)).revision;

    const admin = await as('admin.jambi@suara.test');
    await admin.agent
      .patch('/api/v1/units/PKM-KEBUNHANDIL')
      .set('X-CSRF-Token', admin.csrf)
      .send({ parentCode: 'JAMBI-RSUD', reason: 'Restrukturisasi' })
      .expect(200);
    await projectorsSettled();

    const puskesmas = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    for (const code of [open, answered]) expect(ids((await ticket(code)).unitPath)).to.deep.equal(ids(puskesmas.path));
    // The move changes where the ticket sits, not the ticket: a stale page of it is not refused for that.
    expect((await ticket(open)).revision).to.equal(revisionBefore);

    const rsud = await as('direktur.rsud@suara.test');
    const inbox = (await rsud.agent.get('/api/v1/inbox').expect(200)).body;
    expect(inbox.items.map((item: { code: string }) => item.code)).to.have.members([open, answered]);
    await rsud.agent.get(`/api/v1/tickets/${open}`).expect(200);
    await rsud.agent
      .patch(`/api/v1/tickets/${open}`)
      .set('X-CSRF-Token', rsud.csrf)
      .send({ revision: (await ticket(open)).revision, action: 'verify' })
      .expect(200);

    await dinkes.agent.get(`/api/v1/tickets/${open}`).expect(403);
    await dinkes.agent.get(`/api/v1/tickets/${answered}`).expect(403);
    await dinkes.agent
      .patch(`/api/v1/tickets/${answered}`)
      .set('X-CSRF-Token', dinkes.csrf)
      .send({ revision: (await ticket(answered)).revision, action: 'reopen' })
      .expect(403);
    const dinkesInbox = (await dinkes.agent.get('/api/v1/inbox').expect(200)).body;
    expect(dinkesInbox.items.map((item: { code: string }) => item.code)).to.deep.equal([stays]);
    // The puskesmas's own head still sees them, and the province's admin sees everything as before.
    const own = await as('kepala.kebunhandil@suara.test');
    await own.agent.get(`/api/v1/tickets/${open}`).expect(200);
  });

  it('applies each move once in effect: applied again it changes nothing, and moving back brings the tickets back', async () => {
    const code = await file();
    const admin = await as('admin.jambi@suara.test');
    const move = (parentCode: string) =>
      admin.agent
        .patch('/api/v1/units/PKM-KEBUNHANDIL')
        .set('X-CSRF-Token', admin.csrf)
        .send({ parentCode })
        .expect(200);
    await move('JAMBI-DINKES');
    await projectorsSettled();
    const back = (await Unit.findOne({ code: 'PKM-KEBUNHANDIL' }).lean())!;
    expect(ids((await ticket(code)).unitPath)).to.deep.equal(ids(back.path));
    const settled = await Ticket.find({ unitCode: 'PKM-KEBUNHANDIL' }).sort({ code: 1 }).lean<TicketDoc[]>();

    // The move's event records, applied a second time (a lease that lapsed mid-way): nothing changes.
    const records = await EventRecord.find({ name: 'unit.changed' }).lean();
    expect(records.length).to.be.at.least(2);
    await EventRecord.updateMany(
      { _id: { $in: records.map((record) => record._id) } },
      { $set: { pending: ['feedback.unit_paths'], doneAt: null, leases: {} } },
    );
    await projectorsSettled();
    const again = await Ticket.find({ unitCode: 'PKM-KEBUNHANDIL' }).sort({ code: 1 }).lean<TicketDoc[]>();
    expect(again.map((one) => [one.code, ids(one.unitPath), one.revision])).to.deep.equal(
      settled.map((one) => [one.code, ids(one.unitPath), one.revision]),
    );
    const dinkes = await as('kepala.dinkes@suara.test');
    await dinkes.agent.get(`/api/v1/tickets/${code}`).expect(200);
  });
});
