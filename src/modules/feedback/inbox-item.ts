import { Ticket, type TicketDoc } from './model.js';
import { statusType, type Status } from './statuses.js';
import { scrubPersonalData } from './text.js';

/**
 * The staff-safe projection of a ticket: what an inbox row and every live event carry. Safe for anyone in the
 * ticket's unit rooms — the named officer included — so it holds no contact data, no internal notes, and a
 * summary scrubbed of phone numbers, e-mail addresses and NIKs (docs/domain.md#retaliation).
 */
export interface InboxItem {
  id: string;
  code: string;
  kind: string;
  status: string;
  statusType: string;
  category: string | null;
  priority: string;
  privacy: string;
  unitId: string;
  unitCode: string;
  /** The agency's time zone: due times are shown on its wall clock. */
  timeZone: string;
  serviceCode: string | null;
  counter: string | null;
  summary: string;
  officerIds: string[];
  /** The unit above that decides, when a named officer heads the ticket's unit; null for the unit itself. */
  decisionUnitCode: string | null;
  /** True in the copy sent to an officer the ticket names: the words are withheld (conflict.ts). */
  named?: boolean;
  assignee: { userId: string; name: string } | null;
  attachments: number;
  dueAt: Date | null;
  due: { verify: Date | null; followUp: Date | null; resolve: Date | null; autoClose: Date | null };
  /** How it reached the agency (statuses.ts `ticketChannels`): web, api, counter, phone, letter, whatsapp, ... */
  channel: string;
  /** Which clock `dueAt` belongs to (verify, followUp, resolve, autoClose; inform and objection for requests). */
  dueClock: string | null;
  /** An information request whose answer clock was extended once already. */
  extended: boolean;
  revision: number;
  /** When the agency received it: the date staff gave when they recorded it, or when it was filed. */
  createdAt: Date;
  updatedAt: Date;
}

export function inboxItem(ticket: TicketDoc): InboxItem {
  return {
    id: String(ticket._id),
    code: ticket.code,
    kind: ticket.kind,
    status: ticket.status,
    statusType: statusType(ticket.status as Status),
    category: ticket.category ?? null,
    priority: ticket.priority ?? 'normal',
    privacy: ticket.privacy,
    unitId: String(ticket.unitId),
    unitCode: ticket.unitCode,
    timeZone: ticket.timeZone,
    serviceCode: ticket.serviceCode ?? null,
    counter: ticket.counterCode ?? null,
    summary: scrubPersonalData(ticket.description).slice(0, 200),
    officerIds: ticket.officerIds.map(String),
    decisionUnitCode: ticket.decisionUnitCode ?? null,
    assignee: ticket.assignee?.userId
      ? { userId: String(ticket.assignee.userId), name: ticket.assignee.name ?? '' }
      : null,
    attachments: ticket.attachments.length,
    dueAt: ticket.dueAt ?? null,
    due: {
      verify: ticket.due?.verify ?? null,
      followUp: ticket.due?.followUp ?? null,
      resolve: ticket.due?.resolve ?? null,
      autoClose: ticket.due?.autoClose ?? null,
    },
    channel: ticket.channel ?? 'web',
    dueClock: ticket.dueClock ?? null,
    extended: Boolean(ticket.extension?.at),
    revision: ticket.revision ?? 0,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
  };
}

/** What actions.ts reads of a ticket to know whether an action applies to it. */
export const actionFactsOf = (ticket: TicketDoc) => ({
  kind: ticket.kind,
  dueClock: ticket.dueClock ?? null,
  dueAt: ticket.dueAt ?? null,
  extended: Boolean(ticket.extension?.at),
});

export async function loadInboxItem(ticketId: string): Promise<InboxItem | null> {
  const ticket = await Ticket.findById(ticketId).lean<TicketDoc>();
  return ticket ? inboxItem(ticket) : null;
}

/**
 * Who hears about a ticket live (docs/architecture.md#live-fan-out): the rooms of its unit and every unit above it, where heads
 * and viewers listen, and the personal room of its handler (handlers see only what is assigned to them).
 */
export function audienceOf(ticket: Pick<TicketDoc, 'unitPath' | 'assignee'>): string[] {
  const rooms = ticket.unitPath.map((unitId) => `unit:${String(unitId)}`);
  if (ticket.assignee?.userId) rooms.push(`user:${String(ticket.assignee.userId)}`);
  return rooms;
}
