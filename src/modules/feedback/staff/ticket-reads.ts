import { unseal } from '../../../platform/crypto.js';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { usersWhoCan } from '../../accounts/index.js';
import { can, type Actor, type Scoped } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findOfficersByIds } from '../../directory/index.js';
import { activeCategories } from '../categories.js';
import { canDecide, canWork, decisionScope, isNamed, namedAccountIds, withheldFromNamed } from '../conflict.js';
import { inboxItem } from '../inbox-item.js';
import { Finding, type FindingDoc, type TicketDoc } from '../model.js';
import { originalBody, originalDescription } from '../sealed-text.js';
import { contactInput } from '../staff-schemas.js';
import { templatesFor } from '../templates.js';
import { refuseNamed, ticketFor } from './access.js';

/** What staff read of one ticket: its view, its contact data on request, its attachments; each read checked here. */

const pathOf = (ticket: Pick<TicketDoc, 'unitPath'>): Scoped => ({ unitPath: ticket.unitPath.map(String) });

/** A history entry as staff read it, without its body (which depends on who reads). */
const historyEntry = (entry: TicketDoc['history'][number]) => ({
  at: entry.at,
  by: entry.actor.kind === 'staff' ? (entry.actor.name ?? '') : entry.actor.kind,
  action: entry.action,
  from: entry.from ?? null,
  to: entry.to ?? null,
  public: entry.public,
});

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
    activeCategories(ticket.agencyCode),
    templatesFor(ticket.category ?? null, ticket.agencyCode),
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
      ...historyEntry(entry),
      body: withheld(verifier ? originalBody(entry) : (entry.body ?? null)),
    })),
    officers: officers.map(({ _id, nip, ref, name, position }) => ({ id: String(_id), nip, ref, name, position })),
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
    categories: categories.map(({ code, name, kinds, officerRelated }) => ({ code, name, kinds, officerRelated })),
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
