import { updateAndRead } from '../../platform/db.js';
import mongoose, { type ClientSession } from 'mongoose';
import { unseal } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { recordEvent } from '../../platform/event-log.js';
import { publish, type DomainEvents } from '../../platform/events.js';
import { t, type Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import { assertCan, can, scopeOf, type Actor, type Scoped } from '../accounts/permissions.js';
import { actorForUserId, recordAudit, usersWhoCan } from '../accounts/service.js';
import { calendarFor } from '../calendar/service.js';
import { findOfficer, findOfficersByIds, findUnitByCode } from '../directory/service.js';
import { queueMail, type MailTemplate } from '../notifications/service.js';
import { activeCategories } from './categories.js';
import { templatesFor, templateText } from './templates.js';
import { accessTokenFor, normaliseTrackingCode } from './codes.js';
import { inboxItem } from './inbox-item.js';
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

function canWork(actor: Actor, ticket: TicketDoc): boolean {
  return (
    can(actor, 'tickets.triage', pathOf(ticket)) ||
    (isAssignee(actor, ticket) && can(actor, 'tickets.work', pathOf(ticket)))
  );
}

/** Is the actor one of the officers the ticket names? Then they never see who complained (DESIGN.md section 8). */
async function isNamedOfficer(actor: Actor, ticket: TicketDoc): Promise<boolean> {
  if (!actor.officerNip || ticket.officerIds.length === 0) return false;
  const officer = await findOfficer({ nip: actor.officerNip });
  return Boolean(officer && ticket.officerIds.some((id) => String(id) === String(officer._id)));
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
  if (query.q) {
    const code = normaliseTrackingCode(query.q);
    const tokens = searchTokens(query.q);
    filter.$and = [code ? { code } : tokens.length ? { searchTokens: { $all: tokens } } : { _id: null }];
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
    items: tickets.map(inboxItem),
    total,
    page: query.page,
    pageSize: PAGE_SIZE,
    counts: Object.fromEntries(counts.map((count) => [count._id, count.n])),
  };
}

// ---- One ticket

/** Everything staff may see of a ticket, for this actor: internal notes yes, contact data only on request. */
export async function staffView(actor: Actor | undefined, code: unknown) {
  const ticket = await ticketFor(actor, code);
  const named = await isNamedOfficer(actor!, ticket);
  const [officers, findings, categories, templates] = await Promise.all([
    findOfficersByIds(ticket.officerIds.map(String)),
    Finding.find({ ticketId: ticket._id }).lean<FindingDoc[]>(),
    activeCategories(),
    templatesFor(ticket.category ?? null),
  ]);
  const triage = can(actor, 'tickets.triage', pathOf(ticket));
  const hasContact = Boolean(ticket.reporter?.name || ticket.reporter?.email || ticket.reporter?.phone);
  return {
    ticket: inboxItem(ticket),
    // The named officer gets the text scrubbed of personal data, like the public (DESIGN.md section 8).
    description: named ? inboxItem(ticket).summary : ticket.description,
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
      body: entry.body ?? null,
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
      note: finding.note,
      by: finding.recordedBy?.name ?? '',
      at: finding.createdAt,
      answer: finding.answer?.body ?? null,
    })),
    attachments: ticket.attachments.map((a) => ({
      id: a.id,
      name: a.originalName ?? null,
      type: a.type,
      size: a.size,
    })),
    rating: ticket.rating?.score ? { score: ticket.rating.score, comment: ticket.rating.comment ?? null } : null,
    rejectReason: ticket.rejectReason ?? null,
    mergedInto: ticket.mergedInto ?? null,
    categories: categories.map((category) => ({
      code: category.code,
      name: category.name,
      kinds: category.kinds,
      officerRelated: category.officerRelated,
    })),
    templates: templates.map((template) => ({ code: template.code, usedFor: template.usedFor, title: template.title })),
    assignable: triage
      ? (await usersWhoCan('tickets.work', ticket.unitPath)).map((user) => ({ id: user.id, name: user.name }))
      : [],
    contact: hasContact ? (canSeeContact(actor!, ticket, named) ? 'on_request' : 'hidden') : 'none',
    can: {
      triage,
      work: canWork(actor!, ticket),
      finding: triage && !named,
    },
  };
}
export type StaffView = Awaited<ReturnType<typeof staffView>>;

/** Verifiers see contact data; never the officer the ticket names (any privacy), nor anyone else. */
function canSeeContact(actor: Actor, ticket: TicketDoc, named: boolean): boolean {
  return !named && can(actor, 'tickets.contact', pathOf(ticket));
}

/** Shows the complainant's contact data to a verifier who gives a reason; every view is in the audit log. */
export async function revealContact(actor: Actor | undefined, code: unknown, raw: unknown) {
  const ticket = await ticketFor(actor, code);
  const { reason } = check(contactInput, raw);
  if (!canSeeContact(actor!, ticket, await isNamedOfficer(actor!, ticket))) throw new AppError('forbidden');
  // Written before the data leaves: if the log cannot be written, nothing is shown.
  await recordAudit(actor!, 'contact.view', ticket.code, { privacy: ticket.privacy, grant: 'tickets.contact' }, reason);
  const open = (value: string | null | undefined) => (value ? unseal(value) : null);
  return {
    name: open(ticket.reporter?.name),
    email: open(ticket.reporter?.email),
    phone: open(ticket.reporter?.phone),
  };
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

/** PATCH /api/v1/tickets/:code — verify, reject, forward, assign, prioritise, recategorise, tag, ask, resolve, close, reopen. */
export async function actOnTicket(actor: Actor | undefined, code: unknown, raw: unknown): Promise<TicketDoc> {
  const ticket = await ticketFor(actor, code);
  const input = check(ticketAction, raw);
  const status = ticket.status as Status;
  const triage = ['verify', 'reject', 'forward', 'assign', 'priority', 'category', 'tag', 'untag', 'close', 'reopen'];
  if (triage.includes(input.action)) assertCan(actor, 'tickets.triage', pathOf(ticket));
  else if (!canWork(actor!, ticket)) throw new AppError('forbidden');
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
      return apply(actor!, ticket, input.revision, {
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
        },
        history: [{ action: 'forwarded', from: ticket.unitCode, to: unit.code, public: true }],
        change: 'forwarded',
      });
    }
    case 'assign': {
      if (!['verified', 'assigned', 'in_progress'].includes(status)) refuse();
      const assignee = await actorForUserId(input.assigneeId);
      if (!assignee || !can(assignee, 'tickets.work', pathOf(ticket)))
        throw AppError.validation({ assigneeId: { key: 'feedback.not_assignable' } });
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
      return apply(actor!, ticket, input.revision, {
        set: { officerIds },
        history: [{ action: input.action, to: officer.name, public: false }],
        change: input.action,
      });
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
  if (!canWork(actor!, ticket)) throw new AppError('forbidden');
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
  assertCan(actor, 'tickets.triage', pathOf(ticket));
  if (['received', 'rejected', 'merged'].includes(ticket.status) || ticket.kind !== 'complaint')
    throw new AppError('conflict', 'feedback.not_now');
  const officer = await findOfficer(input.officerNip ? { nip: input.officerNip } : { ref: input.officerRef });
  if (!officer || !ticket.officerIds.some((id) => String(id) === String(officer._id)))
    throw AppError.validation({ [input.officerNip ? 'officerNip' : 'officerRef']: { key: 'feedback.not_tagged' } });
  if (await isNamedOfficer(actor!, ticket)) throw new AppError('forbidden');
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
  assertCan(actor, 'tickets.triage', pathOf(ticket));
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
