import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Types } from 'mongoose';
import type { Server, ServerOptions } from 'socket.io';
import { AppError } from '../../platform/errors.js';
import { subscribe, type DomainEvents } from '../../platform/events.js';
import { languages } from '../../platform/i18n.js';
import { logger } from '../../platform/logger.js';
import { actorForUserId } from '../accounts/index.js';
import { audienceOf, loadInboxItem, officerIdOf, withheldFromNamed, type InboxItem } from '../feedback/index.js';
import { mayRead, ticketScope, unitRoomsOf } from './access.js';
import {
  STAFF_NAMESPACE,
  ServerEvents,
  rooms,
  type ServerToClientEvents,
  type StaffNamespace,
  type StaffSocket,
} from './events.js';
import { langOfHandshake, say } from './language.js';
import { broadcastPresence, dropWatchersWhoLostAccess, servePresence } from './presence.js';

/**
 * The live staff inbox over Socket.IO (docs/architecture.md#live-fan-out): namespace `/staff`, signed in by the same session
 * cookie as the pages. A socket joins the rooms of the units its grants read and its personal room; ticket events
 * from the domain bus go to the rooms of the ticket's unit and every unit above it, as the staff-safe projection.
 */

/**
 * Options for `new Server(http, ...)`. Connection state recovery: a client that drops for up to two minutes gets
 * the events it missed when it comes back (`socket.recovered`), with the session checked again on the way in.
 * It works with the default in-memory adapter only: @socket.io/redis-adapter does not implement it, so with
 * REDIS_URL a returning client gets a fresh connection (`recovered` false) and refetches `GET /api/v1/inbox`, which
 * is what every client must do whenever `recovered` is false.
 */
export const staffSocketOptions: Partial<ServerOptions> = {
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
};

export interface InboxGatewayOptions {
  /** The app's express-session middleware (the same store and secret as the pages). */
  sessionMiddleware: RequestHandler;
  /** How often connected sockets are checked for a session that ended (sign-out, expiry) or a disabled account. */
  sessionCheckMs?: number;
  /** The app's address (config.publicUrl): a browser's handshake must come from its origin (or the host it asked). */
  publicUrl?: string;
}

export interface InboxGateway {
  namespace: StaffNamespace;
  close(): Promise<void>;
}

let attached: StaffNamespace | undefined;

/**
 * Sends an event to one person on every process (escalations and other personal notices). Services do not call
 * this (they never touch Socket.IO): they publish `user.notice` on the domain bus, and the gateway delivers it.
 */
export function notifyUser<E extends keyof ServerToClientEvents>(
  userId: string,
  event: E,
  ...payload: Parameters<ServerToClientEvents[E]>
): void {
  if (!attached) return logger.debug({ userId, event }, 'no live gateway; notice not sent');
  (attached.to(rooms.user(userId)).emit as (event: E, ...args: typeof payload) => boolean)(event, ...payload);
}

type SessionRequest = IncomingMessage & Partial<Pick<Request, 'session' | 'sessionID' | 'sessionStore'>>;

/**
 * A browser names the page that opens a socket in `Origin`; the session cookie rides along whatever the page, so
 * only Suara's own pages may use it: the public origin, or the host the request came to (local development). A
 * client without Origin is no browser page and is judged by its session alone.
 */
function fromOwnOrigin(request: IncomingMessage, publicOrigin: string | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (a sandboxed frame, a file) or garbage
  }
  if (url.origin === publicOrigin) return true;
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === request.headers.host;
}

/** The user id the session holds in the store now: undefined once it has ended; throws when the store fails. */
function sessionUserId(request: SessionRequest): Promise<string | undefined> {
  const { sessionStore, sessionID } = request;
  if (!sessionStore || !sessionID) return Promise.resolve(undefined);
  return new Promise((resolve, reject) =>
    sessionStore.get(sessionID, (error, session) => (error ? reject(error) : resolve(session?.userId))),
  );
}

