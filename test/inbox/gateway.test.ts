import { expect } from 'chai';
import { type AddressInfo, createServer } from 'node:net';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import type { InboxItem } from '../../src/modules/feedback/inbox-item.js';
import type { Notice, PresenceUpdate, Reply, TicketBroadcast } from '../../src/modules/inbox/events.js';
import { publish } from '../../src/platform/events.js';
import { PASSWORD, seedDirectory } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import {
  ask,
  closeSockets,
  connected,
  fileTicket,
  record,
  signIn,
  signedInClient,
  staffClient,
  startLiveServer,
  until,
  type LiveServer,
  type Session,
} from './live.js';

const userId = async (email: string) => String((await User.findOne({ email }).lean())!._id);

/** A staff action through the JSON API, as the inbox page sends it. */
async function act(baseUrl: string, session: Session, code: string, body: Record<string, unknown>) {
  const response = await fetch(`${baseUrl}/api/v1/tickets/${code}`, {
    method: 'PATCH',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Cookie: session.cookie,
      'X-CSRF-Token': session.csrfToken,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`${body.action} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { revision?: number; ticket?: { revision: number } };
}

const codes = (events: TicketBroadcast[]) => events.map((event) => event.ticket.code);
const last = <T>(list: T[]) => list[list.length - 1];

describe('The live staff inbox over Socket.IO (namespace /staff)', () => {
  useTestDatabase();

  before(async () => {
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'kepala.putriayu@suara.test',
      name: 'Kepala Putri Ayu',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'PKM-PUTRIAYU',
    });
  });
  beforeEach(resetRateLimits);
  afterEach(closeSockets);

  describe('on one process', () => {
    let server: LiveServer;
    before(async () => {
      server = await startLiveServer({ sessionCheckMs: 200 });
    });
    after(async () => server?.close());

    it('a head of Dinas Kesehatan sees a complaint filed at Puskesmas Kebun Handil the moment it arrives; the head of Puskesmas Putri Ayu does not', async () => {
      const { socket: dinkes } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
      const { socket: sibling } = await signedInClient(server.baseUrl, 'kepala.putriayu@suara.test');
      const atDinkes = record<TicketBroadcast>(dinkes, 'ticket:created');
      const atSibling = record<TicketBroadcast>(sibling, 'ticket:created');

      const kebunHandil = await fileTicket(server.baseUrl);
      await until('the Dinkes head to hear of it', 5000, () =>
        codes(atDinkes).includes(kebunHandil) ? true : undefined,
      );
      expect(atDinkes[0]!.ticket).to.include({ code: kebunHandil, unitCode: 'PKM-KEBUNHANDIL', status: 'received' });

      // Sent to every room at once: had the sibling been in the audience, it would have had it before this one.
      const putriAyu = await fileTicket(server.baseUrl, { unitCode: 'PKM-PUTRIAYU' });
      await until('the Putri Ayu head to hear of its own', 5000, () => (atSibling.length ? true : undefined));
      expect(codes(atSibling)).to.deep.equal([putriAyu]);
      await until('the Dinkes head to hear of both', 5000, () => (atDinkes.length === 2 ? true : undefined));
      expect(codes(atDinkes)).to.deep.equal([kebunHandil, putriAyu]);
    });

    it('carries the staff-safe projection: no name, e-mail or phone of the reporter, and none left in the summary', async () => {
      const { socket: head } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
      const received = record<TicketBroadcast>(head, 'ticket:created');
      const code = await fileTicket(server.baseUrl, {
        privacy: 'public',
        reporter: { name: 'Rahmat Hidayat', email: 'rahmat.hidayat@contoh.id', phone: '0812 3456 7890' },
        description:
          'Saya menunggu tiga jam di loket. Hubungi saya di 0812 3456 7890 atau rahmat.hidayat@contoh.id, NIK 1571020101900001.',
      });
      const event = await until('the head to hear of it', 5000, () => received.find((e) => e.ticket.code === code));
      const wire = JSON.stringify(event);
      for (const secret of ['Rahmat', 'Hidayat', 'rahmat.hidayat', 'contoh.id', '3456', '7890', '1571020101900001'])
        expect(wire, `the payload shows ${secret}`).not.to.include(secret);
      expect(event.ticket).not.to.have.any.keys('reporter', 'history', 'description', 'searchTokens');
      expect(event.ticket.summary).to.include('menunggu tiga jam');
    });

    it('refuses a connection without a signed-in session, saying why, in the person’s language', async () => {
      const anonymous = staffClient(server.baseUrl);
      const refusal = await connected(anonymous).then(
        () => expect.fail('an anonymous socket was let in'),
        (error: Error & { data?: { code: string } }) => error,
      );
      expect(refusal.message).to.equal('Masuk sebagai petugas untuk menerima kotak masuk langsung.');
      expect(refusal.data).to.deep.equal({ code: 'unauthenticated' });

      const english = staffClient(server.baseUrl, { cookie: 'lang=en; suara.sid=s%3Anot-a-session.x', csrfToken: '' });
      const refusedInEnglish = await connected(english).then(
        () => expect.fail('a forged cookie was let in'),
        (error: Error) => error,
      );
      expect(refusedInEnglish.message).to.equal('Sign in as staff to receive the live inbox.');
    });

    it('refuses the cookie of a session that was signed out, and cuts off a live socket when its session ends', async () => {
      const { socket, session } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
      const notices = record<Notice>(socket, 'notice');
      const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      const signOut = await fetch(`${server.baseUrl}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrfToken, Accept: 'application/json' },
      });
      expect(signOut.status).to.equal(204);
      const reason = await Promise.race([
        gone,
        new Promise((_, reject) => setTimeout(() => reject(new Error('still connected after 5 s')), 5000)),
      ]);
      expect(reason).to.equal('io server disconnect');
      expect(notices.map((notice) => notice.kind)).to.deep.equal(['session_ended']);

      const again = staffClient(server.baseUrl, session);
      const refusal = await connected(again).then(
        () => expect.fail('a signed-out session was let in'),
        (error: Error & { data?: { code: string } }) => error,
      );
      expect(refusal.data).to.deep.equal({ code: 'unauthenticated' });
    });

    it('shows who else views a ticket and who types, across tabs, and drops whoever leaves', async () => {
      const { socket: dinkes } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
      const { socket: kebun } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
      const created = record<TicketBroadcast>(kebun, 'ticket:created');
      const code = await fileTicket(server.baseUrl);
      const { id: ticketId } = (await until('the ticket', 5000, () => created.find((e) => e.ticket.code === code)))
        .ticket as InboxItem;
      const seenByDinkes = record<PresenceUpdate>(dinkes, 'presence:update');
      const names = (update?: PresenceUpdate) => update?.viewers.map((v) => `${v.name}${v.typing ? ' (typing)' : ''}`);
      const dinkesSees = (expected: string[]) =>
        until(`Dinkes to see ${expected.join(', ')}`, 5000, () =>
          JSON.stringify(names(last(seenByDinkes))) === JSON.stringify(expected) ? true : undefined,
        );

      expect(await ask<Reply>(dinkes, 'ticket:watch', { ticketId })).to.deep.equal({ ok: true });
      await dinkesSees(['kepala.dinkes']);
      expect(await ask<Reply>(kebun, 'ticket:watch', { ticketId })).to.deep.equal({ ok: true });
      await dinkesSees(['kepala.dinkes', 'kepala.kebunhandil']);
      expect(last(seenByDinkes)!.ticketId).to.equal(ticketId);

      expect(await ask<Reply>(kebun, 'ticket:typing', { ticketId, typing: true })).to.deep.equal({ ok: true });
      await dinkesSees(['kepala.dinkes', 'kepala.kebunhandil (typing)']);

      // The same person in a second tab is one viewer; typing in either tab counts.
      const { socket: secondTab } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
      await ask(secondTab, 'ticket:watch', { ticketId });
      await dinkesSees(['kepala.dinkes', 'kepala.kebunhandil (typing)']);
      await ask(kebun, 'ticket:typing', { ticketId, typing: false });
      await dinkesSees(['kepala.dinkes', 'kepala.kebunhandil']);

      kebun.disconnect();
      secondTab.disconnect();
      await dinkesSees(['kepala.dinkes']);
    });

    it('lets a handler hear of and watch only the tickets assigned to them', async () => {
      const { socket: head, session: headSession } = await signedInClient(
        server.baseUrl,
        'kepala.kebunhandil@suara.test',
      );
      const { socket: handler } = await signedInClient(server.baseUrl, 'petugas@suara.test');
      const atHead = record<TicketBroadcast>(head, 'ticket:created');
      const handlerCreated = record<TicketBroadcast>(handler, 'ticket:created');
      const handlerUpdated = record<TicketBroadcast>(handler, 'ticket:updated');

      const code = await fileTicket(server.baseUrl);
      const { ticket } = await until('the head to hear of it', 5000, () => atHead.find((e) => e.ticket.code === code));
      const refused = await ask<Reply>(handler, 'ticket:watch', { ticketId: ticket.id });
      expect(refused).to.deep.equal({
        ok: false,
        error: { code: 'forbidden', message: 'Anda tidak berhak melakukan ini.' },
      });
      const typing = await ask<Reply>(handler, 'ticket:typing', { ticketId: ticket.id, typing: true });
      expect(typing).to.have.nested.property('error.code', 'forbidden');

      const headUpdated = record<TicketBroadcast>(head, 'ticket:updated');
      await act(server.baseUrl, headSession, code, { action: 'verify', revision: ticket.revision });
      const verified = await until('the verification', 5000, () => headUpdated.find((e) => e.change === 'verified'));
      await act(server.baseUrl, headSession, code, {
        action: 'assign',
        revision: verified.ticket.revision,
        assigneeId: await userId('petugas@suara.test'),
      });
      const assigned = await until('the handler to hear of the assignment', 5000, () =>
        handlerUpdated.find((e) => e.change === 'assigned'),
      );
      expect(assigned.ticket).to.include({ code, status: 'assigned' });
      // The first the handler heard of this ticket was its assignment.
      expect(handlerCreated).to.deep.equal([]);
      expect(handlerUpdated.map((e) => e.change)).to.deep.equal(['assigned']);
      await until('the head to hear of it too', 5000, () => headUpdated.find((e) => e.change === 'assigned'));

      expect(await ask<Reply>(handler, 'ticket:watch', { ticketId: ticket.id })).to.deep.equal({ ok: true });
    });

    it('drops a watcher from the presence of a ticket forwarded out of their unit', async () => {
      const { socket: dinkes, session: dinkesSession } = await signedInClient(
        server.baseUrl,
        'kepala.dinkes@suara.test',
      );
      const { socket: kebun } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
      const created = record<TicketBroadcast>(dinkes, 'ticket:created');
      const code = await fileTicket(server.baseUrl);
      const { ticket } = await until('the ticket', 5000, () => created.find((e) => e.ticket.code === code));
      const seenByDinkes = record<PresenceUpdate>(dinkes, 'presence:update');
      await ask(dinkes, 'ticket:watch', { ticketId: ticket.id });
      await ask(kebun, 'ticket:watch', { ticketId: ticket.id });
      await until('both to be there', 5000, () => (last(seenByDinkes)?.viewers.length === 2 ? true : undefined));

      await act(server.baseUrl, dinkesSession, code, {
        action: 'forward',
        revision: ticket.revision,
        unitCode: 'PKM-PUTRIAYU',
      });
      await until('Kebun Handil to be dropped', 5000, () =>
        last(seenByDinkes)?.viewers.length === 1 ? true : undefined,
      );
      expect(last(seenByDinkes)!.viewers.map((v) => v.name)).to.deep.equal(['kepala.dinkes']);
      const typing = await ask<Reply>(kebun, 'ticket:typing', { ticketId: ticket.id, typing: true });
      expect(typing).to.deep.equal({
        ok: false,
        error: { code: 'forbidden', message: 'Buka tiket ini terlebih dahulu.' },
      });
    });

    it('answers a malformed request with the validation error, not silence', async () => {
      const { socket } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
      const answer = await ask<Reply>(socket, 'ticket:watch', { ticketId: 'not-an-id' });
      expect(answer).to.have.nested.property('error.code', 'validation');
      expect(answer).to.have.nested.property('error.fields.ticketId');
      const missing = await ask<Reply>(socket, 'ticket:watch', { ticketId: '0123456789abcdef01234567' });
      expect(missing).to.have.nested.property('error.code', 'not_found');
    });

    it('delivers a personal notice (user.notice on the domain bus) to that person only', async () => {
      const { socket: dinkes } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
      const { socket: kebun } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
      const atDinkes = record<Notice>(dinkes, 'notice');
      const atKebun = record<Notice>(kebun, 'notice');
      publish('user.notice', {
        userId: await userId('kepala.dinkes@suara.test'),
        kind: 'escalation',
        ticketCode: 'ABCD-EFGH',
        message: 'Tiket ABCD-EFGH melewati batas waktu verifikasi.',
      });
      publish('user.notice', {
        userId: await userId('kepala.kebunhandil@suara.test'),
        kind: 'escalation',
        ticketCode: 'JKLM-NPQR',
        message: 'Tiket JKLM-NPQR melewati batas waktu verifikasi.',
      });
      await until('both notices', 5000, () => (atDinkes.length && atKebun.length ? true : undefined));
      expect(atDinkes.map((n) => n.ticketCode)).to.deep.equal(['ABCD-EFGH']);
      expect(atKebun.map((n) => n.ticketCode)).to.deep.equal(['JKLM-NPQR']);
      expect(atDinkes[0]).to.include({
        kind: 'escalation',
        message: 'Tiket ABCD-EFGH melewati batas waktu verifikasi.',
      });
    });

    it('gives a client that dropped for a moment the tickets it missed, when it comes back', async () => {
      const session = await signIn(server.baseUrl, 'kepala.dinkes@suara.test');
      const dropping = staffClient(server.baseUrl, session);
      await connected(dropping);
      const { socket: steady } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
      const missed = record<TicketBroadcast>(dropping, 'ticket:created');
      const seen = record<TicketBroadcast>(steady, 'ticket:created');
      // A client resumes from the last event it received, so it has received one.
      const before = await fileTicket(server.baseUrl);
      await until('the first ticket', 5000, () => (codes(missed).includes(before) ? true : undefined));

      const dropped = new Promise<string>((resolve) => dropping.once('disconnect', resolve));
      dropping.io.engine.close(); // the connection goes away under the client, as on a train going into a tunnel
      await dropped;
      const code = await fileTicket(server.baseUrl);
      await until('the steady client to hear of it', 5000, () => (codes(seen).includes(code) ? true : undefined));
      expect(codes(missed)).to.deep.equal([before]);

      dropping.connect();
      await connected(dropping);
      expect(dropping.recovered, 'connection state recovered').to.equal(true);
      await until('the missed ticket', 5000, () => (codes(missed).includes(code) ? true : undefined));
      expect(codes(missed)).to.deep.equal([before, code]);
    });
  });

  describe('with REDIS_URL set but Redis unreachable', () => {
    let server: LiveServer;
    before(async () => {
      // A port that was free a moment ago: nothing answers there.
      const port = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port: free } = probe.address() as AddressInfo;
          probe.close(() => resolve(free));
        });
      });
      server = await startLiveServer({ redisUrl: `redis://127.0.0.1:${port}` });
    });
    after(async () => server?.close());

    it('still serves its own sockets: new tickets and presence stay within the process until Redis is back', async () => {
      const { socket: dinkes } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
      const { socket: kebun } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
      const created = record<TicketBroadcast>(dinkes, 'ticket:created');
      const code = await fileTicket(server.baseUrl);
      const { ticket } = await until('the ticket', 5000, () => created.find((e) => e.ticket.code === code));
      const presence = record<PresenceUpdate>(dinkes, 'presence:update');
      expect(await ask<Reply>(dinkes, 'ticket:watch', { ticketId: ticket.id })).to.deep.equal({ ok: true });
      expect(await ask<Reply>(kebun, 'ticket:watch', { ticketId: ticket.id })).to.deep.equal({ ok: true });
      await until('both viewers', 5000, () => (last(presence)?.viewers.length === 2 ? true : undefined));
    });
  });
});
