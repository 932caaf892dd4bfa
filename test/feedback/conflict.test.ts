import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { toActor } from '../../src/modules/accounts/actors.js';
import { createOfficer } from '../../src/modules/directory/service.js';
import { Officer } from '../../src/modules/directory/model.js';
import { sendMorningDigests } from '../../src/modules/feedback/clocks.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { ticketAction } from '../../src/modules/feedback/actions.js';
import type { Notice, TicketBroadcast } from '../../src/modules/inbox/events.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { plainJpeg } from '../helpers/files.js';
import { closeSockets, record, signedInClient, startLiveServer, until, type LiveServer } from '../inbox/live.js';

/**
 * The promise to the citizen: the person a complaint names can neither learn who complained nor bury the complaint.
 * The head of Puskesmas Kebun Handil is an officer of it, and their account is linked to that officer. A citizen
 * files a confidential complaint naming them; every route of the app (read from its route table) and the live inbox
 * are tried as that head and as every other role.
 */

const HEAD_NIP = '197805102005011003';
const WORDS = 'Kepala puskesmas meminta uang tambahan ZEBRA-7731 di ruang belakang.';
const REPLY = 'Saya bisa datang lagi hari Kamis, KUDA-4410.';
const IDENTITY = { name: 'Warga Pelapor Rahasia', email: 'pelapor.rahasia@contoh.id', phone: '081377778888' };
const SECRETS = ['ZEBRA', 'KUDA', IDENTITY.name, IDENTITY.email, IDENTITY.phone, 'bukti-pungli'];

const leaked = (text: string) => SECRETS.filter((secret) => text.toLowerCase().includes(secret.toLowerCase()));

interface Route {
  method: string;
  path: string;
}

/** Every route of the app, as Express holds them (routers are mounted without a path prefix). */
function routeTable(app: Express): Route[] {
  const routes: Route[] = [];
  const walk = (stack: { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: [] } }[]) => {
    for (const layer of stack) {
      if (layer.route)
        for (const method of Object.keys(layer.route.methods))
          routes.push({ method: method.toUpperCase(), path: layer.route.path });
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: [] } }).router.stack);
  return routes;
}

const isTicketRoute = (route: Route) => /\/(tickets|track)\/:code/.test(route.path);
const changes = (route: Route) => route.method !== 'GET' && route.method !== 'HEAD';