export function attachInboxGateway(io: Server, options: InboxGatewayOptions): InboxGateway {
  // The server is typed by whoever creates it; this namespace speaks the protocol of events.ts.
  const nsp = io.of(STAFF_NAMESPACE) as unknown as StaffNamespace;
  checkHandshakes(nsp, options);
  const sessions = keepSessions(nsp);

  nsp.on('connection', (socket) => {
    sessions.syncRooms(socket);
    // Named rooms, so that a sign-out on any process reaches the sockets of that session (user.sessions_ended).
    const { sessionID } = socket.request as SessionRequest;
    if (sessionID) socket.join(rooms.session(sessionID));
    socket.join(rooms.lang(socket.data.lang));
    servePresence(socket, { nsp, currentActor: sessions.currentActor, endSession: sessions.endSession });
    if (socket.recovered) void sessions.recheckWatched(socket);
  });

  // Signed out, expired or disabled: the socket stops hearing anything within one check.
  const sessionTimer = setInterval(() => void sessions.checkAll(), options.sessionCheckMs ?? 60_000);
  sessionTimer.unref();
  const unsubscribe = followEvents(nsp);

  attached = nsp;
  return {
    namespace: nsp,
    async close() {
      clearInterval(sessionTimer);
      for (const stop of unsubscribe) stop();
      if (attached === nsp) attached = undefined;
      nsp.local.disconnectSockets(true);
    },
  };
}

const refusal = (socket: StaffSocket, key: string, code: string) =>
  Object.assign(new Error(say(langOfHandshake(socket.request), key)), { data: { code } });

/** Who may connect: a browser on Suara's own origin, with a session of a person who is still signed in. */
function checkHandshakes(nsp: StaffNamespace, options: InboxGatewayOptions): void {
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  nsp.use((socket, next) =>
    fromOwnOrigin(socket.request, publicOrigin)
      ? next()
      : next(refusal(socket, 'inbox.foreign_origin', 'unauthenticated')),
  );

  // The handshake request goes through express-session as a page request would (it only reads the session).
  nsp.use((socket, next) =>
    options.sessionMiddleware(
      socket.request as Request,
      {} as Response,
      ((error?: unknown) => {
        if (!error) return next();
        logger.warn({ err: error }, 'live inbox connection refused: could not read the session');
        next(refusal(socket, 'error.unavailable', 'unavailable'));
      }) as NextFunction,
    ),
  );
  nsp.use(async (socket, next) => {
    const lang = langOfHandshake(socket.request);
    const refuse = (key: string, code: string) => next(refusal(socket, key, code));
    try {
      const userId = (socket.request as SessionRequest).session?.userId;
      const actor = userId ? await actorForUserId(userId) : undefined;
      // A recovered connection must come back as the same person.
      if (!actor || (socket.recovered && socket.data.actor?.id !== actor.id))
        return refuse('inbox.sign_in', 'unauthenticated');
      socket.data = {
        actor,
        lang,
        typing: socket.recovered ? (socket.data.typing ?? []) : [],
        officerId: await officerIdOf(actor),
      };
      next();
    } catch (error) {
      logger.warn({ err: error }, 'live inbox connection refused: could not check the session');
      refuse('error.unavailable', 'unavailable');
    }
  });
}

/** A connected person's rooms follow their grants, and their socket goes when their session ends. */
function keepSessions(nsp: StaffNamespace) {
  /** Joins the person's own room and the rooms of the units their grants read; leaves rooms no longer granted. */
  const syncRooms = (socket: StaffSocket) => {
    const { actor } = socket.data;
    const wanted = new Set([rooms.user(actor.id), ...unitRoomsOf(actor)]);
    if (socket.data.officerId) wanted.add(rooms.officer(socket.data.officerId));
    for (const room of socket.rooms) if (/^(unit|user|officer):/.test(room) && !wanted.has(room)) socket.leave(room);
    socket.join([...wanted]);
  };

  /** Back in the ticket rooms it had (recovered) or with other grants: keep those it may still read, and say so. */
  const recheckWatched = async (socket: StaffSocket) => {
    for (const room of [...socket.rooms].filter(rooms.isTicket)) {
      const ticketId = rooms.ticketIdOf(room);
      try {
        const scope = await ticketScope(ticketId);
        if (!scope || !mayRead(socket.data.actor, scope)) socket.leave(room);
        await broadcastPresence(nsp, ticketId);
      } catch (error) {
        logger.warn({ err: error, ticketId }, 'presence after a recovered connection failed');
      }
    }
  };

  const currentActor = async (socket: StaffSocket) => {
    const userId = await sessionUserId(socket.request as SessionRequest);
    const actor = userId === socket.data.actor.id ? await actorForUserId(userId) : undefined;
    if (!actor) throw new AppError('unauthenticated', 'inbox.session_ended');
    const regranted = JSON.stringify(actor.grants) !== JSON.stringify(socket.data.actor.grants);
    socket.data.actor = actor;
    socket.data.officerId = await officerIdOf(actor);
    syncRooms(socket);
    if (regranted) void recheckWatched(socket);
    return actor;
  };

  const endSession = (socket: StaffSocket) => {
    socket.emit(ServerEvents.notice, {
      kind: 'session_ended',
      ticketCode: null,
      message: say(socket.data.lang, 'inbox.session_ended'),
      at: new Date().toISOString(),
    });
    socket.disconnect(true);
  };

  let checking = false;
  const checkAll = async () => {
    if (checking) return;
    checking = true;
    try {
      for (const socket of nsp.sockets.values()) {
        await currentActor(socket).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'unauthenticated') endSession(socket);
          else logger.warn({ err: error }, 'could not check a live inbox session; checking again later');
        });
      }
    } finally {
      checking = false;
    }
  };

  return { syncRooms, recheckWatched, currentActor, endSession, checkAll };
}

