import Joi from 'joi';
import mongoose, { type Types } from 'mongoose';
import { dateFormatter, endOfLocalDay, isLocalDate, startOfLocalDay, zoneName } from '../../platform/calendar.js';
import { AppError } from '../../platform/errors.js';
import { messageBundles, t, type Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import { csvCell } from '../analytics/index.js';
import { findUnitById } from '../directory/index.js';
import { normaliseTrackingCode } from '../feedback/index.js';
import { AuditEntry, recordAudit } from '../../platform/audit-log.js';
import { accountIdsMatching, accountNames } from '../accounts/index.js';
import { can, scopeOf, type Actor } from '../../platform/access.js';

/**
 * The audit log as the inspectorate reads it (`/admin/audit`, `GET /api/v1/audit`, CSV): who did what, when, to
 * which ticket or officer, why and from which address. A reader with `audit.read` on a subtree sees the entries
 * about units in it; entries about no unit (sign-ins, platform changes) need the grant everywhere. Every reading is
 * itself an entry.
 */

export const AUDIT_PAGE_SIZE = 50;
/** A CSV export stops here: a bigger one is a database dump, not an inspection. */
export const AUDIT_EXPORT_MAX = 100_000;

const localDay = Joi.string()
  .trim()
  .allow('')
  .custom((value: string) => {
    if (value && !isLocalDate(value)) throw new Error('validation.pattern');
    return value;
  });

export const auditQuery = Joi.object({
  person: Joi.string().trim().max(120).allow(''),
  ticket: Joi.string()
    .trim()
    .max(20)
    .allow('')
    .custom((value: string) => {
      if (!value) return value;
      const code = normaliseTrackingCode(value);
      if (!code) throw new Error('audit.not_a_code');
      return code;
    }),
  nip: Joi.string()
    .trim()
    .pattern(/^\d{18}$/)
    .allow(''),
  action: Joi.string()
    .trim()
    .max(60)
    .pattern(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/)
    .allow(''),
  from: localDay,
  to: localDay,
  page: Joi.number().integer().min(1).max(10_000).default(1),
  format: Joi.string().valid('html', 'json', 'csv').allow(''),
});

export type AuditQuery = {
  person?: string;
  ticket?: string;
  nip?: string;
  action?: string;
  from?: string;
  to?: string;
  page: number;
  format?: string;
};

const ACTION_LABEL = 'audit.action.';

/**
 * The actions a reader can pick from: every action a module labels (`audit.action.<action>` in its messages), so an
 * action recorded by any module is offered as soon as it has a label. A spec checks that every action the code records
 * has one.
 */
export function auditActions(): string[] {
  const actions = new Set<string>();
  for (const bundle of messageBundles())
    for (const key of Object.keys(bundle.id))
      if (key.startsWith(ACTION_LABEL)) actions.add(key.slice(ACTION_LABEL.length));
  return [...actions];
}

/** An action's label in the language; an action recorded by newer code than this list shows its code. */
export function actionLabel(lang: Lang, action: string): string {
  const key = `audit.action.${action}`;
  const label = t(lang, key);
  return label === key ? action : label;
}

/** Actions whose reason is a code from a list, with the prefix of that list's labels; other reasons are free text. */
const reasonLabels: Record<string, string> = { 'contact.view': 'inbox.contact_reason.' };

function reasonLabel(lang: Lang, action: string, reason: string | null): string | null {
  const prefix = reasonLabels[action];
  if (!reason || !prefix) return reason;
  const label = t(lang, prefix + reason);
  return label === prefix + reason ? reason : label;
}

export function actionOptions(lang: Lang) {
  return auditActions()
    .map((code) => ({ code, label: actionLabel(lang, code) }))
    .sort((a, b) => a.label.localeCompare(b.label, lang));
}

export interface AuditRow {
  id: string;
  at: Date;
  /** The time on the wall of the agency the entry concerns (the reader's when it concerns none), with its zone. */
  when: string;
  who: { name: string; email: string } | null;
  action: string;
  actionLabel: string;
  target: string | null;
  /** The ticket, officer record or unit page the entry is about, when there is one. */
  targetHref: string | null;
  reason: string | null;
  ip: string | null;
}

type EntryDoc = {
  _id: Types.ObjectId;
  at: Date;
  actorId: Types.ObjectId | null;
  action: string;
  target: string | null;
  reason: string | null;
  ip: string | null;
  unitPath?: Types.ObjectId[];
};

const TICKET_CODE = /^[A-Z2-9]{4}-[A-Z2-9]{4}$/;
const ticketActions = new Set(['contact.view', 'attachment.download', 'showcase.approve']);

/** A link to what the entry is about, only where the reader may open it (no link to a 403). */
function targetHref(entry: Pick<EntryDoc, 'action' | 'target' | 'unitPath'>, reader: Actor): string | null {
  const target = entry.target;
  if (!target) return null;
  const where = { unitPath: (entry.unitPath ?? []).map(String) };
  if (/^\d{18}$/.test(target)) return can(reader, 'coaching.read', where) ? `/coaching/officers/${target}` : null;
  if ((ticketActions.has(entry.action) || entry.action.startsWith('ticket.')) && TICKET_CODE.test(target))
    return can(reader, 'tickets.read', where) ? `/inbox/tickets/${target}` : null;
  if (entry.action.startsWith('unit.'))
    return can(reader, 'directory.read', where) ? `/admin/units/${encodeURIComponent(target)}` : null;
  return null;
}

function formatWhen(at: Date, timeZone: string, lang: Lang): string {
  const text = dateFormatter(lang === 'id' ? 'id-ID' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(at);
  return `${text} ${zoneName(timeZone)}`;
}

/** Where the reader stands: the scope of their grant and its agency's time zone (WIB for a grant everywhere). */
async function readerOf(actor: Actor | undefined) {
  if (!actor) throw new AppError('unauthenticated');
  const scope = scopeOf(actor, 'audit.read');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const unit = scope === 'all' ? null : await findUnitById(scope[0]!);
  return {
    actor,
    scope,
    timeZone: unit?.timeZone ?? 'Asia/Jakarta',
    // The reading is logged on the reader's own unit, so that those above it see who reads.
    unitPath: unit ? unit.path.map(String) : [],
  };
}

type Reader = Awaited<ReturnType<typeof readerOf>>;

function parseQuery(raw: unknown): AuditQuery {
  const query = check(auditQuery, raw ?? {}) as AuditQuery;
  if (query.from && query.to && query.from > query.to)
    throw AppError.validation({ to: { key: 'audit.from_after_to' } });
  return query;
}

async function filterOf(reader: Reader, query: AuditQuery): Promise<Record<string, unknown>> {
  const and: Record<string, unknown>[] = [];
  if (reader.scope !== 'all')
    and.push({ unitPath: { $in: reader.scope.map((id) => new mongoose.Types.ObjectId(id)) } });
  if (query.person) {
    const wanted = query.person.toLowerCase();
    const people = await accountIdsMatching(query.person);
    // A failed sign-in has no account behind it: the address typed is its target.
    and.push({ $or: [{ actorId: { $in: people } }, { actorId: null, target: wanted }] });
  }
  if (query.ticket) and.push({ target: query.ticket });
  if (query.nip) and.push({ target: query.nip });
  if (query.action) and.push({ action: query.action });
  const at: Record<string, Date> = {};
  if (query.from) at.$gte = startOfLocalDay(query.from, reader.timeZone);
  if (query.to) at.$lte = endOfLocalDay(query.to, reader.timeZone);
  if (Object.keys(at).length) and.push({ at });
  return and.length ? { $and: and } : {};
}

/** Entries as rows: who by name and e-mail, the action's label, the time in the zone of the agency concerned. */
async function rowsOf(entries: EntryDoc[], reader: Reader, lang: Lang): Promise<AuditRow[]> {
  const actorIds = [...new Set(entries.flatMap((entry) => (entry.actorId ? [String(entry.actorId)] : [])))];
  const byId = await accountNames(actorIds);
  const agencyIds = [
    ...new Set(entries.flatMap((entry) => (entry.unitPath?.length ? [String(entry.unitPath[0])] : []))),
  ];
  const zones = new Map(
    await Promise.all(
      agencyIds.map(async (id) => [id, (await findUnitById(id))?.timeZone ?? reader.timeZone] as const),
    ),
  );
  return entries.map((entry) => {
    const agency = entry.unitPath?.length ? String(entry.unitPath[0]) : null;
    return {
      id: String(entry._id),
      at: entry.at,
      when: formatWhen(entry.at, (agency && zones.get(agency)) || reader.timeZone, lang),
      who: entry.actorId ? (byId.get(String(entry.actorId)) ?? { name: String(entry.actorId), email: '' }) : null,
      action: entry.action,
      actionLabel: actionLabel(lang, entry.action),
      target: entry.target,
      targetHref: targetHref(entry, reader.actor),
      reason: reasonLabel(lang, entry.action, entry.reason),
      ip: entry.ip,
    };
  });
}

/** The filters in use, as they go back into a link (the next page, the CSV). */
const filtersOf = (query: AuditQuery): Record<string, string> =>
  Object.fromEntries(
    (['person', 'ticket', 'nip', 'action', 'from', 'to'] as const).flatMap((key) =>
      query[key] ? [[key, query[key]]] : [],
    ),
  );

/** One page of the log, newest first, for the page and the JSON API; the reading is logged before it is served. */
export async function readAuditLog(actor: Actor | undefined, raw: unknown, lang: Lang) {
  const reader = await readerOf(actor);
  const query = parseQuery(raw);
  const filter = await filterOf(reader, query);
  await recordAudit(reader.actor, 'audit.read', null, { ...filtersOf(query), page: query.page }, null, reader);
  const entries = await AuditEntry.find(filter)
    .sort({ at: -1, _id: -1 })
    .skip((query.page - 1) * AUDIT_PAGE_SIZE)
    .limit(AUDIT_PAGE_SIZE + 1)
    .lean<EntryDoc[]>();
  return {
    filters: filtersOf(query),
    page: query.page,
    hasNext: entries.length > AUDIT_PAGE_SIZE,
    entries: await rowsOf(entries.slice(0, AUDIT_PAGE_SIZE), reader, lang),
  };
}

/**
 * The same filters as CSV, every value in the reader's language: validated and logged before the first line, then
 * read in batches so that a long export holds neither the whole log in memory nor one cursor open for minutes.
 */
export async function exportAuditLog(
  actor: Actor | undefined,
  raw: unknown,
  lang: Lang,
): Promise<AsyncIterable<string>> {
  const reader = await readerOf(actor);
  const query = parseQuery(raw);
  const filter = await filterOf(reader, query);
  await recordAudit(reader.actor, 'audit.read', null, { ...filtersOf(query), format: 'csv' }, null, reader);
  const line = (cells: unknown[]) => cells.map(csvCell).join(',') + '\r\n';
  const say = (key: string) => t(lang, key);
  return (async function* () {
    yield (
      '\uFEFF' +
      line([
        say('audit.when'),
        say('audit.who'),
        say('auth.email'),
        say('audit.what'),
        say('audit.target'),
        say('audit.reason'),
        say('audit.address'),
      ])
    );
    let after: { at: Date; _id: Types.ObjectId } | null = null;
    let written = 0;
    while (written < AUDIT_EXPORT_MAX) {
      const page: Record<string, unknown> = after
        ? { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after._id } }] }
        : {};
      const entries = await AuditEntry.find({ $and: [filter, page] })
        .sort({ at: -1, _id: -1 })
        .limit(Math.min(1000, AUDIT_EXPORT_MAX - written))
        .lean<EntryDoc[]>();
      if (!entries.length) return;
      for (const row of await rowsOf(entries, reader, lang))
        yield line([
          row.when,
          row.who?.name ?? say('audit.nobody'),
          row.who?.email ?? '',
          row.actionLabel,
          row.target,
          row.reason,
          row.ip,
        ]);
      written += entries.length;
      const last = entries[entries.length - 1]!;
      after = { at: last.at, _id: last._id };
    }
  })();
}
