import { expect } from 'chai';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { User } from '../../src/modules/accounts/model.js';
import type { Notice, TicketBroadcast } from '../../src/modules/inbox/events.js';
import { publish } from '../../src/platform/events.js';
import { seedDirectory } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import {
  closeSockets,
  connected,
  fileTicket,
  record,
  signIn,
  signedInClient,
  sockets,
  startLiveServer,
  until,
  type LiveServer,
  type Session,
} from './live.js';

/** A staff socket with a session cookie and the headers a browser on some page would send. */
function browserClient(baseUrl: string, session: Session, headers: Record<string, string>) {
  const socket = connect(`${baseUrl}/staff`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: { cookie: session.cookie, ...headers },
  });
  sockets.push(socket);
  return socket;
}

/** Milliseconds from now until the server disconnects the socket (fails after 5 s). */
function disconnectedWithin(socket: ClientSocket): Promise<{ ms: number; reason: string }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected after 5 s')), 5000);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - start, reason });
    });
  });
}

const signOutThroughApi = (baseUrl: string, session: Session) =>
  fetch(`${baseUrl}/api/v1/auth/logout`, {
    method: 'POST',
    headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrfToken, Accept: 'application/json' },
  });

describe('The live inbox: only Suara’s own pages may open it, and it ends with its session', () => {
  useTestDatabase();
  let server: LiveServer;

  before(async () => {
    await seedDirectory();
    // The periodic session check is left at its minute: every ending below must come from the sign-out itself.
    server = await startLiveServer();
  });
  after(async () => server?.close());
  beforeEach(resetRateLimits);
  afterEach(closeSockets);

  it('refuses a signed-in cookie sent from another site’s page (Origin https://evil.example), in the person’s language', async () => {
    const session = await signIn(server.baseUrl, 'kepala.dinkes@suara.test');
    const refusal = await connected(browserClient(server.baseUrl, session, { origin: 'https://evil.example' })).then(
      () => expect.fail('a socket from another site was let in'),
      (error: Error & { data?: { code: string } }) => error,
    );
    expect(refusal.message).to.equal('Koneksi dari situs lain ditolak. Buka kotak masuk dari alamat Suara sendiri.');
    expect(refusal.data).to.deep.equal({ code: 'unauthenticated' });

    const english = { ...session, cookie: `lang=en; ${session.cookie}` };
    for (const origin of ['https://evil.example', 'null', `http://evil.example:${new URL(server.baseUrl).port}`]) {
      const refused = await connected(browserClient(server.baseUrl, english, { origin })).then(
        () => expect.fail(`a socket from ${origin} was let in`),
        (error: Error) => error,
      );
      expect(refused.message, origin).to.equal(
        'Connections from another site are refused. Open the inbox from Suara’s own address.',
      );
    }
  });

  it('lets in Suara’s own pages: its public address, and the host the request came to', async () => {
    const session = await signIn(server.baseUrl, 'kepala.dinkes@suara.test');
    // PUBLIC_URL is unset in this server's config: http://localhost:3000.
    await connected(browserClient(server.baseUrl, session, { origin: 'http://localhost:3000' }));
    await connected(browserClient(server.baseUrl, session, { origin: server.baseUrl }));
    // No Origin: not a browser page; the session decides, as before.
    await connected(browserClient(server.baseUrl, session, {}));
  });

  it('a signed-in socket hears tickets; signed out, it is told so and cut off within a second and hears none', async () => {
    const { socket, session } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
    const tickets = record<TicketBroadcast>(socket, 'ticket:created');
    const notices = record<Notice>(socket, 'notice');
    const first = await fileTicket(server.baseUrl);
    await until('the head to hear of the first ticket', 5000, () =>
      tickets.some((event) => event.ticket.code === first) ? true : undefined,
    );

    const gone = disconnectedWithin(socket);
    expect((await signOutThroughApi(server.baseUrl, session)).status).to.equal(204);
    const { ms, reason } = await gone;
    expect(reason).to.equal('io server disconnect');
    expect(ms).to.be.below(1000);
    expect(notices.map(({ kind, message }) => ({ kind, message }))).to.deep.equal([
      { kind: 'session_ended', message: 'Sesi Anda sudah berakhir. Masuk kembali untuk melanjutkan.' },
    ]);

    // A witness still signed in hears the next ticket: by then the signed-out socket would have heard it too.
    const { socket: witness } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
    const witnessed = record<TicketBroadcast>(witness, 'ticket:created');
    const second = await fileTicket(server.baseUrl);
    await until('the witness to hear of the second ticket', 5000, () =>
      witnessed.some((event) => event.ticket.code === second) ? true : undefined,
    );
    expect(tickets.map((event) => event.ticket.code)).to.deep.equal([first]);
  });

  it('signing out with the page’s form ends only that session’s sockets, each told in its own language', async () => {
    const session = await signIn(server.baseUrl, 'kepala.dinkes@suara.test');
    const english = browserClient(server.baseUrl, { ...session, cookie: `lang=en; ${session.cookie}` }, {});
    await connected(english);
    const notices = record<Notice>(english, 'notice');
    // The same person in another browser, with a session of their own, goes on.
    const { socket: elsewhere } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');

    const gone = disconnectedWithin(english);
    const form = await fetch(`${server.baseUrl}/logout`, {
      method: 'POST',
      headers: { Cookie: session.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrfToken }),
      redirect: 'manual',
    });
    expect(form.status).to.equal(303);
    expect((await gone).ms).to.be.below(1000);
    expect(notices.map((notice) => notice.message)).to.deep.equal([
      'Your session has ended. Sign in again to continue.',
    ]);
    expect(elsewhere.connected).to.equal(true);
  });

  it('ends every socket of a person whose sessions all ended (an account disabled), and no one else’s', async () => {
    const { socket: tabOne } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
    const { socket: tabTwo } = await signedInClient(server.baseUrl, 'kepala.kebunhandil@suara.test');
    const { socket: other } = await signedInClient(server.baseUrl, 'kepala.dinkes@suara.test');
    const userId = String((await User.findOne({ email: 'kepala.kebunhandil@suara.test' }).lean())!._id);
    const gone = [disconnectedWithin(tabOne), disconnectedWithin(tabTwo)];
    publish('user.sessions_ended', { userId, sessionId: null });
    for (const { ms } of await Promise.all(gone)) expect(ms).to.be.below(1000);
    expect(other.connected).to.equal(true);
  });
});
