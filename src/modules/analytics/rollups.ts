import mongoose, { Types, type ClientSession } from 'mongoose';
import { localDate } from '../../platform/calendar.js';
import { logger } from '../../platform/logger.js';
import { keptLookups } from '../../platform/shared-answers.js';
import { findUnitById, Unit } from '../directory/index.js';
import { ELEMENT_COUNT } from '../surveys/index.js';
import { bucketOf, DURATION_HOURS_BOUNDS, WAIT_MINUTES_BOUNDS } from './histogram.js';
import { ContributionState, RollupCheckpoint, rollupModels, type RollupTarget } from './model.js';

/**
 * What one source document adds to the rollups, and how it gets there.
 *
 * Live and rebuilt rollups must be identical, so each ticket's contribution is ONE pure function of the ticket
 * document (`ticketContribution`) that both paths use. The contribution last applied for each ticket is stored
 * (`rollup_ticket_state`, with the ticket's revision); on every event the ticket is read again, the new
 * contribution computed, and only the difference `$inc`ed — in one transaction with the compare-and-set of the
 * state on its revision, so two events for one ticket never both apply, an older revision never overwrites a
 * newer one, and a crash leaves both writes or neither. Survey answers never change after they are stored, so their
 * contribution is applied once, on `survey.submitted`, with a marker state (`survey:<id>`) that makes a second
 * application of the same event change nothing. Findings can be recorded again with another outcome and use
 * the same state scheme as tickets (state `finding:<id>`, revision = updatedAt).
 */

const HOUR_MS = 3_600_000;

/** One rollup document's share of a contribution: its key, the fields it is created with, and the increments. */
export interface Entry {
  t: RollupTarget;
  k: string;
  m: Record<string, unknown>;
  i: Record<string, number>;
}
export type Contribution = Entry[];

/** A local day as midnight UTC: range queries on `date` compare local days without zone math. */
export const dateOfDay = (day: string) => new Date(`${day}T00:00:00.000Z`);

/** A code as a field name: no dots or dollars (service and category codes are letters, digits and dashes). */
export const fieldKey = (code: string | null | undefined) => (code ? code.replace(/[.$]/g, '_') : '-');

class Builder {
  private readonly entries = new Map<string, Entry>();
  add(t: RollupTarget, k: string, m: () => Record<string, unknown>, path: string, value = 1): void {
    if (!value) return;
    const id = `${t}:${k}`;
    let entry = this.entries.get(id);
    if (!entry) this.entries.set(id, (entry = { t, k, m: m(), i: {} }));
    entry.i[path] = (entry.i[path] ?? 0) + value;
  }
  /** A ticket day entry's share of its unit's day or month: every counter, plus kind, category and service breakdowns. */
  private addUnitSummary(target: RollupTarget, entry: Entry, grain: string, first: string): void {
    const { unitId, unitPath, agencyCode, serviceCode, category, kind } = entry.m as Record<string, unknown>;
    const k = `${grain}|${String(unitId)}`;
    const meta = () => ({ day: first, date: dateOfDay(first), unitId, unitPath, agencyCode });
    const service = fieldKey(serviceCode as string | null);
    for (const [path, value] of Object.entries(entry.i)) {
      this.add(target, k, meta, path, value);
      if (path === 'n.received') {
        this.add(target, k, meta, `kinds.${fieldKey(kind as string)}`, value);
        this.add(target, k, meta, `categories.${fieldKey((category as string | null) ?? 'none')}`, value);
      }
      if (path.startsWith('h.wait.') || path === 'waitSum' || path === 'waitCount')
        this.add(target, k, meta, `services.${service}.${path}`, value);
    }
  }

  /** A survey day entry's share of the subtree documents of its unit and of every unit above it (day and month). */
  private addSurveyTree(entry: Entry, month: string): void {
    const { unitPath, agencyCode } = entry.m as { unitPath: Types.ObjectId[]; agencyCode: unknown };
    const day = entry.k.slice(0, 10);
    unitPath.forEach((top, depth) => {
      const path = unitPath.slice(0, depth + 1);
      for (const [t, grain, first] of [
        ['surveysTree', day, day],
        ['surveysTreeMonthly', month, `${month}-01`],
      ] as const) {
        const meta = () => ({ day: first, date: dateOfDay(first), unitId: top, unitPath: path, agencyCode });
        for (const [field, value] of Object.entries(entry.i))
          this.add(t, `${grain}|${String(top)}`, meta, field, value);
      }
    });
  }

