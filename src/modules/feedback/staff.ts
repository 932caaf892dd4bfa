import { updateAndRead } from '../../platform/db.js';
import mongoose, { type ClientSession, type Types } from 'mongoose';
import { unseal } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { recordEvent } from '../../platform/event-log.js';
import { publish, type DomainEvents } from '../../platform/events.js';
import { t, type Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import { can, scopeOf, type Actor, type Scoped } from '../../platform/access.js';
import { actorForUserId, usersWhoCan } from '../accounts/index.js';
import { recordAudit } from '../../platform/audit-log.js';
import { calendarFor } from '../calendar/index.js';
import { findOfficer, findOfficersByIds, findUnitById, findUnitByCode } from '../directory/index.js';
import { queueMail, type MailTemplate } from '../notifications/index.js';
import { activeCategories } from './categories.js';
import { templatesFor, templateText } from './templates.js';
import { accessTokenFor, normaliseTrackingCode } from './codes.js';
import {
  decisionScope,
  decisionUnitFor,
  isNamed,
  namedAccountIds,
  names,
  officerIdOf,
  tellDeciders,
  withheldFromNamed,
} from './conflict.js';
import { inboxItem } from './inbox-item.js';
import { originalBody, originalDescription } from './sealed-text.js';
import { Finding, Ticket, type FindingDoc, type TicketDoc } from './model.js';
import { eventOf, reopenedState, trackUrl } from './service.js';
import { clockDefaults, isOpen, type Status } from './statuses.js';
import { contactInput, findingInput, inboxQuery, mergeInput, staffReply, ticketAction } from './staff-schemas.js';
import { searchTokens } from './text.js';

/**
 * The staff side of a ticket: the inbox, the staff view, and every action of DESIGN.md section 3 — each checked
 * here against the actor's grants (never only in the route), each appending history, each refused when the
 * ticket changed since the person loaded it.
 */

const PAGE_SIZE = 50;
const pathOf = (ticket: Pick<TicketDoc, 'unitPath'>): Scoped => ({ unitPath: ticket.unitPath.map(String) });

/** Where a ticket sits, for a permission check: its unit path (agency first) and its handler. */
export interface TicketScope {
  unitPath: readonly unknown[];
  assignee?: { userId?: unknown } | null;
}

const isAssignee = (actor: Actor, ticket: TicketScope) => String(ticket.assignee?.userId ?? '') === actor.id;

/** Heads and viewers read their subtree; a handler reads only what is assigned to them (HTTP and live alike). */
export function canRead(actor: Actor | undefined, ticket: TicketScope): boolean {
  if (!actor) return false;
  const scope = { unitPath: ticket.unitPath.map(String) };
  return can(actor, 'tickets.read', scope) || (isAssignee(actor, ticket) && can(actor, 'tickets.work', scope));
}

/** A ticket's scope by id, for checks outside this module (the live gateway); null when there is no such ticket. */
export async function ticketScope(ticketId: string): Promise<TicketScope | null> {
  if (!mongoose.Types.ObjectId.isValid(ticketId)) return null;
  return Ticket.findById(ticketId).select({ unitPath: 1, assignee: 1 }).lean<TicketScope>();
}

/** Decisions (triage, findings, merges, contact): never by a person the ticket names, and only where it is decided. */
function canDecide(actor: Actor, ticket: TicketDoc, named: boolean): boolean {
  return !named && can(actor, 'tickets.triage', decisionScope(ticket));
}

/** Answering and resolving: whoever decides, or the handler it is assigned to, unless the ticket names them. */
function canWork(actor: Actor, ticket: TicketDoc, named: boolean): boolean {
  return (
    canDecide(actor, ticket, named) ||
    (!named && isAssignee(actor, ticket) && can(actor, 'tickets.work', pathOf(ticket)))
  );
}

/** Refuses a person the ticket names with a message that says why, so they know the decision is someone else's. */
function refuseNamed(): never {
  throw new AppError('forbidden', 'feedback.named_refused');
}

async function ticketFor(actor: Actor | undefined, code: unknown): Promise<TicketDoc> {
  if (!actor) throw new AppError('unauthenticated');
  const normalised = normaliseTrackingCode(code);
  const ticket = normalised ? await Ticket.findOne({ code: normalised }).lean<TicketDoc>() : null;
  if (!ticket) throw new AppError('not_found');
  if (!canRead(actor, ticket)) throw new AppError('forbidden');
  return ticket;
}

// ---- The inbox

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
  if (query.status === 'open')
    filter.status = { $in: ['received', 'verified', 'assigned', 'in_progress', 'awaiting_citizen'] };
  else if (query.status === 'overdue')
    Object.assign(filter, { dueAt: { $lt: new Date() }, status: { $nin: ['awaiting_citizen'] } });
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

// ---- One ticket

/**
 * Everything staff may see of a ticket, for this actor: internal notes yes, contact data only on request. An officer
 * the ticket names sees that it names them, its category and its course, and none of the citizen's words: no text,
 * no attachments, no bodies in the history (a scrubber cannot remove a name or an address from free text).
 */
export async function staffView(actor: Actor | undefined, code: unknown) {
  const ticket = await ticketFor(actor, code);
  const named = await isNamed(actor, ticket);
  const [officers, findings, categories, templates, assignable] = await Promise.all([
    findOfficersByIds(ticket.officerIds.map(String)),
    Finding.find({ ticketId: ticket._id }).lean<FindingDoc[]>(),
    activeCategories(),
    templatesFor(ticket.category ?? null),
    canDecide(actor!, ticket, named) ? assignableTo(ticket) : [],
  ]);
  const decide = canDecide(actor!, ticket, named);
  const hasContact = Boolean(ticket.reporter?.name || ticket.reporter?.email || ticket.reporter?.phone);
  const withheld = <T>(value: T): T | null => (named ? null : value);
  // A verifier reads the citizen's words as written; everyone else the copy scrubbed of phones, e-mails and NIKs.
  const verifier = canSeeContact(actor!, ticket, named);
  return {
    ticket: named ? withheldFromNamed(inboxItem(ticket)) : inboxItem(ticket),
    named,
    privacy: ticket.privacy,
    unitPath: ticket.unitPath.map(String),
    description: withheld(verifier ? originalDescription(ticket) : ticket.description),
    occurredAt: ticket.occurredAt ?? null,
    waitMinutes: ticket.waitMinutes ?? null,
    timeZone: ticket.timeZone,
    lang: ticket.lang,
    history: ticket.history.map((entry) => ({
      at: entry.at,
      by: entry.actor.kind === 'staff' ? (entry.actor.name ?? '') : entry.actor.kind,
      action: entry.action,
      from: entry.from ?? null,
      to: entry.to ?? null,
      body: withheld(verifier ? originalBody(entry) : (entry.body ?? null)),
      public: entry.public,
    })),
    officers: officers.map((officer) => ({
      id: String(officer._id),
      nip: officer.nip,
      ref: officer.ref,
      name: officer.name,
      position: officer.position,
    })),
    findings: findings.map((finding) => ({
      id: String(finding._id),
      officerId: String(finding.officerId),
      outcome: finding.outcome,
      note: withheld(finding.note) ?? '',
      by: finding.recordedBy?.name ?? '',
      at: finding.createdAt,
      answer: finding.answer?.body ?? null,
    })),
    attachments: named
      ? []
      : ticket.attachments.map((a) => ({ id: a.id, name: a.originalName ?? null, type: a.type, size: a.size })),
    rating: ticket.rating?.score
      ? {
          score: ticket.rating.score,
          comment: withheld(
            verifier
              ? originalBody({ body: ticket.rating.comment, bodySealed: ticket.rating.commentSealed })
              : (ticket.rating.comment ?? null),
          ),
        }
      : null,
    rejectReason: ticket.rejectReason ?? null,
    mergedInto: ticket.mergedInto ?? null,
    categories: categories.map((category) => ({
      code: category.code,
      name: category.name,
      kinds: category.kinds,
      officerRelated: category.officerRelated,
    })),
    templates: templates.map((template) => ({ code: template.code, usedFor: template.usedFor, title: template.title })),
    assignable,
    contact: !hasContact
      ? 'none'
      : ticket.privacy === 'anonymous'
        ? 'anonymous'
        : canSeeContact(actor!, ticket, named)
          ? 'on_request'
          : 'hidden',
    can: { triage: decide, work: canWork(actor!, ticket, named), finding: decide },
  };
}
export type StaffView = Awaited<ReturnType<typeof staffView>>;

/**
 * A person opens a ticket's page: the staff view, and for a confidential or anonymous ticket a line in the audit
 * log first (the inspectorate sees who read a ticket the citizen asked to keep close).
 */
export async function openTicket(actor: Actor | undefined, code: unknown): Promise<StaffView> {
  const view = await staffView(actor, code);
  if (view.privacy !== 'public')
    await recordAudit(actor!, 'ticket.open', view.ticket.code, { privacy: view.privacy, named: view.named }, null, {
      unitPath: view.unitPath,
    });
  return view;
}

/** Who may be given the ticket: staff who can work on its unit, never an account the ticket names. */
async function assignableTo(ticket: TicketDoc) {
  const [candidates, named] = await Promise.all([
    usersWhoCan('tickets.work', ticket.unitPath),
    namedAccountIds(ticket.officerIds),
  ]);
  return candidates.filter((user) => !named.has(user.id)).map((user) => ({ id: user.id, name: user.name }));
}

/**
 * Verifiers where the ticket is decided see contact data; never on an anonymous ticket (no one in the agency may
 * learn who filed it; the system alone uses the address for the citizen's own mail), never the person it names.
 */
function canSeeContact(actor: Actor, ticket: TicketDoc, named: boolean): boolean {
  return !named && ticket.privacy !== 'anonymous' && can(actor, 'tickets.contact', decisionScope(ticket));
}

/** Shows the complainant's contact data to a verifier who gives a reason; every view is in the audit log. */
export async function revealContact(actor: Actor | undefined, code: unknown, raw: unknown) {
  const ticket = await ticketFor(actor, code);
  const { reason } = check(contactInput, raw);
  const named = await isNamed(actor, ticket);
  if (named) refuseNamed();
  if (ticket.privacy === 'anonymous') throw new AppError('forbidden', 'feedback.contact_anonymous');
  if (!canSeeContact(actor!, ticket, named)) throw new AppError('forbidden');
  // Written before the data leaves: if the log cannot be written, nothing is shown.
  await recordAudit(
    actor!,
    'contact.view',
    ticket.code,
    { privacy: ticket.privacy, grant: 'tickets.contact' },
    reason,
    pathOf(ticket),
  );
  const open = (value: string | null | undefined) => (value ? unseal(value) : null);
  return {
    name: open(ticket.reporter?.name),
    email: open(ticket.reporter?.email),
    phone: open(ticket.reporter?.phone),
  };
}

/** A ticket's attachment for staff who may read the citizen's words (never the officer the ticket names). */
export async function attachmentFor(actor: Actor | undefined, code: unknown, id: unknown) {
  const ticket = await ticketFor(actor, code);
  if (await isNamed(actor, ticket)) refuseNamed();
  const attachment = ticket.attachments.find((candidate) => candidate.id === id);
  if (!attachment) throw new AppError('not_found');
  // Written before the file is opened: a download the log cannot hold is not served.
  await recordAudit(actor!, 'attachment.download', ticket.code, { attachmentId: attachment.id }, null, {
    unitPath: ticket.unitPath.map(String),
  });
  return { ticket, attachment };
}

// ---- Changes

interface Change {
  set?: Record<string, unknown>;
  unset?: string[];
  history: { action: string; from?: string | null; to?: string | null; body?: string | null; public: boolean }[];
  change: string;
  /** What the citizen is told by e-mail, when they gave an address. */
  mail?: { template: MailTemplate; body?: string };
  /** Other changes that must land with this one (a merge writes two tickets). */
  also?: (session: ClientSession) => Promise<void>;
}

/**
 * Applies a change atomically: only to the revision the actor was looking at (a stale edit is refused, not
 * overwritten), with its history, and in one transaction with the citizen's e-mail and any second document.
 */
async function apply(actor: Actor, ticket: TicketDoc, revision: number, change: Change): Promise<TicketDoc> {
  const now = new Date();
  const history = change.history.map((entry) => ({
    at: now,
    actor: { kind: 'staff', userId: actor.id, name: actor.name },
    ...entry,
  }));
  const update = {
    $set: change.set ?? {},
    ...(change.unset?.length ? { $unset: Object.fromEntries(change.unset.map((field) => [field, 1])) } : {}),
    $push: { history: { $each: history } },
    $inc: { revision: 1 },
  };
  const email = change.mail && ticket.reporter?.email ? unseal(ticket.reporter.email) : null;
  const event = (updated: TicketDoc) => ({
    ...eventOf(updated),
    change: change.change,
    public: change.history.some((entry) => entry.public),
  });
  // The change, the citizen's mail, any second document and the record of the event: one transaction.
  const updated = await transaction(async (session) => {
    const updated = await updateAndRead<TicketDoc>(Ticket, { _id: ticket._id, revision }, update, { session });
    if (!updated) throw new AppError('conflict', 'feedback.stale');
    if (email && change.mail) await queueMail(citizenMail(updated, change.mail, email), { session });
    await change.also?.(session);
    await recordEvent(session, 'ticket.updated', event(updated));
    return updated;
  });
  publish('ticket.updated', event(updated));
  return updated;
}

async function transaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
  let result: T;
  await mongoose.connection.transaction(async (session) => {
    result = await work(session);
  });
  return result!;
}

