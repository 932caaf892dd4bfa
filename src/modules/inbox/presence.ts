import type Joi from 'joi';
import type { RemoteSocket } from 'socket.io';
import { AppError, toAppError } from '../../platform/errors.js';
import type { Lang } from '../../platform/i18n.js';
import { logger } from '../../platform/logger.js';
import { check } from '../../platform/validate.js';
import type { Actor } from '../../platform/access.js';
import { mayRead, ticketScope, type TicketScope } from './access.js';
import {
  ClientEvents,
  ServerEvents,
  rooms,
  type PresenceUpdate,
  type Reply,
  type ServerToClientEvents,
  type StaffNamespace,
  type StaffSocket,
  type StaffSocketData,
  type Viewer,
} from './events.js';
import { say } from './language.js';
import { typingInput, watchInput } from './schemas.js';

/**
 * Presence on a ticket (who views it, who types): computed each time from the sockets in the ticket's room on every
 * process, with each socket's own `data` holding its person and typing state. No process keeps a list of users, so
 * any number of processes behind the load balancer agree, and a process that dies takes its viewers with it.
 */

/** A person views one ticket at a time, in a few tabs; more on one connection is a script. */
export const MAX_WATCHED_PER_SOCKET = 20;

type PresentSocket = RemoteSocket<ServerToClientEvents, StaffSocketData>;

/**
 * The sockets in a room on every process (through the adapter). When the other processes cannot be asked (Redis
 * down, a process not answering in time), this process's own: presence is then partial, never stuck.
 */
export async function socketsIn(nsp: StaffNamespace, room: string): Promise<PresentSocket[]> {
  try {
    return await nsp.in(room).fetchSockets();
  } catch (error) {
    logger.debug({ err: error, room }, 'other processes not reachable; presence from this process only');
    return nsp.local.in(room).fetchSockets();
  }
}

/** Each person once, however many tabs they have open; typing if they type in any of them. */
export function presenceOf(ticketId: string, sockets: Pick<PresentSocket, 'data'>[]): PresenceUpdate {
  const byUser = new Map<string, Viewer>();
  for (const { data } of sockets) {
    if (!data?.actor) continue; // a socket that has not finished connecting
    const viewer = byUser.get(data.actor.id) ?? { userId: data.actor.id, name: data.actor.name, typing: false };
    viewer.typing ||= data.typing.includes(ticketId);
    byUser.set(data.actor.id, viewer);
  }
  const viewers = [...byUser.values()].sort(
    (a, b) => a.name.localeCompare(b.name, 'id') || a.userId.localeCompare(b.userId),
  );
  return { ticketId, viewers };
}

export async function broadcastPresence(nsp: StaffNamespace, ticketId: string, sockets?: PresentSocket[]) {
  const present = sockets ?? (await socketsIn(nsp, rooms.ticket(ticketId)));
  nsp.to(rooms.ticket(ticketId)).emit(ServerEvents.presence, presenceOf(ticketId, present));
}

/**
 * After a change, watchers who may no longer read the ticket (a handler it was taken from, heads of the unit it
 * was forwarded away from) leave its room; the others hear who is left.
 */
export async function dropWatchersWhoLostAccess(nsp: StaffNamespace, ticketId: string, scope: TicketScope) {
  const room = rooms.ticket(ticketId);
  const sockets = await socketsIn(nsp, room);
  const lost = sockets.filter((socket) => socket.data?.actor && !mayRead(socket.data.actor, scope));
  if (lost.length === 0) return;
  for (const socket of lost) socket.leave(room);
  await broadcastPresence(
    nsp,
    ticketId,
    sockets.filter((socket) => !lost.includes(socket)),
  );
}

export interface PresenceContext {
  nsp: StaffNamespace;
  /** The person behind the socket now (session alive, account active), or AppError('unauthenticated'). */
  currentActor(socket: StaffSocket): Promise<Actor>;
  /** Tells the socket its session has ended and disconnects it. */
  endSession(socket: StaffSocket): void;
}

const watchedBy = (socket: StaffSocket) => [...socket.rooms].filter(rooms.isTicket).map(rooms.ticketIdOf);

/** The three client requests of presence, each checked against the person's permissions when it arrives. */
export function servePresence(socket: StaffSocket, context: PresenceContext): void {
  const { nsp } = context;
  const stopTyping = (ticketId: string) => {
    socket.data.typing = socket.data.typing.filter((id) => id !== ticketId);
  };

  socket.on(
    ClientEvents.watch,
    answer(socket, context, watchInput, async ({ ticketId }, actor) => {
      const room = rooms.ticket(ticketId);
      if (!socket.rooms.has(room) && watchedBy(socket).length >= MAX_WATCHED_PER_SOCKET)
        throw new AppError('rate_limited', 'inbox.too_many_watched');
      const scope = await ticketScope(ticketId);
      if (!scope) throw new AppError('not_found');
      if (!mayRead(actor, scope)) throw new AppError('forbidden');
      stopTyping(ticketId);
      socket.join(room);
      await broadcastPresence(nsp, ticketId);
    }),
  );

  socket.on(
    ClientEvents.unwatch,
    answer(socket, context, watchInput, async ({ ticketId }) => {
      stopTyping(ticketId);
      const room = rooms.ticket(ticketId);
      if (!socket.rooms.has(room)) return;
      socket.leave(room);
      await broadcastPresence(nsp, ticketId);
    }),
  );

  socket.on(
    ClientEvents.typing,
    answer(socket, context, typingInput, async ({ ticketId, typing }) => {
      // Permission was checked when the ticket was watched; a watcher who loses access is dropped from the room.
      if (!socket.rooms.has(rooms.ticket(ticketId))) throw new AppError('forbidden', 'inbox.not_watching');
      if (socket.data.typing.includes(ticketId) === typing) return;
      if (typing) socket.data.typing = [...socket.data.typing, ticketId];
      else stopTyping(ticketId);
      await broadcastPresence(nsp, ticketId);
    }),
  );

  // The rooms are gone by the time 'disconnect' fires; the others are told once the socket is out of them.
  let watched: string[] = [];
  socket.on('disconnecting', () => (watched = watchedBy(socket)));
  socket.on('disconnect', () => {
    for (const ticketId of watched)
      broadcastPresence(nsp, ticketId).catch((error: unknown) =>
        logger.warn({ err: error, ticketId }, 'presence after a disconnect failed'),
      );
  });
}

/**
 * A client request: the person is checked again (session, account), the input validated, and the answer given
 * through the acknowledgement — `{ ok: true }` or the error in the person's language, never a stack.
 */
function answer<T>(
  socket: StaffSocket,
  context: PresenceContext,
  schema: Joi.Schema<T>,
  handle: (input: T, actor: Actor) => Promise<void>,
) {
  return async (...args: unknown[]) => {
    const reply = typeof args.at(-1) === 'function' ? (args.pop() as (answer: Reply) => void) : undefined;
    try {
      const actor = await context.currentActor(socket);
      await handle(check(schema, args[0]), actor);
      reply?.({ ok: true });
    } catch (error) {
      const appError = toAppError(error);
      reply?.({ ok: false, error: describe(appError, socket.data.lang) });
      if (appError.code === 'unauthenticated') context.endSession(socket);
    }
  };
}

export function describe(error: AppError, lang: Lang): Extract<Reply, { ok: false }>['error'] {
  const fields = error.fields
    ? Object.fromEntries(Object.entries(error.fields).map(([path, f]) => [path, say(lang, f.key, f.params)]))
    : undefined;
  return { code: error.code, message: say(lang, error.messageKey, error.params), ...(fields ? { fields } : {}) };
}