  /**
   * The entries, plus the same increments on the monthly documents of the day-keyed tickets and surveys, the unit
   * summaries of the tickets and the subtree documents of the surveys.
   */
  build(): Contribution {
    for (const entry of [...this.entries.values()]) {
      if (entry.t !== 'tickets' && entry.t !== 'surveys') continue;
      const month = entry.k.slice(0, 7);
      const first = `${month}-01`;
      const t = entry.t === 'tickets' ? 'ticketsMonthly' : 'surveysMonthly';
      const k = `${month}${entry.k.slice(10)}`;
      for (const [path, value] of Object.entries(entry.i))
        this.add(t, k, () => ({ ...entry.m, day: first, date: dateOfDay(first) }), path, value);
      if (entry.t === 'tickets') {
        this.addUnitSummary('ticketsUnitMonthly', entry, month, first);
        this.addUnitSummary('ticketsUnitDaily', entry, entry.k.slice(0, 10), entry.k.slice(0, 10));
      }
      if (entry.t === 'surveys') this.addSurveyTree(entry, month);
    }
    return [...this.entries.values()].sort((a, b) => (a.t + a.k < b.t + b.k ? -1 : 1));
  }
}

// ---- Tickets ------------------------------------------------------------------------------------------------------

/** The fields of a ticket the contribution reads (a projection keeps rebuild reads small). */
export const TICKET_FIELDS = {
  kind: 1,
  category: 1,
  unitId: 1,
  unitPath: 1,
  agencyCode: 1,
  timeZone: 1,
  serviceCode: 1,
  officerIds: 1,
  waitMinutes: 1,
  status: 1,
  revision: 1,
  createdAt: 1,
  resolvedAt: 1,
  closedAt: 1,
  rating: 1,
  due: 1,
  'history.at': 1,
  'history.action': 1,
  'history.from': 1,
  'history.to': 1,
  'history.public': 1,
  'history.actor.kind': 1,
} as const;

interface HistoryLike {
  at: Date;
  action: string;
  from?: string | null;
  to?: string | null;
  public?: boolean;
  actor?: { kind?: string } | null;
}

export interface TicketLike {
  _id: Types.ObjectId | string;
  kind: string;
  category?: string | null;
  unitId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  agencyCode?: string | null;
  timeZone: string;
  serviceCode?: string | null;
  officerIds?: Types.ObjectId[] | null;
  waitMinutes?: number | null;
  status: string;
  revision?: number | null;
  createdAt: Date;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  rating?: { score?: number | null; at?: Date | null } | null;
  due?: { verify?: Date | null; followUp?: Date | null } | null;
  history?: HistoryLike[] | null;
}

const isReopen = (entry: HistoryLike) =>
  entry.action === 'reopened' ||
  (entry.action === 'status' && ['resolved', 'closed'].includes(entry.from ?? '') && entry.to === 'in_progress');

/**
 * The ticket's whole contribution, from the document alone (no clock, no database). Rules, each on the agency's
 * local day of its own event:
 * - received: the filing day; with the citizen's waiting minutes (histogram, sum, count) when reported;
 * - verification: the first decision on a received ticket (verified, rejected, merged) after the last forward
 *   (forwarding restarts the verify clock at the new unit); hours since receipt (or the forward) in `h.verify`;
 *   counted in time when made by the stored `due.verify`; `n.verified` when the decision was to verify;
 * - first follow-up: the first public staff answer (a reply, a question to the citizen, or a resolution) after
 *   verification; hours since the follow-up clock started (the last verification or assignment before it) in
 *   `h.followUp`; in time when by `due.followUp`, which a reopening overwrites — reopened tickets therefore have no
 *   known due time for it and are left out of that share (never counted late by guesswork);
 * - resolved: `resolvedAt` (a reopening clears it; the next resolution counts), hours since receipt in `h.resolve`;
 * - closed / rejected / merged: the day of `closedAt` for tickets in that status;
 * - reopened: one per reopening, on its day; rating: sum and count on the day it was given;
 * - compliments naming officers also count on each officer's day rollup.
 * A forwarded or recategorised ticket moves whole to its current unit and category.
 */
