import mongoose from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { scopeOf, type Actor } from '../../../platform/access.js';
import { findOfficer, findUnitByCode } from '../../directory/index.js';
import { normaliseTrackingCode } from '../codes.js';
import { names, officerIdOf, withheldFromNamed } from '../conflict.js';
import { inboxItem } from '../inbox-item.js';
import { Ticket, type TicketDoc } from '../model.js';
import { inboxQuery } from '../staff-schemas.js';
import { openStatuses, pausedStatuses } from '../statuses.js';
import { searchTokens } from '../text.js';

/** The inbox: the tickets this person may read, filtered and counted by status, a page at a time. */

const PAGE_SIZE = 50;

export async function listInbox(actor: Actor | undefined, raw: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const query = check(inboxQuery, raw);
  const readScope = scopeOf(actor, 'tickets.read');
  const workScope = scopeOf(actor, 'tickets.work');
  const visible: Record<string, unknown>[] = [];
  if (readScope === 'all') visible.push({});
  else if (readScope.length)
    visible.push({ unitPath: { $in: readScope.map((id) => new mongoose.Types.ObjectId(id)) } });
  if (workScope === 'all' || workScope.length)
    visible.push({ 'assignee.userId': new mongoose.Types.ObjectId(actor.id) });
  if (visible.length === 0) throw new AppError('forbidden');

  const filter: Record<string, unknown> = { $or: visible };
  if (query.unitCode) {
    const unit = await findUnitByCode(query.unitCode);
    if (!unit) throw AppError.validation({ unitCode: { key: 'feedback.unknown_unit' } });
    filter.unitPath = unit._id;
  }
  if (query.kind) filter.kind = query.kind;
  if (query.category) filter.category = query.category;
  // Tickets filed before channels were recorded have none stored and count as the web form's.
  if (query.channel) filter.channel = query.channel === 'web' ? { $in: ['web', null] } : query.channel;
  if (query.mine) filter['assignee.userId'] = new mongoose.Types.ObjectId(actor.id);
  if (query.officerNip) {
    const officer = await findOfficer({ nip: query.officerNip });
    filter.officerIds = officer?._id ?? null;
  }
  const ownOfficerId = await officerIdOf(actor);
  if (query.q) {
    const code = normaliseTrackingCode(query.q);
    const tokens = searchTokens(query.q);
    const match: Record<string, unknown>[] = [
      code ? { code } : tokens.length ? { searchTokens: { $all: tokens } } : { _id: null },
    ];
    // Searching by words would let a named officer test guesses against the complaint about them.
    if (!code && ownOfficerId) match.push({ officerIds: { $ne: new mongoose.Types.ObjectId(ownOfficerId) } });
    filter.$and = match;
  }
  const withoutStatus = { ...filter };
  if (query.status === 'open') filter.status = { $in: openStatuses };
  else if (query.status === 'overdue')
    Object.assign(filter, { dueAt: { $lt: new Date() }, status: { $nin: pausedStatuses } });
  else if (query.status) filter.status = query.status;

  const [tickets, total, counts] = await Promise.all([
    Ticket.find(filter)
      .sort({ createdAt: -1 })
      .skip((query.page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .select({ history: 0, searchTokens: 0, reporter: 0 })
      .lean<TicketDoc[]>(),
    Ticket.countDocuments(filter),
    Ticket.aggregate<{ _id: string; n: number }>([
      { $match: withoutStatus },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ]),
  ]);
  return {
    items: tickets.map((ticket) =>
      names(ticket, ownOfficerId) ? withheldFromNamed(inboxItem(ticket)) : inboxItem(ticket),
    ),
    total,
    page: query.page,
    pageSize: PAGE_SIZE,
    counts: Object.fromEntries(counts.map((count) => [count._id, count.n])),
  };
}