function citizenMail(ticket: TicketDoc, mail: { template: MailTemplate; body?: string }, to: string) {
  const lang = ticket.lang as Lang;
  return {
    to,
    template: mail.template,
    lang,
    data: {
      code: ticket.code,
      trackUrl: trackUrl(publicUrl, ticket.code, accessTokenFor(ticket.code, ticket.tokenSalt)),
      statusLabel: t(lang, `feedback.status.${ticket.status}`),
      ...(mail.body ? { body: mail.body } : {}),
    },
    dedupeKey: `ticket:${ticket.code}:${ticket.revision}:${mail.template}`,
  };
}

let publicUrl = 'http://localhost:3000';
/** Links in e-mail need the public address; set once at start from config. */
export function setPublicUrl(url: string): void {
  publicUrl = url;
}

const statusStep = (from: string, to: Status, body?: string | null) => [
  { action: 'status', from, to, public: true },
  ...(body ? [{ action: 'reply', body, public: true }] : []),
];

interface DecisionMove {
  set: Record<string, unknown>;
  history: Change['history'];
  /** The unit whose heads now decide, when it moved above the ticket's unit. */
  to: string | null;
}

/**
 * Where the ticket is decided once its unit or its named officers change: fields to set and an internal history
 * line when that moves. The clocks run on unchanged; only who may decide moves.
 */