export function ticketContribution(ticket: TicketLike): Contribution {
  const builder = new Builder();
  const zone = ticket.timeZone;
  const unitId = new Types.ObjectId(String(ticket.unitId));
  const unitPath = ticket.unitPath.map((id) => new Types.ObjectId(String(id)));
  const serviceCode = ticket.serviceCode ?? null;
  const category = ticket.category ?? null;
  const dayOf = (at: Date) => localDate(at, zone);
  const add = (at: Date, path: string, value = 1) => {
    const day = dayOf(at);
    builder.add(
      'tickets',
      `${day}|${String(unitId)}|${serviceCode ?? '-'}|${category ?? '-'}|${ticket.kind}`,
      () => ({
        day,
        date: dateOfDay(day),
        unitId,
        unitPath,
        agencyCode: ticket.agencyCode ?? null,
        serviceCode,
        category,
        kind: ticket.kind,
      }),
      path,
      value,
    );
  };
  const history = [...(ticket.history ?? [])].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
  const created = new Date(ticket.createdAt);

  add(created, 'n.received');
  if (typeof ticket.waitMinutes === 'number' && Number.isFinite(ticket.waitMinutes) && ticket.waitMinutes >= 0) {
    add(created, `h.wait.${bucketOf(ticket.waitMinutes, WAIT_MINUTES_BOUNDS)}`);
    add(created, 'waitSum', ticket.waitMinutes);
    add(created, 'waitCount');
  }

  // Verification: the first decision on a received ticket since the last forward.
  let forwardedAt: Date | null = null;
  for (const entry of history) if (entry.action === 'forwarded') forwardedAt = new Date(entry.at);
  const verifyStart = forwardedAt ?? created;
  const decision = history.find(
    (entry) => entry.action === 'status' && entry.from === 'received' && new Date(entry.at) >= verifyStart,
  );
  const decidedAt = decision ? new Date(decision.at) : null;
  if (decision && decidedAt) {
    add(
      decidedAt,
      `h.verify.${bucketOf((decidedAt.getTime() - verifyStart.getTime()) / HOUR_MS, DURATION_HOURS_BOUNDS)}`,
    );
    if (decision.to === 'verified') add(decidedAt, 'n.verified');
    const due = ticket.due?.verify ? new Date(ticket.due.verify) : null;
    if (due) {
      add(decidedAt, 'clock.verify.n');
      if (decidedAt <= due) add(decidedAt, 'clock.verify.ok');
    }
  }

  // First follow-up: the first public staff answer after verification.
  if (decision?.to === 'verified' && decidedAt) {
    const followUp = history.find(
      (entry) =>
        new Date(entry.at) >= decidedAt &&
        entry.actor?.kind === 'staff' &&
        entry.public !== false &&
        (entry.action === 'reply' || (entry.action === 'status' && entry.to === 'resolved')),
    );
    if (followUp) {
      const at = new Date(followUp.at);
      let clockStart = decidedAt;
      for (const entry of history) {
        const entryAt = new Date(entry.at);
        if (entryAt > at) break;
        if (entry.action === 'status' && (entry.to === 'verified' || entry.to === 'assigned')) clockStart = entryAt;
      }
      add(at, `h.followUp.${bucketOf((at.getTime() - clockStart.getTime()) / HOUR_MS, DURATION_HOURS_BOUNDS)}`);
      const reopened = history.some(isReopen);
      const due = ticket.due?.followUp ? new Date(ticket.due.followUp) : null;
      if (due && !reopened) {
        add(at, 'clock.followUp.n');
        if (at <= due) add(at, 'clock.followUp.ok');
      }
    }
  }

  if (ticket.resolvedAt) {
    const at = new Date(ticket.resolvedAt);
    add(at, 'n.resolved');
    add(at, `h.resolve.${bucketOf((at.getTime() - created.getTime()) / HOUR_MS, DURATION_HOURS_BOUNDS)}`);
  }
  if (ticket.closedAt && ['closed', 'rejected', 'merged'].includes(ticket.status))
    add(new Date(ticket.closedAt), `n.${ticket.status}`);
  for (const entry of history) if (isReopen(entry)) add(new Date(entry.at), 'n.reopened');
  if (ticket.rating?.score) {
    const at = new Date(ticket.rating.at ?? ticket.closedAt ?? ticket.resolvedAt ?? created);
    add(at, 'rating.sum', ticket.rating.score);
    add(at, 'rating.count');
  }

  if (ticket.kind === 'compliment') {
    const day = dayOf(created);
    for (const officerId of ticket.officerIds ?? []) {
      const officer = new Types.ObjectId(String(officerId));
      builder.add(
        'officers',
        officerKey(day, officer),
        () => officerMeta(day, officer, unitId, unitPath, ticket.agencyCode),
        'compliments',
      );
    }
  }
  return builder.build();
}

