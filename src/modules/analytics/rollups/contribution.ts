import { Types } from 'mongoose';
import { localDate } from '../../../platform/calendar.js';
import type { TicketFacts } from '../../feedback/index.js';
import { ELEMENT_COUNT, type AnswerFacts } from '../../surveys/index.js';
import { bucketOf, DURATION_HOURS_BOUNDS, WAIT_MINUTES_BOUNDS } from '../shared/histogram.js';
import { dateOfDay } from '../shared/days.js';
import type { RollupTarget } from './model.js';

/**
 * What one source document adds to the rollups.
 *
 * Live and rebuilt rollups must be identical, so each ticket's contribution is ONE pure function of the ticket's
 * facts (`ticketContribution`, from feedback's `ticketFactsOf`) that both paths use. The contribution last applied
 * for each ticket is stored (`rollup_ticket_state`, with the ticket's revision); on every event the ticket is read
 * again, the new contribution computed, and only the difference `$inc`ed — in one transaction with the
 * compare-and-set of the state on its revision (writes.ts), so two events for one ticket never both apply, an older
 * revision never overwrites a newer one, and a crash leaves both writes or neither. Survey answers never change
 * after they are stored, so their contribution is applied once, on `survey.submitted`, with a marker state
 * (`survey:<id>`) that makes a second application of the same event change nothing.
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

const hoursBucket = (from: Date, to: Date) =>
  bucketOf((to.getTime() - from.getTime()) / HOUR_MS, DURATION_HOURS_BOUNDS);

/** Adds to the ticket's day document of the agency-local day of `at`. */
function ticketAdder(builder: Builder, ticket: TicketFacts) {
  const { unitId, unitPath, serviceCode, category, kind } = ticket;
  return (at: Date, path: string, value = 1) => {
    const day = localDate(at, ticket.timeZone);
    const meta = () => ({
      day,
      date: dateOfDay(day),
      unitId,
      unitPath,
      agencyCode: ticket.agencyCode,
      serviceCode,
      category,
      kind,
    });
    builder.add(
      'tickets',
      `${day}|${String(unitId)}|${serviceCode ?? '-'}|${category ?? '-'}|${kind}`,
      meta,
      path,
      value,
    );
  };
}

/**
 * The ticket's whole contribution, from its facts alone (no clock, no database). Rules, each on the agency's local
 * day of its own event:
 * - received: the filing day; with the citizen's waiting minutes (histogram, sum, count) when reported;
 * - verification: hours since receipt (or the last forward) in `h.verify`; counted against the clock when its due
 *   time is known; `n.verified` when the decision was to verify;
 * - first response: hours since the follow-up clock started in `h.followUp`; counted against the clock when its due
 *   time is known (never counted late by guesswork);
 * - resolved: `resolvedAt`, hours since receipt in `h.resolve`;
 * - closed / rejected / merged: the day the ticket ended so;
 * - reopened: one per reopening, on its day; rating: sum and count on the day it was given.
 * A forwarded or recategorised ticket moves whole to its current unit and category.
 */
export function ticketContribution(ticket: TicketFacts): Contribution {
  const builder = new Builder();
  const add = ticketAdder(builder, ticket);
  const created = ticket.createdAt;
  add(created, 'n.received');
  if (ticket.waitMinutes !== null) {
    add(created, `h.wait.${bucketOf(ticket.waitMinutes, WAIT_MINUTES_BOUNDS)}`);
    add(created, 'waitSum', ticket.waitMinutes);
    add(created, 'waitCount');
  }
  const { verification, firstResponse } = ticket;
  if (verification) {
    add(verification.at, `h.verify.${hoursBucket(verification.clockStartedAt, verification.at)}`);
    if (verification.verified) add(verification.at, 'n.verified');
    if (verification.withinLimit !== null) {
      add(verification.at, 'clock.verify.n');
      if (verification.withinLimit) add(verification.at, 'clock.verify.ok');
    }
  }
  if (firstResponse) {
    add(firstResponse.at, `h.followUp.${hoursBucket(firstResponse.clockStartedAt, firstResponse.at)}`);
    if (firstResponse.withinLimit !== null) {
      add(firstResponse.at, 'clock.followUp.n');
      if (firstResponse.withinLimit) add(firstResponse.at, 'clock.followUp.ok');
    }
  }
  if (ticket.resolvedAt) {
    add(ticket.resolvedAt, 'n.resolved');
    add(ticket.resolvedAt, `h.resolve.${hoursBucket(created, ticket.resolvedAt)}`);
  }
  if (ticket.ended) add(ticket.ended.at, `n.${ticket.ended.as}`);
  for (const at of ticket.reopenedAt) add(at, 'n.reopened');
  if (ticket.rating) {
    add(ticket.rating.at, 'rating.sum', ticket.rating.score);
    add(ticket.rating.at, 'rating.count');
  }
  return builder.build();
}

// ---- Survey answers -----------------------------------------------------------------------------------------------

const PROFILE_FIELDS = ['gender', 'ageBand', 'education', 'occupation'] as const;

/** One answer on the local day it was submitted, in the unit's time zone (23:30 WIT is that day in Ambon). */
export function surveyContribution(survey: AnswerFacts, timeZone: string): Contribution {
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
  return builder.build();
}

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