describe('Nobody decides on a complaint about themselves (conflict of interest)', () => {
  useTestDatabase();
  let app: Express;
  let routes: Route[];
  let code: string;
  let otherCode: string;
  let attachmentId: string;
  const agents = new Map<string, { agent: request.Agent; csrf: string }>();

  const accounts = {
    namedHead: 'kepala.kebunhandil@suara.test',
    parentHead: 'kepala.dinkes@suara.test',
    siblingHead: 'kepala.putriayu@suara.test',
    handler: 'petugas@suara.test',
    coach: 'pembina@suara.test',
    viewer: 'inspektorat@suara.test',
    officer: 'pegawai@suara.test',
    admin: 'admin.jambi@suara.test',
  };
  const as = (who: keyof typeof accounts) => agents.get(accounts[who])!;
  const revisionOf = async (ticketCode: string) => (await Ticket.findOne({ code: ticketCode }).lean())!.revision;

  before(async function () {
    this.timeout(120_000);
    app = await testApp();
    routes = routeTable(app);
    const { admin } = await seedDirectory();
    await createOfficer(admin, {
      nip: HEAD_NIP,
      name: 'Hendra Kurniawan',
      position: 'Kepala Puskesmas',
      unitCode: 'PKM-KEBUNHANDIL',
    });
    // The account is the person: the head of Kebun Handil is that officer.
    await User.updateOne({ email: accounts.namedHead }, { $set: { officerNip: HEAD_NIP } });
    const more: [string, 'unit_head' | 'coach' | 'viewer' | 'officer', string, string?][] = [
      [accounts.siblingHead, 'unit_head', 'PKM-PUTRIAYU'],
      [accounts.coach, 'coach', 'JAMBI'],
      [accounts.viewer, 'viewer', 'JAMBI'],
      [accounts.officer, 'officer', 'PKM-KEBUNHANDIL', '198503152010012001'],
    ];
    for (const [email, role, unitCode, officerNip] of more)
      await createUser(admin, { email, name: email.split('@')[0]!, password: PASSWORD, role, unitCode, officerNip });
    for (const email of Object.values(accounts)) {
      const agent = request.agent(app);
      agents.set(email, { agent, csrf: await signIn(agent, email) });
    }
  });
  beforeEach(resetRateLimits);
  afterEach(closeSockets);

  /** The citizen files by the head's QR link: a confidential complaint with a photo, naming the head. */
  async function fileAboutTheHead(): Promise<string> {
    const ref = (await Officer.findOne({ nip: HEAD_NIP }).lean())!.ref;
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .field('kind', 'complaint')
      .field('unitCode', 'PKM-KEBUNHANDIL')
      .field('category', 'illegal_fee')
      .field('officerRef', ref)
      .field('description', WORDS)
      .field('reporter', JSON.stringify(IDENTITY))
      .field('privacy', 'confidential')
      .field('consent', 'true')
      .attach('attachments', plainJpeg(), 'bukti-pungli.jpg')
      .expect(201);
    // The citizen writes again later, in their own words.
    const token = body.accessToken as string;
    await request(app)
      .post(`/api/v1/tickets/${body.code}/replies`)
      .set('X-Access-Token', token)
      .send({ body: REPLY })
      .expect(200);
    return body.code as string;
  }

  before(async function () {
    this.timeout(60_000);
    code = await fileAboutTheHead();
    otherCode = (
      await request(app)
        .post('/api/v1/tickets')
        .send({
          kind: 'complaint',
          unitCode: 'PKM-KEBUNHANDIL',
          category: 'waiting_time',
          description: 'Antrean lama sekali.',
          privacy: 'public',
          consent: true,
        })
        .expect(201)
    ).body.code;
    attachmentId = (await Ticket.findOne({ code }).lean())!.attachments[0]!.id;
  });

  it('sends a complaint naming the head of a puskesmas to the head of the Dinas above it, from the moment it is filed', async () => {
    const ticket = (await Ticket.findOne({ code }).lean())!;
    expect(ticket.decisionUnitCode).to.equal('JAMBI-DINKES');
    expect(ticket.history.map((entry) => entry.action)).to.include('decision_moved');
    const view = (await as('parentHead').agent.get(`/api/v1/tickets/${code}`).expect(200)).body;
    expect(view.ticket.decisionUnitCode).to.equal('JAMBI-DINKES');
    expect(view.can).to.deep.equal({ triage: true, work: true, finding: true });
    expect(view.description).to.include('ZEBRA-7731');
  });

  /** A body that the app would accept for this change, were the caller allowed to make it. */
  function bodiesFor(route: Route, revision: number): Record<string, unknown>[] {
    const actions: Record<string, Record<string, unknown>> = {
      verify: {},
      reject: { reason: 'spam' },
      forward: { unitCode: 'PKM-PUTRIAYU' },
      assign: { assigneeId: new mongoose.Types.ObjectId().toHexString() },
      priority: { priority: 'low' },
      category: { category: 'facilities' },
      tag: { officerNip: '198503152010012001' },
      untag: { officerNip: HEAD_NIP, reason: 'Bukan dia yang bertugas.' },
      ask: { body: 'Mohon kirim alamat rumah Anda.' },
      resolve: { body: 'Sudah ditangani.' },
      close: {},
      reopen: {},
      extend: { reason: 'Dokumen masih dikumpulkan.' },
      answer_objection: { outcome: 'dismissed', body: 'Keberatan ditolak.' },
    };
    // Every action the schema knows is tried: a new action without a case here fails this spec.
    const known = (ticketAction.describe().keys.action as { allow: string[] }).allow;
    expect(Object.keys(actions).sort()).to.deep.equal([...known].sort());
    const path = route.path.replace(/^\/(api\/v1\/tickets|inbox\/tickets|track)\/:code/, '');
    const byPath: Record<string, Record<string, unknown>[]> = {
      '': Object.entries(actions).map(([action, extra]) => ({ revision, action, ...extra })),
      '/act': Object.entries(actions).map(([action, extra]) => ({ revision, action, ...extra })),
      '/replies': [
        { revision, body: 'Kami akan menghubungi Anda.' },
        { revision, body: 'Catatan', internal: true },
      ],
      '/reply': [{ revision, body: 'Kami akan menghubungi Anda.' }],
      '/findings': [{ revision, officerNip: HEAD_NIP, outcome: 'not_substantiated', note: 'Tidak terbukti.' }],
      '/finding': [{ revision, officerNip: HEAD_NIP, outcome: 'not_substantiated' }],
      '/merge': [{ revision, into: otherCode }],
      '/contact': [{ reason: 'verification' }],
      '/confirm': [{}],
      '/reopen': [{ reason: 'Belum selesai.' }],
      '/rating': [{ score: 1, comment: 'Buruk' }],
      '/objection': [{ body: 'Saya keberatan atas jawaban ini.' }],
    };
    const bodies = byPath[path];
    if (!bodies) throw new Error(`No case for ${route.method} ${route.path}: say what the named officer may do there.`);
    return bodies;
  }

  it('refuses the head it names every change on every ticket route, and leaves the ticket as it was', async function () {
    this.timeout(120_000);
    const { agent, csrf } = as('namedHead');
    const ticketChanges = routes.filter((route) => isTicketRoute(route) && changes(route));
    expect(ticketChanges.length).to.be.at.least(15);
    const before = await revisionOf(code);
    for (const route of ticketChanges)
      for (const body of bodiesFor(route, before)) {
        const url = route.path.replace(':code', code);
        const isPage = !url.startsWith('/api/');
        const call = agent[route.method.toLowerCase() as 'post' | 'patch'](url).set('X-CSRF-Token', csrf);
        const response = isPage ? await call.type('form').send({ ...body, _csrf: csrf }) : await call.send(body);
        const what = `${route.method} ${url} ${JSON.stringify(body)}`;
        expect(response.status, what).to.be.within(400, 499);
        // Staff routes say why; citizen routes (they need the citizen's token) simply do not open.
        if (route.path.startsWith('/api/v1/tickets/:code') && !/confirm|reopen|rating|objection/.test(route.path))
          expect(response.status, what).to.equal(403);
        expect(leaked(response.text), what).to.deep.equal([]);
      }
    expect(await revisionOf(code), 'the ticket changed').to.equal(before);
    // Not one contact reveal was written for them.
    const head = (await User.findOne({ email: accounts.namedHead }).lean())!;
    expect(await AuditEntry.countDocuments({ actorId: head._id, action: 'contact.view' })).to.equal(0);
  });

  it('refuses every other role without the say on this ticket, and lets the head above decide', async function () {
    this.timeout(120_000);
    const refused: (keyof typeof accounts)[] = ['siblingHead', 'handler', 'coach', 'viewer', 'officer', 'admin'];
    const revision = await revisionOf(code);
    for (const who of refused) {
      const { agent, csrf } = as(who);
      for (const action of ['verify', 'reject'] as const) {
        const response = await agent
          .patch(`/api/v1/tickets/${code}`)
          .set('X-CSRF-Token', csrf)
          .send({ revision, action, ...(action === 'reject' ? { reason: 'spam' } : {}) });
        expect(response.status, `${who} ${action}`).to.equal(403);
      }
      const contact = await agent
        .post(`/api/v1/tickets/${code}/contact`)
        .set('X-CSRF-Token', csrf)
        .send({ reason: 'verification' });
      expect(contact.status, `${who} contact`).to.equal(403);
    }
    expect(await revisionOf(code)).to.equal(revision);
    // The Dinas head decides: sees the contact (audited with the reason) and verifies.
    const { agent, csrf } = as('parentHead');
    const shown = (
      await agent.post(`/api/v1/tickets/${code}/contact`).set('X-CSRF-Token', csrf).send({ reason: 'inspection' })
    ).body;
    expect(shown).to.deep.equal(IDENTITY);
    const audit = await AuditEntry.findOne({ action: 'contact.view', target: code }).lean();
    expect(audit).to.include({ reason: 'inspection' });
    await agent
      .patch(`/api/v1/tickets/${code}`)
      .set('X-CSRF-Token', csrf)
      .send({ revision, action: 'verify' })
      .expect(200);
  });

  it('shows the head it names, on every page and API the app has, that a complaint names them, and none of its words', async function () {
    this.timeout(180_000);
    const { agent } = as('namedHead');
    const fill = (route: Route) =>
      route.path
        .replace(':code', isTicketRoute(route) ? code : /agencies/.test(route.path) ? 'JAMBI' : 'PKM-KEBUNHANDIL')
        .replace(':nip', HEAD_NIP)
        .replace(':id', /attachments/.test(route.path) ? attachmentId : new mongoose.Types.ObjectId().toHexString())
        .replace(':actionId', new mongoose.Types.ObjectId().toHexString());
    const reads = routes.filter((route) => route.method === 'GET' && !route.path.startsWith('/static'));
    expect(reads.length).to.be.at.least(50);
    // Word searches a curious head might try (the words are the complaint's, the echo of the query is not a leak).
    const probes = [
      '/inbox?q=belakang',
      '/api/v1/inbox?q=tambahan',
      '/api/v1/inbox?q=ruang+belakang',
      '/inbox?status=open',
    ];
    for (const url of [...reads.map(fill), ...probes]) {
      const response = await agent.get(url).buffer(true);
      const text = response.text ?? (Buffer.isBuffer(response.body) ? response.body.toString('latin1') : '');
      expect(response.status, url).to.be.below(500);
      expect(leaked(text), url).to.deep.equal([]);
    }
    // What they do see: that it names them, its category, its course.
    const view = (await agent.get(`/api/v1/tickets/${code}`).expect(200)).body;
    expect(view).to.include({ named: true, description: null });
    expect(view.ticket).to.include({ category: 'illegal_fee', named: true, summary: '' });
    expect(view.attachments).to.deep.equal([]);
    expect(view.can).to.deep.equal({ triage: false, work: false, finding: false });
    expect(view.contact).to.equal('hidden');
    const inbox = (await agent.get('/api/v1/inbox').expect(200)).body;
    const row = inbox.items.find((item: { code: string }) => item.code === code);
    expect(row).to.include({ named: true, summary: '' });
    const searched = (await agent.get('/api/v1/inbox?q=belakang').expect(200)).body;
    expect(searched.items.map((item: { code: string }) => item.code)).not.to.include(code);
  });

  describe('on the live inbox and by e-mail', () => {
    let live: LiveServer;
    before(async () => {
      live = await startLiveServer();
    });
    after(async () => live.close());

    it('tells the head it names of a new complaint without its words, while the head above gets them and a notice', async function () {
      this.timeout(60_000);
      const named = await signedInClient(live.baseUrl, accounts.namedHead);
      const parent = await signedInClient(live.baseUrl, accounts.parentHead);
      const namedEvents = record<TicketBroadcast>(named.socket, 'ticket:created');
      const namedUpdates = record<TicketBroadcast>(named.socket, 'ticket:updated');
      const parentEvents = record<TicketBroadcast>(parent.socket, 'ticket:created');
      const notices = record<Notice>(parent.socket, 'notice');
      const fresh = await fileAboutTheHead();
      const mine = await until('the named head hears of it', 5000, () =>
        namedEvents.find((event) => event.ticket.code === fresh),
      );
      expect(mine.ticket).to.include({ named: true, summary: '', attachments: 0 });
      const theirs = await until('the head above hears of it', 5000, () =>
        parentEvents.find((event) => event.ticket.code === fresh),
      );
      expect(theirs.ticket.summary).to.include('ZEBRA-7731');
      expect(theirs.ticket.named).to.equal(undefined);
      const notice = await until('a notice to decide', 5000, () =>
        notices.find((item) => item.kind === 'decision_moved' && item.ticketCode === fresh),
      );
      expect(notice.message).to.include(fresh);
      await until('the citizen’s reply reaches the live inbox', 5000, () =>
        namedUpdates.find((event) => event.ticket.code === fresh) ? true : undefined,
      );
      expect(leaked(JSON.stringify([...namedEvents, ...namedUpdates]))).to.deep.equal([]);
    });

    it('writes the head it names no e-mail with the citizen’s words or identity', async () => {
      // A working-day morning in Jambi (WIB): every head with unfinished tickets gets the digest.
      await sendMorningDigests({ publicUrl: live.baseUrl }, new Date('2026-12-07T01:30:00Z'));
      const mails = await Outbox.find({ to: accounts.namedHead }).lean();
      expect(mails.length).to.be.at.least(1);
      expect(leaked(JSON.stringify(mails))).to.deep.equal([]);
    });
  });

  it('lets the head above take the name off only with a reason, audited; the head then decides their own unit again', async function () {
    this.timeout(60_000);
    const { agent, csrf } = as('parentHead');
    const revision = await revisionOf(code);
    const missing = await agent
      .patch(`/api/v1/tickets/${code}`)
      .set('X-CSRF-Token', csrf)
      .send({ revision, action: 'untag', officerNip: HEAD_NIP });
    expect(missing.status).to.equal(400);
    expect(missing.body.error.fields).to.have.property('reason');
    const untagged = (
      await agent
        .patch(`/api/v1/tickets/${code}`)
        .set('X-CSRF-Token', csrf)
        .send({ revision, action: 'untag', officerNip: HEAD_NIP, reason: 'Pelaku ternyata petugas lain.' })
        .expect(200)
    ).body;
    expect(untagged.ticket.officerIds).to.deep.equal([]);
    expect(untagged.ticket.decisionUnitCode).to.equal(null);
    const audit = await AuditEntry.findOne({ action: 'ticket.untag', target: code }).lean();
    expect(audit).to.include({ reason: 'Pelaku ternyata petugas lain.' });
    const head = (await as('namedHead').agent.get(`/api/v1/tickets/${code}`).expect(200)).body;
    expect(head.named).to.equal(false);
    expect(head.can.triage).to.equal(true);
  });

  it('refuses a named head of an agency (no unit above) one by one, while another head of it decides', async () => {
    const platform = toActor((await User.findOne({ email: 'root@suara.test' }).lean())!);
    await createOfficer(platform, {
      nip: '197001011995031001',
      name: 'Wali Kota',
      position: 'Sekda',
      unitCode: 'AMBON',
    });
    for (const [email, nip] of [
      ['kepala.ambon@suara.test', '197001011995031001'],
      ['wakil.ambon@suara.test', undefined],
    ] as const)
      await createUser(platform, {
        email,
        name: email.split('@')[0]!,
        password: PASSWORD,
        role: 'unit_head',
        unitCode: 'AMBON',
        officerNip: nip,
      });
    const ref = (await Officer.findOne({ nip: '197001011995031001' }).lean())!.ref;
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'AMBON',
        category: 'officer_conduct',
        officerRef: ref,
        description: WORDS,
        privacy: 'confidential',
        consent: true,
      })
      .expect(201);
    expect((await Ticket.findOne({ code: body.code }).lean())!.decisionUnitCode).to.equal(null);
    const named = request.agent(app);
    const namedCsrf = await signIn(named, 'kepala.ambon@suara.test');
    const refused = await named
      .patch(`/api/v1/tickets/${body.code}`)
      .set('X-CSRF-Token', namedCsrf)
      .send({ revision: 0, action: 'reject', reason: 'spam' })
      .expect(403);
    expect(refused.body.error.message).to.match(/menyebut Anda/);
    const seen = (await named.get(`/api/v1/tickets/${body.code}`).expect(200)).body;
    expect(leaked(JSON.stringify(seen))).to.deep.equal([]);
    const deputy = request.agent(app);
    const deputyCsrf = await signIn(deputy, 'wakil.ambon@suara.test');
    await deputy
      .patch(`/api/v1/tickets/${body.code}`)
      .set('X-CSRF-Token', deputyCsrf)
      .send({ revision: 0, action: 'verify' })
      .expect(200);
  });

  it('never reveals the contact of an anonymous complaint, to anyone in the agency', async () => {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Antrean lama.',
        reporter: IDENTITY,
        privacy: 'anonymous',
        consent: true,
      })
      .expect(201);
    const { agent, csrf } = as('parentHead');
    const view = (await agent.get(`/api/v1/tickets/${body.code}`).expect(200)).body;
    expect(view.contact).to.equal('anonymous');
    const refused = await agent
      .post(`/api/v1/tickets/${body.code}/contact`)
      .set('X-CSRF-Token', csrf)
      .send({ reason: 'verification' })
      .expect(403);
    expect(refused.body.error.message).to.match(/anonim/i);
    // Only the address the system writes to is kept.
    const stored = (await Ticket.findOne({ code: body.code }).lean())!;
    expect(stored.reporter).to.include({ name: null, phone: null });
    expect(stored.reporter?.email).to.be.a('string');
  });
});