const officerKey = (day: string, officerId: Types.ObjectId) => `${day}|${String(officerId)}`;
const officerMeta = (
  day: string,
  officerId: Types.ObjectId,
  unitId: Types.ObjectId,
  unitPath: Types.ObjectId[],
  agencyCode?: string | null,
) => ({ day, date: dateOfDay(day), officerId, unitId, unitPath, agencyCode: agencyCode ?? null });

// ---- Survey answers -----------------------------------------------------------------------------------------------

export interface SurveyLike {
  _id: Types.ObjectId | string;
  unitId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  agencyCode?: string | null;
  serviceCode?: string | null;
  officerId?: Types.ObjectId | null;
  answers: number[];
  respondent?: { gender?: string; ageBand?: string; education?: string; occupation?: string } | null;
  submittedAt: Date;
  integrity?: { flags?: string[] | null } | null;
}

export const SURVEY_FIELDS = {
  unitId: 1,
  unitPath: 1,
  agencyCode: 1,
  serviceCode: 1,
  officerId: 1,
  answers: 1,
  respondent: 1,
  submittedAt: 1,
  'integrity.flags': 1,
} as const;

export const PROFILE_FIELDS = ['gender', 'ageBand', 'education', 'occupation'] as const;

/** One answer on the local day it was submitted, in the unit's time zone (23:30 WIT is that day in Ambon). */
export function surveyContribution(survey: SurveyLike, timeZone: string): Contribution {
  const builder = new Builder();
  const day = localDate(new Date(survey.submittedAt), timeZone);
  const unitId = new Types.ObjectId(String(survey.unitId));
  const unitPath = survey.unitPath.map((id) => new Types.ObjectId(String(id)));
  const serviceCode = survey.serviceCode ?? null;
  const key = `${day}|${String(unitId)}|${serviceCode ?? '-'}`;
  const meta = () => ({
    day,
    date: dateOfDay(day),
    unitId,
    unitPath,
    agencyCode: survey.agencyCode ?? null,
    serviceCode,
  });
  const add = (path: string, value = 1) => builder.add('surveys', key, meta, path, value);
  add('respondents');
  survey.answers.slice(0, ELEMENT_COUNT).forEach((answer, index) => add(`sums.${index}`, answer));
  for (const field of PROFILE_FIELDS) {
    const value = survey.respondent?.[field];
    if (value) add(`profile.${field}.${value}`);
  }
  const flags = survey.integrity?.flags ?? [];
  if (flags.length) add('flagged');
  for (const flag of flags) add(`flags.${flag}`);
  if (survey.officerId) {
    const officer = new Types.ObjectId(String(survey.officerId));
    const ometa = () => officerMeta(day, officer, unitId, unitPath, survey.agencyCode);
    builder.add('officers', officerKey(day, officer), ometa, 'surveys.respondents');
    survey.answers
      .slice(0, ELEMENT_COUNT)
      .forEach((answer, index) =>
        builder.add('officers', officerKey(day, officer), ometa, `surveys.sums.${index}`, answer),
      );
  }
  return builder.build();
}

// ---- Findings -----------------------------------------------------------------------------------------------------

export interface FindingLike {
  _id: Types.ObjectId | string;
  officerId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  outcome: string;
  createdAt: Date;
  updatedAt?: Date | null;
}

/** A finding on the officer's day rollup of the day it was first recorded, under its current outcome. */
export function findingContribution(finding: FindingLike, timeZone: string, agencyCode?: string | null): Contribution {
  const builder = new Builder();
  const day = localDate(new Date(finding.createdAt), timeZone);
  const officer = new Types.ObjectId(String(finding.officerId));
  const unitPath = finding.unitPath.map((id) => new Types.ObjectId(String(id)));
  const unitId = unitPath[unitPath.length - 1]!;
  builder.add(
    'officers',
    officerKey(day, officer),
    () => officerMeta(day, officer, unitId, unitPath, agencyCode),
    `findings.${finding.outcome}`,
  );
  return builder.build();
}
export const findingRevision = (finding: FindingLike) => new Date(finding.updatedAt ?? finding.createdAt).getTime();