/** The ticket once, as the staff-safe projection, to its unit rooms, every unit above, `unit:*` and its handler. */
async function broadcastTicket(nsp: StaffNamespace, event: DomainEvents['ticket.created'], change?: string) {
  // The event carries the projection as it was written; only an event without one costs a read.
  const ticket = (event.item as InboxItem | undefined) ?? (await loadInboxItem(event.ticketId));
  // Moved to another unit since this event: the event of that move tells the right rooms about it.
  if (!ticket || ticket.unitId !== event.unitId) return;
  const audience = audienceOf({
    unitPath: event.unitPath.map((id) => new Types.ObjectId(id)),
    assignee: { userId: ticket.assignee ? new Types.ObjectId(ticket.assignee.userId) : null },
  });
  const listening = [...audience, rooms.everyUnit];
  const named = ticket.officerIds.map(rooms.officer);
  // One emit to the union of rooms (a person in two of them gets it once), except to the officers it names.
  const send = (to: { emit: StaffNamespace['emit'] }, item: typeof ticket) =>
    change === undefined
      ? to.emit(ServerEvents.ticketCreated, { ticket: item })
      : to.emit(ServerEvents.ticketUpdated, { ticket: item, change });
  send(nsp.to(listening).except(named), ticket);
  // The named officer still hears that a ticket names them, without its words; each of their sockets that would
  // have heard it is asked for (on every process, through the adapter).
  if (named.length) {
    const withheld = withheldFromNamed(ticket);
    for (const socket of await nsp.in(named).fetchSockets())
      if (listening.some((room) => socket.rooms.has(room))) send(socket, withheld);
  }
  return ticket;
}

/** Signed out, disabled or reset: those sockets hear the notice and go at once, on every process. */
function endSessions(nsp: StaffNamespace, event: DomainEvents['user.sessions_ended']): void {
  const ended = [
    event.sessionId ? rooms.session(event.sessionId) : null,
    event.userId ? rooms.user(event.userId) : null,
  ].filter((room): room is string => room !== null);
  if (!ended.length) return;
  const at = new Date().toISOString();
  for (const lang of languages)
    nsp
      .to(ended)
      .except(languages.filter((other) => other !== lang).map(rooms.lang))
      .emit(ServerEvents.notice, {
        kind: 'session_ended',
        ticketCode: null,
        message: say(lang, 'inbox.session_ended'),
        at,
      });
  nsp.in(ended).disconnectSockets(true);
}

/** The domain events the live inbox passes on; returns the unsubscribers. */
function followEvents(nsp: StaffNamespace): (() => void)[] {
  return [
    subscribe('ticket.created', async (event) => {
      await broadcastTicket(nsp, event);
    }),
    subscribe('ticket.updated', async (event) => {
      const ticket = await broadcastTicket(nsp, event, event.change);
      if (ticket)
        await dropWatchersWhoLostAccess(nsp, ticket.id, {
          unitPath: event.unitPath,
          assigneeId: ticket.assignee?.userId ?? null,
        });
    }),
    subscribe('user.sessions_ended', (event) => endSessions(nsp, event)),
    subscribe('user.notice', (event) => {
      notifyUser(event.userId, ServerEvents.notice, {
        kind: event.kind,
        ticketCode: event.ticketCode,
        message: event.message,
        at: new Date().toISOString(),
      });
    }),
  ];
}
