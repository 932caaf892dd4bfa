import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { toActor } from '../../src/modules/accounts/actors.js';
import { Officer } from '../../src/modules/directory/model.js';
import { Finding, Ticket } from '../../src/modules/feedback/model.js';
import { subscribe } from '../../src/platform/events.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';

describe('The staff side of a ticket (inbox API)', () => {
  useTestDatabase();
  let app: Express;
  let head: request.Agent;
  let headCsrf: string;
  let siteHead: request.Agent;
  let siteCsrf: string;
  let sibling: request.Agent;
  let handler: request.Agent;
  let handlerCsrf: string;
  let handlerId: string;

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'kepala.putriayu@suara.test',
      name: 'Kepala Putri Ayu',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'PKM-PUTRIAYU',
    });
    // Siti Rahmawati (198503152010012001) is an officer of Kebun Handil and has a staff account too.
    await createUser(admin, {
      email: 'siti@suara.test',
      name: 'Siti Rahmawati',
      password: PASSWORD,
      role: 'handler',
      unitCode: 'PKM-KEBUNHANDIL',
      officerNip: '198503152010012001',
    });
    head = request.agent(app);
    headCsrf = await signIn(head, 'kepala.dinkes@suara.test');
    siteHead = request.agent(app);
    siteCsrf = await signIn(siteHead, 'kepala.kebunhandil@suara.test');
    sibling = request.agent(app);
    await signIn(sibling, 'kepala.putriayu@suara.test');
    handler = request.agent(app);
    handlerCsrf = await signIn(handler, 'petugas@suara.test');
    handlerId = String((await User.findOne({ email: 'petugas@suara.test' }).lean())!._id);
  });
  beforeEach(resetRateLimits);

  const officerRef = async (nip: string) => (await Officer.findOne({ nip }).lean())!.ref;

  async function file(extra: Record<string, unknown> = {}) {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'officer_conduct',
        description: 'Petugas pendaftaran berkata kasar kepada ibu saya. Hubungi saya 081298765432.',
        reporter: { name: 'Rahmat Hidayat', email: 'rahmat@contoh.id', phone: '081298765432' },
        privacy: 'anonymous',
        consent: true,
        ...extra,
      })
      .expect(201);
    return body.code as string;
  }
  const view = async (agent: request.Agent, code: string) =>
    (await agent.get(`/api/v1/tickets/${code}`).expect(200)).body;
  const act = (agent: request.Agent, csrf: string, code: string, body: Record<string, unknown>) =>
    agent.patch(`/api/v1/tickets/${code}`).set('X-CSRF-Token', csrf).send(body);

  it('shows a ticket of a puskesmas in the inbox of its Dinas head, not in a sibling puskesmas head’s', async () => {
    const code = await file();
    const inbox = (await head.get('/api/v1/inbox?status=open').expect(200)).body;
    expect(inbox.items.map((item: { code: string }) => item.code)).to.include(code);
    expect(inbox.counts.received).to.be.at.least(1);
    const other = (await sibling.get('/api/v1/inbox').expect(200)).body;
    expect(other.items.map((item: { code: string }) => item.code)).not.to.include(code);
    await sibling.get(`/api/v1/tickets/${code}`).expect(403);
    expect(JSON.stringify(inbox)).not.to.include('rahmat@contoh.id');
    expect(JSON.stringify(inbox)).not.to.include('081298765432');
  });

  it('works a complaint through verify, assign, reply and resolve, moving the clocks and writing to the citizen', async () => {
    const code = await file();
    const received = await view(head, code);
    expect(received.ticket.due.verify).to.be.a('string');
    const verified = (
      await act(head, headCsrf, code, { revision: received.ticket.revision, action: 'verify' }).expect(200)
    ).body;
    expect(verified.ticket).to.include({ status: 'verified' });
    expect(verified.ticket.due.followUp).to.be.a('string');
    const assigned = (
      await act(head, headCsrf, code, {
        revision: verified.ticket.revision,
        action: 'assign',
        assigneeId: handlerId,
      }).expect(200)
    ).body;
    expect(assigned.ticket.assignee).to.deep.equal({ userId: handlerId, name: 'petugas' });
    // The handler now sees it, and answers the citizen: the first follow-up meets that clock and starts the one
    // for resolving it.
    const mine = (await handler.get('/api/v1/inbox?mine=1').expect(200)).body;
    expect(mine.items.map((item: { code: string }) => item.code)).to.deep.equal([code]);
    const replied = (
      await handler
        .post(`/api/v1/tickets/${code}/replies`)
        .set('X-CSRF-Token', handlerCsrf)
        .send({ revision: assigned.ticket.revision, body: 'Kami sudah memanggil petugas yang bersangkutan.' })
        .expect(201)
    ).body;
    expect(replied.ticket).to.include({ status: 'in_progress', dueAt: replied.ticket.due.resolve });
    expect(replied.ticket.due.resolve).to.be.a('string');
    const noted = (
      await handler
        .post(`/api/v1/tickets/${code}/replies`)
        .set('X-CSRF-Token', handlerCsrf)
        .send({ revision: replied.ticket.revision, body: 'Cek CCTV loket 1', internal: true })
        .expect(201)
    ).body;
    const resolved = (
      await act(handler, handlerCsrf, code, {
        revision: noted.ticket.revision,
        action: 'resolve',
        body: 'Petugas sudah dibina.',
      }).expect(200)
    ).body;
    expect(resolved.ticket.status).to.equal('resolved');
    expect(resolved.ticket.due.autoClose).to.be.a('string');
    const outbox = await mongoose.connection.db!.collection('outbox').find({ reference: code }).toArray();
    expect(outbox.map((mail) => mail.template).sort()).to.deep.equal([
      'ticket.receipt',
      'ticket.reply',
      'ticket.resolved',
      'ticket.status',
    ]);
    // The citizen sees the public answers and none of the internal note or staff names.
    const ticket = await Ticket.findOne({ code }).lean();
    expect(
      ticket!.history
        .filter((entry) => entry.public)
        .map((entry) => entry.body ?? '')
        .join(' '),
    ).not.to.include('CCTV');
  });

  it('refuses a stale edit instead of overwriting the other person’s change', async () => {
    const code = await file();
    const { ticket } = await view(head, code);
    await act(siteHead, siteCsrf, code, { revision: ticket.revision, action: 'priority', priority: 'high' }).expect(
      200,
    );
    const stale = await act(head, headCsrf, code, { revision: ticket.revision, action: 'verify' })
      .set('Accept-Language', 'en')
      .expect(409);
    expect(stale.body.error.message).to.equal(
      'Someone changed this ticket since you opened it. Reload to see the change, then try again.',
    );
    expect((await Ticket.findOne({ code }).lean())!.status).to.equal('received');
  });

  it('lets a handler work only what is assigned to them, and never triage', async () => {
    const code = await file();
    await handler.get(`/api/v1/tickets/${code}`).expect(403);
    const { ticket } = await view(head, code);
    await act(handler, handlerCsrf, code, { revision: ticket.revision, action: 'verify' }).expect(403);
  });

  it('shows contact data to a verifier on request with a reason, and writes every view to the audit log', async () => {
    const code = await file({ privacy: 'confidential' });
    const before = await AuditEntry.countDocuments({ action: 'contact.view', target: code });
    const shown = (
      await siteHead
        .post(`/api/v1/tickets/${code}/contact`)
        .set('X-CSRF-Token', siteCsrf)
        .send({ reason: 'verification' })
        .expect(200)
    ).body;
    expect(shown).to.deep.equal({ name: 'Rahmat Hidayat', email: 'rahmat@contoh.id', phone: '081298765432' });
    const log = await AuditEntry.find({ action: 'contact.view', target: code }).lean();
    expect(log).to.have.length(before + 1);
    expect(log.at(-1)).to.include({ reason: 'verification' });
    await siteHead.post(`/api/v1/tickets/${code}/contact`).set('X-CSRF-Token', siteCsrf).send({}).expect(400);
  });

  it('shows a verifier the citizen’s own words, and a handler the copy without the phone number', async () => {
    const code = await file({ privacy: 'confidential' });
    const stored = (await Ticket.findOne({ code }).lean())!;
    expect(stored.description).not.to.include('081298765432');
    const verifier = await view(siteHead, code);
    expect(verifier.description).to.include('081298765432');
    const verified = (
      await act(siteHead, siteCsrf, code, { revision: verifier.ticket.revision, action: 'verify' }).expect(200)
    ).body;
    await act(siteHead, siteCsrf, code, {
      revision: verified.ticket.revision,
      action: 'assign',
      assigneeId: handlerId,
    }).expect(200);
    const handled = await view(handler, code);
    expect(handled.description).to.include('Petugas pendaftaran berkata kasar');
    expect(handled.description).not.to.include('081298765432');
  });

  it('never gives a complaint to the officer it names, and takes it back from a handler tagged later', async () => {
    const named = await file({ officerRef: await officerRef('198503152010012001'), privacy: 'confidential' });
    const { ticket } = await view(head, named);
    const verified = (await act(head, headCsrf, named, { revision: ticket.revision, action: 'verify' }).expect(200))
      .body;
    const siti = (await User.findOne({ email: 'siti@suara.test' }).lean())!;
    expect(toActor(siti).officerNip).to.equal('198503152010012001');
    expect(verified.assignable.map((user: { id: string }) => user.id)).not.to.include(String(siti._id));
    const refused = await act(head, headCsrf, named, {
      revision: verified.ticket.revision,
      action: 'assign',
      assigneeId: String(siti._id),
    }).expect(400);
    expect(refused.body.error.fields).to.have.property('assigneeId');

    // Assigned first, named afterwards: the tag takes the ticket back from her.
    const code = await file({ privacy: 'confidential' });
    const first = await view(head, code);
    const ready = (await act(head, headCsrf, code, { revision: first.ticket.revision, action: 'verify' }).expect(200))
      .body;
    const assigned = (
      await act(head, headCsrf, code, {
        revision: ready.ticket.revision,
        action: 'assign',
        assigneeId: String(siti._id),
      }).expect(200)
    ).body;
    const tagged = (
      await act(head, headCsrf, code, {
        revision: assigned.ticket.revision,
        action: 'tag',
        officerNip: '198503152010012001',
      }).expect(200)
    ).body;
    expect(tagged.ticket.assignee).to.equal(null);
    expect(tagged.ticket.status).to.equal('verified');
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'siti@suara.test');
    await agent.get(`/api/v1/tickets/${code}`).expect(403);
    await agent
      .post(`/api/v1/tickets/${code}/replies`)
      .set('X-CSRF-Token', csrf)
      .send({ revision: tagged.ticket.revision, body: 'Mohon kirim alamat Anda.' })
      .expect(403);
  });

  it('records a finding for a tagged officer (the only way a complaint counts against them) and announces it', async () => {
    const code = await file({ officerRef: await officerRef('198503152010012001') });
    const { ticket } = await view(head, code);
    const verified = (await act(head, headCsrf, code, { revision: ticket.revision, action: 'verify' }).expect(200))
      .body;
    const events: string[] = [];
    const stop = subscribe('finding.recorded', (event) => void events.push(event.outcome));
    const after = (
      await head
        .post(`/api/v1/tickets/${code}/findings`)
        .set('X-CSRF-Token', headCsrf)
        .send({
          revision: verified.ticket.revision,
          officerNip: '198503152010012001',
          outcome: 'substantiated',
          note: 'Terbukti dari CCTV.',
        })
        .expect(201)
    ).body;
    stop();
    expect(events).to.deep.equal(['substantiated']);
    expect(after.findings).to.have.length(1);
    expect(await Finding.countDocuments({ code })).to.equal(1);
    // An officer who is not tagged cannot carry a finding.
    await head
      .post(`/api/v1/tickets/${code}/findings`)
      .set('X-CSRF-Token', headCsrf)
      .send({ revision: after.ticket.revision, officerNip: '199001012015031002', outcome: 'substantiated' })
      .expect(400);
  });

  it('rejects with a reason, forwards to another unit, and merges a duplicate without carrying notes', async () => {
    const rejected = await file();
    let ticket = (await view(head, rejected)).ticket;
    const done = (
      await act(head, headCsrf, rejected, { revision: ticket.revision, action: 'reject', reason: 'spam' }).expect(200)
    ).body;
    expect(done.ticket.status).to.equal('rejected');
    expect(done.rejectReason).to.equal('spam');

    const forwarded = await file();
    ticket = (await view(head, forwarded)).ticket;
    const moved = (
      await act(head, headCsrf, forwarded, {
        revision: ticket.revision,
        action: 'forward',
        unitCode: 'PKM-PUTRIAYU',
      }).expect(200)
    ).body;
    expect(moved.ticket).to.include({ unitCode: 'PKM-PUTRIAYU', status: 'received' });
    await sibling.get(`/api/v1/tickets/${forwarded}`).expect(200);

    const original = await file();
    const duplicate = await file();
    ticket = (await view(head, duplicate)).ticket;
    await head
      .post(`/api/v1/tickets/${duplicate}/replies`)
      .set('X-CSRF-Token', headCsrf)
      .send({ revision: ticket.revision, body: 'rahasia internal', internal: true })
      .expect(201);
    ticket = (await view(head, duplicate)).ticket;
    const merged = (
      await head
        .post(`/api/v1/tickets/${duplicate}/merge`)
        .set('X-CSRF-Token', headCsrf)
        .send({ revision: ticket.revision, into: original })
        .expect(200)
    ).body;
    expect(merged.ticket.status).to.equal('merged');
    expect(merged.mergedInto).to.equal(original);
    const target = await view(head, original);
    expect(JSON.stringify(target.history)).not.to.include('rahasia internal');
    expect(target.history.at(-1)).to.include({ action: 'merged_from', to: duplicate });
  });

  it('checks permission in the service too: an unsigned request, a CSRF-less one and a forged code all fail', async () => {
    const code = await file();
    await request(app).patch(`/api/v1/tickets/${code}`).send({ revision: 0, action: 'verify' }).expect(401);
    await head.patch(`/api/v1/tickets/${code}`).send({ revision: 0, action: 'verify' }).expect(403);
    await act(head, headCsrf, 'ZZZZ-ZZZZ', { revision: 0, action: 'verify' }).expect(404);
    await act(head, headCsrf, code, { revision: 0, action: 'explode' }).expect(400);
    await act(head, headCsrf, code, { revision: '0; drop', action: 'verify' }).expect(400);
  });

  it('works as pages without JavaScript: the inbox lists it, the ticket page verifies it with a form', async () => {
    const code = await file({ privacy: 'confidential' });
    const list = await siteHead.get('/inbox?status=received').expect(200);
    expect(list.text).to.include(`/inbox/tickets/${code}`);
    const page = await siteHead.get(`/inbox/tickets/${code}`).expect(200);
    expect(page.text).to.include('Verifikasi');
    expect(page.text).not.to.include('rahmat@contoh.id');
    const revision = page.text.match(/name="revision" value="(\d+)"/)![1];
    const posted = await siteHead
      .post(`/inbox/tickets/${code}/act`)
      .type('form')
      .send({ _csrf: siteCsrf, revision, action: 'verify' })
      .expect(303);
    const after = await siteHead.get(posted.headers.location!).expect(200);
    expect(after.text).to.include('Terverifikasi');
    const stale = await siteHead
      .post(`/inbox/tickets/${code}/act`)
      .type('form')
      .send({ _csrf: siteCsrf, revision, action: 'priority', priority: 'high' })
      .expect(409);
    expect(stale.text).to.include('Tiket ini sudah diubah orang lain');
    const contact = await siteHead
      .post(`/inbox/tickets/${code}/contact`)
      .type('form')
      .send({ _csrf: siteCsrf, reason: 'verification' })
      .expect(200);
    expect(contact.text).to.include('rahmat@contoh.id');
  });

  it('answers with a response template for the category, in the language the citizen filed in', async () => {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .set('Accept-Language', 'en')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Waited two and a half hours at registration.',
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    const seen = await view(siteHead, body.code);
    expect(seen.templates.map((template: { code: string }) => template.code)).to.include('waiting_time_measures');
    expect(seen.templates.map((template: { code: string }) => template.code)).not.to.include('conduct_coached');
    const verified = (
      await act(siteHead, siteCsrf, body.code, { revision: seen.ticket.revision, action: 'verify' }).expect(200)
    ).body;
    const resolved = (
      await act(siteHead, siteCsrf, body.code, {
        revision: verified.ticket.revision,
        action: 'resolve',
        template: 'waiting_time_measures',
      }).expect(200)
    ).body;
    expect(resolved.history.at(-1).body).to.match(/^We added counter staff at peak hours/);
    await act(siteHead, siteCsrf, body.code, {
      revision: resolved.ticket.revision,
      action: 'close',
      template: 'no_such_template',
    }).expect(400);
  });
});