// ---- Arithmetic on contributions ----------------------------------------------------------------------------------

/** next − previous, entry by entry and path by path; paths that cancel out are left out. */
export function diffContributions(previous: Contribution, next: Contribution): Contribution {
  const byId = new Map<string, Entry>();
  const merge = (entries: Contribution, sign: number) => {
    for (const entry of entries) {
      const id = `${entry.t}:${entry.k}`;
      let target = byId.get(id);
      if (!target) byId.set(id, (target = { t: entry.t, k: entry.k, m: entry.m, i: {} }));
      if (sign > 0) target.m = entry.m;
      for (const [path, value] of Object.entries(entry.i)) target.i[path] = (target.i[path] ?? 0) + sign * value;
    }
  };
  merge(previous, -1);
  merge(next, 1);
  return compact([...byId.values()]);
}

function compact(entries: Contribution): Contribution {
  const out: Contribution = [];
  for (const entry of entries) {
    const increments = Object.fromEntries(Object.entries(entry.i).filter(([, value]) => value !== 0));
    if (Object.keys(increments).length) out.push({ ...entry, i: increments });
  }
  return out;
}

/** Sums many contributions into one entry per rollup document (a rebuild batch pre-aggregates with this). */
export class Accumulator {
  private readonly byId = new Map<string, Entry>();
  add(entries: Contribution): void {
    for (const entry of entries) {
      const id = `${entry.t}:${entry.k}`;
      let target = this.byId.get(id);
      if (!target) this.byId.set(id, (target = { t: entry.t, k: entry.k, m: entry.m, i: {} }));
      for (const [path, value] of Object.entries(entry.i)) target.i[path] = (target.i[path] ?? 0) + value;
    }
  }
  entries(): Contribution {
    return compact([...this.byId.values()]);
  }
  get size(): number {
    return this.byId.size;
  }
}

/**
 * How many times this process has written rollups: figures cached in this process (the public transparency page)
 * are computed again after any change here, and are at most their time-to-live old for changes made by others.
 * It counts a write once it is visible (after the write, or after its transaction has ended), so figures computed
 * while it was under way are never kept as current.
 */
let writes = 0;
export const rollupWrites = () => writes;

/** `$inc` upserts, one per rollup document, unordered, grouped by collection. */
export async function applyEntries(entries: Contribution, session?: ClientSession): Promise<void> {
  try {
    await bulkIncrements(entries, session);
  } finally {
    if (!session) writes++; // in a transaction: counted when it ends (inTransaction)
  }
}

async function bulkIncrements(entries: Contribution, session?: ClientSession): Promise<void> {
  const byTarget = new Map<RollupTarget, Contribution>();
  for (const entry of entries) {
    if (!Object.keys(entry.i).length) continue;
    const list = byTarget.get(entry.t);
    if (list) list.push(entry);
    else byTarget.set(entry.t, [entry]);
  }
  for (const [target, list] of byTarget) {
    await rollupModels[target].collection.bulkWrite(
      list.map((entry) => ({
        updateOne: {
          filter: { _id: entry.k as never },
          update: Object.keys(entry.m).length ? { $inc: entry.i, $setOnInsert: entry.m } : { $inc: entry.i },
          upsert: true,
        },
      })),
      { ordered: false, session },
    );
  }
}

/**
 * Creates rollup documents that do not exist yet, one insert per document instead of an upsert (a rebuild writing
 * into emptied collections; about three times faster on SecantusDB). The increments' dotted paths become nested
 * fields, the same document an upsert would have made. A document that exists already makes it throw.
 */
export async function insertEntries(entries: Contribution, session?: ClientSession): Promise<void> {
  const byTarget = new Map<RollupTarget, Record<string, unknown>[]>();
  for (const entry of entries) {
    if (!Object.keys(entry.i).length) continue;
    const doc: Record<string, unknown> = { _id: entry.k, ...entry.m };
    for (const [path, value] of Object.entries(entry.i)) {
      const parts = path.split('.');
      let node = doc;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts[parts.length - 1]!] = value;
    }
    const list = byTarget.get(entry.t);
    if (list) list.push(doc);
    else byTarget.set(entry.t, [doc]);
  }
  try {
    for (const [target, docs] of byTarget)
      await rollupModels[target].collection.insertMany(docs as never[], { ordered: false, session });
  } finally {
    if (!session) writes++; // in a transaction: counted when it ends (inTransaction)
  }
}

