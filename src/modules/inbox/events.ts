import { createHash } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import type { InboxItem } from '../feedback/index.js';
import type { Actor } from '../../platform/access.js';
import type { Lang } from '../../platform/i18n.js';

/**
 * Every Socket.IO name of the live staff inbox in one place (docs/architecture.md#live-fan-out): the namespace, the rooms,
 * what clients ask and what the server broadcasts, with the shape of each payload. A browser script or a test reads
 * this file to know the whole protocol.
 */
export const STAFF_NAMESPACE = '/staff';

/** What a client may ask. Each is answered through the Socket.IO acknowledgement with a `Reply`. */
export const ClientEvents = {
  /** Start viewing a ticket: `{ ticketId }`; refused unless the person may read that ticket. */
  watch: 'ticket:watch',
  /** Stop viewing a ticket: `{ ticketId }`. */
  unwatch: 'ticket:unwatch',
  /** Typing on a watched ticket, or stopped: `{ ticketId, typing }`. */
  typing: 'ticket:typing',
} as const;

/** What the server broadcasts. */
export const ServerEvents = {
  /** A new ticket in the person's scope: `{ ticket }`. */
  ticketCreated: 'ticket:created',
  /** A ticket in the person's scope changed: `{ ticket, change }`. */
  ticketUpdated: 'ticket:updated',
  /** Who views and who types on a watched ticket: `{ ticketId, viewers }`. */
  presence: 'presence:update',
  /** A personal notice (an escalation, ...): `{ kind, ticketCode, message, at }`. */
  notice: 'notice',
} as const;

/**
 * Rooms. A ticket's events go to its unit and every unit above it, so a head joins only their own unit's room and
 * still hears the whole subtree; a grant on every unit joins `unit:*`, which every ticket event also names.
 */
export const rooms = {
  unit: (unitId: string) => `unit:${unitId}`,
  everyUnit: 'unit:*',
  user: (userId: string) => `user:${userId}`,
  /** The sockets of accounts linked to an officer: a ticket naming them reaches them without the citizen's words. */
  officer: (officerId: string) => `officer:${officerId}`,
  /** The sockets of one signed-in session, named by a hash: room names travel through Redis, session ids are secrets. */
  session: (sessionId: string) => `session:${createHash('sha256').update(sessionId).digest('hex').slice(0, 32)}`,
  /** The sockets that read in one language, so that one broadcast notice can reach each in its own. */
  lang: (lang: Lang) => `lang:${lang}`,
  ticket: (ticketId: string) => `ticket:${ticketId}`,
  isTicket: (room: string) => room.startsWith('ticket:'),
  ticketIdOf: (room: string) => room.slice('ticket:'.length),
};

export interface TicketBroadcast {
  /** The staff-safe projection: no contact data, no internal notes, a scrubbed summary. */
  ticket: InboxItem;
  /** What changed (`verified`, `assigned`, `reply`, ...), on `ticket:updated` only. */
  change?: string;
}

export interface Viewer {
  userId: string;
  name: string;
  typing: boolean;
}

export interface PresenceUpdate {
  ticketId: string;
  /** Each person once (however many tabs they have open), by name. */
  viewers: Viewer[];
}

export interface Notice {
  kind: string;
  ticketCode: string | null;
  message: string;
  at: string;
}

/** The answer to every client request: `{ ok: true }`, or the error in the person's language. */
export type Reply =
  { ok: true } | { ok: false; error: { code: string; message: string; fields?: Record<string, string> } };

export interface WatchRequest {
  ticketId: string;
}

export interface TypingRequest {
  ticketId: string;
  typing: boolean;
}

export interface ClientToServerEvents {
  [ClientEvents.watch]: (request: WatchRequest, reply?: (answer: Reply) => void) => void;
  [ClientEvents.unwatch]: (request: WatchRequest, reply?: (answer: Reply) => void) => void;
  [ClientEvents.typing]: (request: TypingRequest, reply?: (answer: Reply) => void) => void;
}

export interface ServerToClientEvents {
  [ServerEvents.ticketCreated]: (payload: TicketBroadcast) => void;
  [ServerEvents.ticketUpdated]: (payload: TicketBroadcast) => void;
  [ServerEvents.presence]: (payload: PresenceUpdate) => void;
  [ServerEvents.notice]: (payload: Notice) => void;
}

/**
 * What each connected socket carries. It travels to the other processes when they ask for the sockets of a room
 * (presence through the Redis adapter), so it holds plain data only.
 */
export interface StaffSocketData {
  actor: Actor;
  lang: Lang;
  /** Ids of the watched tickets this socket is typing on. */
  typing: string[];
  /** The officer this account is, if linked (see `rooms.officer`). */
  officerId: string | null;
}

export type StaffNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  StaffSocketData
>;
export type StaffSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, StaffSocketData>;