async function decisionMove(
  ticket: TicketDoc,
  unitPath: readonly Types.ObjectId[],
  officerIds: readonly Types.ObjectId[],
  ownUnitCode: string,
): Promise<DecisionMove> {
  const decider = await decisionUnitFor(unitPath, officerIds);
  if (decider === (ticket.decisionUnitId ? String(ticket.decisionUnitId) : null))
    return { set: {}, history: [], to: null };
  const unit = decider ? await findUnitById(decider) : null;
  return {
    set: { decisionUnitId: unit?._id ?? null, decisionUnitCode: unit?.code ?? null },
    history: [
      {
        action: 'decision_moved',
        from: ticket.decisionUnitCode ?? ownUnitCode,
        to: unit?.code ?? ownUnitCode,
        public: false,
      },
    ],
    to: unit ? String(unit._id) : null,
  };
}

/** PATCH /api/v1/tickets/:code — verify, reject, forward, assign, prioritise, recategorise, tag, ask, resolve, close, reopen. */
export async function actOnTicket(actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> {
  const ticket = await ticketFor(actor, code);
  const input = check(ticketAction, raw);
  const status = ticket.status as Status;
  const triage = ['verify', 'reject', 'forward', 'assign', 'priority', 'category', 'tag', 'untag', 'close', 'reopen'];
  const named = await isNamed(actor, ticket);
  if (named) refuseNamed();
  if (!(triage.includes(input.action) ? canDecide(actor!, ticket, named) : canWork(actor!, ticket, named)))
    throw new AppError('forbidden');
  const calendar = await calendarFor(ticket);
  const now = new Date();
  const refuse = () => {
    throw new AppError('conflict', 'feedback.not_now');
  };
  const body = input.body || (await textOfTemplate(input.template, ticket)) || null;
  if (input.action === 'ask' && !body) throw AppError.validation({ body: { key: 'validation.required' } });

  switch (input.action) {
    case 'verify': {
      if (status !== 'received') refuse();
      const followUp = calendar.dueAfterWorkingDays(now, clockDefaults.followUpWorkingDays);
      return apply(actor!, ticket, input.revision, {
        set: { status: 'verified', 'due.followUp': followUp, dueAt: followUp, dueClock: 'followUp' },
        history: statusStep(status, 'verified', body),
        change: 'verified',
        mail: { template: 'ticket.status' },
      });
    }
    case 'reject':
      if (!['received', 'verified'].includes(status)) refuse();
      return apply(actor!, ticket, input.revision, {
        set: { status: 'rejected', rejectReason: input.reason, closedAt: now, dueAt: null, dueClock: null },
        history: [
          { action: 'status', from: status, to: 'rejected', body: input.reason, public: true },
          ...(body ? [{ action: 'reply', body, public: true }] : []),
        ],
        change: 'rejected',
        mail: { template: 'ticket.status', body: body ?? undefined },
      });
    case 'forward': {
      if (!isOpen(status)) refuse();
      const unit = await findUnitByCode(input.unitCode);
      if (!unit || !unit.active) throw AppError.validation({ unitCode: { key: 'feedback.unknown_unit' } });
      if (String(unit._id) === String(ticket.unitId)) refuse();
      const verify = (await calendarFor(unit)).dueAfterWorkingDays(now, clockDefaults.verifyWorkingDays);
      const move = await decisionMove(ticket, unit.path, ticket.officerIds, unit.code);
      const updated = await apply(actor!, ticket, input.revision, {
        set: {
          unitId: unit._id,
          unitCode: unit.code,
          unitPath: unit.path,
          agencyCode: unit.agencyCode,
          timeZone: unit.timeZone,
          serviceCode: null,
          counterCode: null,
          status: 'received',
          assignee: { userId: null, name: null },
          'due.verify': verify,
          dueAt: verify,
          dueClock: 'verify',
          escalated: [],
          ...move.set,
        },
        history: [{ action: 'forwarded', from: ticket.unitCode, to: unit.code, public: true }, ...move.history],
        change: 'forwarded',
      });
      await tellDeciders(move, updated);
      return updated;
    }
    case 'assign': {
      if (!['verified', 'assigned', 'in_progress'].includes(status)) refuse();
      const assignee = await actorForUserId(input.assigneeId);
      if (!assignee || !can(assignee, 'tickets.work', pathOf(ticket)))
        throw AppError.validation({ assigneeId: { key: 'feedback.not_assignable' } });
      if ((await namedAccountIds(ticket.officerIds)).has(assignee.id))
        throw AppError.validation({ assigneeId: { key: 'feedback.assignee_named' } });
      const followUp = calendar.dueAfterWorkingDays(now, clockDefaults.followUpWorkingDays);
      const started = status === 'in_progress';
      return apply(actor!, ticket, input.revision, {
        set: {
          status: started ? 'in_progress' : 'assigned',
          assignee: { userId: assignee.id, name: assignee.name },
          ...(started ? {} : { 'due.followUp': followUp, dueAt: followUp, dueClock: 'followUp' }),
        },
        history: [
          { action: 'assigned', to: assignee.name, public: false },
          ...(started ? [] : [{ action: 'status', from: status, to: 'assigned', public: true }]),
        ],
        change: 'assigned',
      });
    }
    case 'priority':
      return apply(actor!, ticket, input.revision, {
        set: { priority: input.priority },
        history: [{ action: 'priority', from: ticket.priority ?? 'normal', to: input.priority, public: false }],
        change: 'priority',
      });
    case 'category': {
      const category = (await activeCategories()).find((candidate) => candidate.code === input.category);
      if (!category || !category.kinds.includes(ticket.kind))
        throw AppError.validation({ category: { key: 'feedback.category_for_kind' } });
      return apply(actor!, ticket, input.revision, {
        set: { category: category.code },
        history: [{ action: 'category', from: ticket.category ?? null, to: category.code, public: false }],
        change: 'category',
      });
    }
    case 'tag':
    case 'untag': {
      const officer = await findOfficer(input.officerNip ? { nip: input.officerNip } : { ref: input.officerRef });
      if (!officer || !officer.unitPath.map(String).includes(String(ticket.unitId)))
        throw AppError.validation({ officer: { key: 'feedback.unknown_officer' } });
      const tagged = ticket.officerIds.some((id) => String(id) === String(officer._id));
      if (tagged === (input.action === 'tag')) return ticket;
      const officerIds =
        input.action === 'tag'
          ? [...ticket.officerIds, officer._id]
          : ticket.officerIds.filter((id) => String(id) !== String(officer._id));
      const move = await decisionMove(ticket, ticket.unitPath, officerIds, ticket.unitCode);
      // A handler the ticket now names gives it back: no one works on a complaint about themselves.
      const assigneeId = ticket.assignee?.userId ? String(ticket.assignee.userId) : null;
      const unassign =
        input.action === 'tag' && assigneeId !== null && (await namedAccountIds([officer._id])).has(assigneeId);
      const updated = await apply(actor!, ticket, input.revision, {
        set: {
          officerIds,
          ...move.set,
          ...(unassign ? { assignee: { userId: null, name: null } } : {}),
          ...(unassign && status === 'assigned' ? { status: 'verified' } : {}),
        },
        history: [
          {
            action: input.action,
            to: officer.name,
            body: input.action === 'untag' ? input.reason : null,
            public: false,
          },
          ...(unassign ? [{ action: 'unassigned', from: ticket.assignee?.name ?? null, public: false }] : []),
          ...move.history,
        ],
        change: input.action,
      });
      if (input.action === 'untag')
        await recordAudit(actor!, 'ticket.untag', ticket.code, { officerNip: officer.nip }, String(input.reason), {
          unitPath: ticket.unitPath.map(String),
        });
      await tellDeciders(move, updated);
      return updated;
    }
    case 'ask':
      if (!['verified', 'assigned', 'in_progress'].includes(status)) refuse();
      // The clock pauses while the citizen is asked; their answer moves the due time on by the paused working days.
      return apply(actor!, ticket, input.revision, {
        set: { status: 'awaiting_citizen', pausedAt: now },
        history: statusStep(status, 'awaiting_citizen', body),
        change: 'asked',
        mail: { template: 'ticket.reply', body: body! },
      });
    case 'resolve': {
      if (!['verified', 'assigned', 'in_progress', 'awaiting_citizen'].includes(status)) refuse();
      const autoClose = calendar.dueAfterWorkingDays(now, clockDefaults.autoCloseWorkingDays);
      return apply(actor!, ticket, input.revision, {
        set: {
          status: 'resolved',
          resolvedAt: now,
          pausedAt: null,
          'due.autoClose': autoClose,
          dueAt: autoClose,
          dueClock: 'autoClose',
        },
        history: statusStep(status, 'resolved', body),
        change: 'resolved',
        mail: { template: 'ticket.resolved', body: body ?? undefined },
      });
    }
    case 'close':
      if (status !== 'resolved') refuse();
      return apply(actor!, ticket, input.revision, {
        set: { status: 'closed', closedAt: now, dueAt: null, dueClock: null },
        history: statusStep(status, 'closed', body),
        change: 'closed',
        mail: { template: 'ticket.status' },
      });
    case 'reopen': {
      if (!['resolved', 'closed'].includes(status)) refuse();
      const followUp = calendar.dueAfterWorkingDays(now, clockDefaults.followUpWorkingDays);
      return apply(actor!, ticket, input.revision, {
        set: reopenedState(followUp),
        history: statusStep(status, 'in_progress', body),
        change: 'reopened',
        mail: { template: 'ticket.status' },
      });
    }
  }
  throw new AppError('validation');
}

/** A response template's text in the language the citizen filed in; an unknown template is a field error. */
async function textOfTemplate(code: string | undefined, ticket: TicketDoc): Promise<string | null> {
  if (!code) return null;
  const text = await templateText(code, ticket.lang as Lang);
  if (!text) throw AppError.validation({ template: { key: 'validation.invalid' } });
  return text;
}

/** A public reply (the citizen sees it, by e-mail too) or an internal note (staff only). */
export async function replyToTicket(actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> {
  const ticket = await ticketFor(actor, code);
  const input = check(staffReply, raw);
  const named = await isNamed(actor, ticket);
  if (named) refuseNamed();
  if (!canWork(actor!, ticket, named)) throw new AppError('forbidden');
  const body = input.body || (await textOfTemplate(input.template, ticket));
  if (!body) throw AppError.validation({ body: { key: 'validation.required' } });
  if (input.internal)
    return apply(actor!, ticket, input.revision, {
      history: [{ action: 'note', body, public: false }],
      change: 'note',
    });
  if (!isOpen(ticket.status as Status) && ticket.status !== 'resolved')
    throw new AppError('conflict', 'feedback.not_now');
  // The first public answer is the follow-up the legal clock asks for.
  const firstFollowUp = ['verified', 'assigned'].includes(ticket.status);
  return apply(actor!, ticket, input.revision, {
    set: firstFollowUp ? { status: 'in_progress', dueAt: null, dueClock: null } : {},
    history: [
      { action: 'reply', body, public: true },
      ...(firstFollowUp ? [{ action: 'status', from: ticket.status, to: 'in_progress', public: true }] : []),
    ],
    change: 'reply',
    mail: { template: 'ticket.reply', body },
  });
}

/** A finding about one tagged officer: the only way a complaint can count against them. */
export async function recordFinding(actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> {
  const ticket = await ticketFor(actor, code);
  const input = check(findingInput, raw);
  const named = await isNamed(actor, ticket);
  if (named) refuseNamed();
  if (!canDecide(actor!, ticket, named)) throw new AppError('forbidden');
  if (['received', 'rejected', 'merged'].includes(ticket.status) || ticket.kind !== 'complaint')
    throw new AppError('conflict', 'feedback.not_now');
  const officer = await findOfficer(input.officerNip ? { nip: input.officerNip } : { ref: input.officerRef });
  if (!officer || !ticket.officerIds.some((id) => String(id) === String(officer._id)))
    throw AppError.validation({ [input.officerNip ? 'officerNip' : 'officerRef']: { key: 'feedback.not_tagged' } });
  let recorded: DomainEvents['finding.recorded'] | undefined;
  const updated = await apply(actor!, ticket, input.revision, {
    history: [{ action: 'finding', to: `${officer.name}: ${input.outcome}`, body: input.note || null, public: false }],
    change: 'finding',
    also: async (session) => {
      const finding = await updateAndRead<FindingDoc>(
        Finding,
        { ticketId: ticket._id, officerId: officer._id },
        {
          $set: {
            outcome: input.outcome,
            note: input.note,
            recordedBy: { userId: actor!.id, name: actor!.name },
            category: ticket.category ?? null,
          },
          $setOnInsert: { code: ticket.code, unitPath: ticket.unitPath },
        },
        { upsert: true, session },
      );
      recorded = {
        findingId: String(finding!._id),
        ticketId: String(ticket._id),
        officerId: String(officer._id),
        outcome: input.outcome,
        category: ticket.category ?? null,
        unitPath: ticket.unitPath.map(String),
        at: new Date(),
      };
      await recordEvent(session, 'finding.recorded', recorded);
    },
  });
  publish('finding.recorded', recorded!);
  return updated;
}

/** Marks a ticket as a duplicate of another open one; the citizen is told, and no internal note crosses. */
export async function mergeTicket(actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> {
  const ticket = await ticketFor(actor, code);
  const input = check(mergeInput, raw);
  const named = await isNamed(actor, ticket);
  if (named) refuseNamed();
  if (!canDecide(actor!, ticket, named)) throw new AppError('forbidden');
  const intoCode = normaliseTrackingCode(input.into);
  const target = intoCode ? await Ticket.findOne({ code: intoCode }).lean<TicketDoc>() : null;
  if (!target || target.code === ticket.code || !canRead(actor, target) || !isOpen(target.status as Status))
    throw AppError.validation({ into: { key: 'feedback.merge_target' } });
  if (!isOpen(ticket.status as Status)) throw new AppError('conflict', 'feedback.not_now');
  return apply(actor!, ticket, input.revision, {
    set: { status: 'merged', mergedInto: target.code, closedAt: new Date(), dueAt: null, dueClock: null },
    history: [{ action: 'status', from: ticket.status, to: 'merged', body: target.code, public: true }],
    change: 'merged',
    mail: { template: 'ticket.status' },
    also: async (session) => {
      await Ticket.updateOne(
        { _id: target._id },
        {
          $push: {
            history: {
              at: new Date(),
              actor: { kind: 'staff', userId: actor!.id, name: actor!.name },
              action: 'merged_from',
              to: ticket.code,
              public: false,
            },
          },
          $inc: { revision: 1 },
        },
        { session },
      );
    },
  });
}