/** Runs work in a transaction, retried as a whole on transient errors (write conflicts) by the driver. */
export async function inTransaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = await mongoose.startSession();
  try {
    let result: T;
    await session.withTransaction(async () => {
      result = await work(session);
    });
    return result!;
  } finally {
    await session.endSession();
    writes++; // committed or not, figures computed meanwhile are not kept
  }
}

/**
 * A contribution as its state keeps it: keys and increments without the fields documents are created with. Only
 * the next contribution creates documents; what a previous one added is taken away from documents that exist.
 */
export const stored = (contribution: Contribution): Contribution =>
  contribution.map(({ t, k, i }) => ({ t, k, m: {}, i }));

// ---- The state compare-and-set --------------------------------------------------------------------------------------

interface StateDoc {
  _id: unknown;
  revision: number;
  contribution: Contribution;
}

const states = () => ContributionState.collection;
const isDuplicateKey = (error: unknown) => (error as { code?: number })?.code === 11000;

/** One source document's contribution at its revision, for `applySourceStates`. */
export interface SourceState {
  id: unknown;
  revision: number;
  contribution: Contribution;
}

/**
 * The batch form of `applySourceState`, for a rebuild batch and for live events coalesced over a moment: in one
 * transaction, reads the stored states of all the sources, skips those already at their revision or a newer one,
 * stores the rest (insert, or compare-and-set on the stored revision) and `$inc`s the summed differences, one upsert
 * per rollup document. `also` writes more in the same transaction (a rebuild's checkpoint). A racing writer for one
 * of the sources makes it start again on fresh reads.
 */
export async function applySourceStates(
  items: SourceState[],
  also?: (session: ClientSession) => Promise<void>,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(async (session) => {
        const existing = (await states()
          .find({ _id: { $in: items.map((item) => item.id) as never[] } }, { session })
          .toArray()) as unknown as StateDoc[];
        const stateOf = new Map(existing.map((state) => [String(state._id), state]));
        const sums = new Accumulator();
        const inserts: StateDoc[] = [];
        for (const item of items) {
          const state = stateOf.get(String(item.id));
          if (state && state.revision >= item.revision) continue; // already applied, by another path or process
          sums.add(state ? diffContributions(state.contribution, item.contribution) : item.contribution);
          if (!state) inserts.push({ _id: item.id, revision: item.revision, contribution: stored(item.contribution) });
          else {
            const swapped = await states().updateOne(
              { _id: item.id as never, revision: state.revision },
              { $set: { revision: item.revision, contribution: stored(item.contribution) } },
              { session },
            );
            if (swapped.matchedCount !== 1) throw Object.assign(new Error('state moved'), { code: 11000 });
          }
        }
        if (inserts.length) await states().insertMany(inserts as never[], { session, ordered: false });
        await applyEntries(sums.entries(), session);
        await also?.(session);
      });
    } catch (error) {
      if (isDuplicateKey(error) && attempt < 5) continue; // another writer got there first: read again
      throw error;
    }
  }
}

/**
 * Stores the states of sources whose contribution a rebuild is about to add (rebuild.ts): plain inserts, unordered,
 * outside any transaction. A state that is already there (written by an interrupted run of the same rebuild, which
 * computed the same contribution from the same document) is left as it is; any other refusal is thrown.
 */
export async function insertStates(items: SourceState[]): Promise<void> {
  if (!items.length) return;
  const docs = items.map((item) => ({
    _id: item.id,
    revision: item.revision,
    contribution: stored(item.contribution),
  }));
  try {
    await states().insertMany(docs as never[], { ordered: false });
  } catch (error) {
    const failures = (error as { writeErrors?: { code?: number }[] }).writeErrors;
    if (!failures?.length || failures.some((failure) => failure.code !== 11000)) throw error;
  }
}

/**
 * Brings the rollups in line with one source document at `revision`: in one transaction, reads what was applied for
 * it, and unless that is already this revision or a newer one, stores the new contribution (compare-and-set on the
 * stored revision) and `$inc`s the difference. Returns whether anything changed. A racing writer for the same
 * document makes the transaction conflict; it is tried again on fresh reads.
 */
export async function applySourceState(
  stateId: unknown,
  revision: number,
  next: Contribution,
): Promise<'applied' | 'current'> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(async (session) => {
        const state = (await states().findOne({ _id: stateId as never }, { session })) as StateDoc | null;
        if (state && state.revision >= revision) return 'current' as const;
        const diff = diffContributions(state?.contribution ?? [], next);
        if (state) {
          const swapped = await states().updateOne(
            { _id: stateId as never, revision: state.revision },
            { $set: { revision, contribution: stored(next) } },
            { session },
          );
          if (swapped.matchedCount !== 1) throw Object.assign(new Error('state moved'), { code: 11000 });
        } else {
          await states().insertOne({ _id: stateId as never, revision, contribution: stored(next) }, { session });
        }
        await applyEntries(diff, session);
        return 'applied' as const;
      });
    } catch (error) {
      if (isDuplicateKey(error) && attempt < 5) continue; // another writer got there first: read again
      throw error;
    }
  }
}

/**
 * Applies a contribution that never changes (a survey answer) once per source: in one transaction, a marker state
 * (`stateId`, no contribution kept) is inserted and the increments written; a marker already there means it was
 * applied before (by another process, or before a crash that left its event pending), and nothing is written.
 */
export async function applyOnce(stateId: string, contribution: Contribution): Promise<'applied' | 'current'> {
  try {
    return await inTransaction(async (session) => {
      await states().insertOne({ _id: stateId as never, revision: 1, contribution: [] }, { session });
      await applyEntries(contribution, session);
      return 'applied' as const;
    });
  } catch (error) {
    if (isDuplicateKey(error)) return 'current';
    throw error;
  }
}

// ---- Time zones of units (survey answers and findings carry none) -------------------------------------------------

/** What rollups need of a unit that a survey answer or a finding does not carry. */
export interface UnitInfo {
  timeZone: string;
  agencyCode: string | null;
}

/** The time zone (the agency's) and agency of a unit (the directory's kept lookup). */
export async function unitInfo(unitId: Types.ObjectId | string): Promise<UnitInfo> {
  const unit = await findUnitById(String(unitId));
  return { timeZone: unit?.timeZone ?? 'Asia/Jakarta', agencyCode: unit?.agencyCode ?? null };
}

/** Every unit's time zone and agency at once, for a rebuild. */
export async function allUnitInfo(): Promise<Map<string, UnitInfo>> {
  const units = await Unit.find({})
    .select({ timeZone: 1, agencyCode: 1 })
    .lean<(UnitInfo & { _id: Types.ObjectId })[]>();
  return new Map(units.map((unit) => [String(unit._id), { timeZone: unit.timeZone, agencyCode: unit.agencyCode }]));
}

// ---- Layouts a database may lack until a rebuild ------------------------------------------------------------------

/**
 * The survey subtree documents (model.ts, `surveysTree*`) came after the other rollups: a database whose survey
 * answers were rolled up before has none for them, and a subtree's IKM read from them would be short. They are
 * complete once a rebuild has run with this code, or when the database had no survey rollups at all when this code
 * first started (every answer from then on is rolled up with them). That is written down as a mark
 * (`rollup_checkpoints`, `_id: 'layout'`); until it is there, subtree questions read the per-unit documents (the same
 * answer, slower) and the start-up log asks for `npm run rollups:rebuild` once.
 */
const LAYOUT_ID = 'layout';
const layoutMark = () => RollupCheckpoint.collection as unknown as mongoose.mongo.Collection<{ _id: string }>;
const layoutLookups = keptLookups<boolean>(() => 0, 1);

export async function markRollupLayoutComplete(): Promise<void> {
  await layoutMark().updateOne({ _id: LAYOUT_ID }, { $set: { surveysTree: true, at: new Date() } }, { upsert: true });
  layoutLookups.clear();
}

/** Run at every start (reference-data.ts): marks a database with no survey rollups yet, or says what is missing. */
export async function ensureRollupLayout(): Promise<void> {
  if (await surveyTreeComplete()) return;
  if (!(await rollupModels.surveys.collection.findOne({}, { projection: { _id: 1 } })))
    return markRollupLayoutComplete();
  logger.warn(
    'survey subtree rollups missing: subtree IKM is read from the per-unit rollups (slower) until `npm run rollups:rebuild` has run once',
  );
}

/** Whether the survey subtree documents are complete (read again at most every 5 s). */
export function surveyTreeComplete(): Promise<boolean> {
  return layoutLookups.get(LAYOUT_ID, async () =>
    Boolean(await layoutMark().findOne({ _id: LAYOUT_ID, surveysTree: true }, { projection: { _id: 1 } })),
  );
}
