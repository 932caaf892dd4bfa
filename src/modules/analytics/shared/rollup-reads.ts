import type { PipelineStage, Types } from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { freezeRows, SharedAnswers } from '../../../platform/shared-answers.js';
import { assertCan, type Actor } from '../../../platform/access.js';
import { findUnitByCode, type UnitDoc } from '../../directory/index.js';
import { surveyTreeComplete } from '../rollups/layout.js';
import { rollupModels, TicketRollup, TicketUnitDayRollup, TicketUnitMonthRollup } from '../rollups/model.js';
import { rollupWrites } from '../rollups/writes.js';
import { segmentDates, segmentsOf, type Period } from './days.js';

/**
 * How every figure is read: from the rollups only (docs/architecture.md), for a unit's subtree (or the unit alone)
 * over a period, each stretch of the period from the grain that answers it fastest, shared by the requests asking
 * the same question while it is current.
 */

/** The unit of a report, or not found. */
export async function unitOr404(unitCode: string): Promise<UnitDoc> {
  const unit = typeof unitCode === 'string' && unitCode ? await findUnitByCode(unitCode) : null;
  if (!unit) throw new AppError('not_found', 'analytics.unknown_unit');
  return unit;
}

/** Public figures need no grant (actor null); anyone else needs 'analytics.read' on the unit. */
export function authorise(actor: Actor | null | undefined, unit: UnitDoc): void {
  if (actor === null) return;
  assertCan(actor, 'analytics.read', { unitPath: unit.path });
}

/** What to match for a unit's subtree (or the unit alone) in the per unit × service rollups. */
export function scopeMatch(
  unit: Pick<UnitDoc, '_id'>,
  options: { subtree?: boolean; serviceCode?: string | null } = {},
): Record<string, unknown> {
  return {
    ...(options.subtree === false ? { unitId: unit._id } : { unitPath: unit._id }),
    ...(options.serviceCode ? { serviceCode: options.serviceCode } : {}),
  };
}

export type Group = Record<string, unknown> & { _id: unknown };
/**
 * Which rollups a question reads: per unit × service (`tickets`, `surveys`; a subtree is `{ unitPath: id }`), or the
 * survey subtree documents (`surveysTree`, model.ts; a subtree is `{ unitId: id }`, every service together).
 */
export type RollupKind = 'tickets' | 'surveys' | 'surveysTree';

/**
 * What to match for a unit's subtree (or the unit alone) in the survey rollups: the subtree documents when they can
 * answer (every service, and the database has them complete: layout.ts `surveyTreeComplete`).
 */
export async function surveyScope(
  unit: Pick<UnitDoc, '_id'>,
  options: { subtree?: boolean; serviceCode?: string | null } = {},
): Promise<{ kind: RollupKind; match: Record<string, unknown> }> {
  return options.subtree !== false && !options.serviceCode && (await surveyTreeComplete())
    ? { kind: 'surveysTree', match: { unitId: unit._id } }
    : { kind: 'surveys', match: scopeMatch(unit, options) };
}

/**
 * Runs `stages` after a `$match` on each stretch of the period (monthly or daily rollups) and merges the groups
 * that share an `_id`, summing their numbers (other fields are kept from the first).
 */
export function aggregateRollups<T extends Group>(
  kind: RollupKind,
  period: Period,
  match: Record<string, unknown>,
  stages: PipelineStage[],
  allowMonthly = true,
  /** Leave the whole months out (the caller reads them from the unit summaries). */
  skipMonthly = false,
  /** Leave the other days out too (likewise). */
  skipDaily = false,
): Promise<T[]> {
  const key = JSON.stringify(['rollups', kind, period, match, stages, allowMonthly, skipMonthly, skipDaily]);
  return rollupReads.get(key, () =>
    mergedRollups(kind, period, match, stages, allowMonthly, skipMonthly, skipDaily),
  ) as Promise<T[]>;
}

/**
 * Rollup reads shared by every request asking the same question (the same scope, period and grouping) while they
 * are current: until this process writes rollups, and for at most a minute for another process's writes (the
 * figures are sums of days; a minute late is what the transparency page promises too). Twenty coaches opening one
 * province's year at once make one read, not twenty. Rows are frozen: callers copy before they change anything.
 */
const rollupReads = new SharedAnswers<Group[] | UnitMonthDoc[]>({
  ttlMs: 60_000,
  maxEntries: 200,
  version: rollupWrites,
  seal: (rows) => freezeRows(rows as object[]) as typeof rows,
});

async function mergedRollups<T extends Group>(
  kind: RollupKind,
  period: Period,
  match: Record<string, unknown>,
  stages: PipelineStage[],
  allowMonthly: boolean,
  skipMonthly: boolean,
  skipDaily: boolean,
): Promise<T[]> {
  const results = await Promise.all(
    segmentsOf(period, allowMonthly)
      .filter((segment) => !(skipMonthly && segment.monthly) && !(skipDaily && !segment.monthly))
      .map((segment) => {
        const model = rollupModels[
          segment.monthly ? (`${kind}Monthly` as const) : kind
        ] as unknown as typeof TicketRollup;
        return model.aggregate<T>([{ $match: { ...match, date: segmentDates(segment) } }, ...stages]);
      }),
  );
  const merged = new Map<string, T>();
  for (const group of results.flat()) {
    const key = JSON.stringify(group._id);
    const into = merged.get(key);
    if (!into) {
      merged.set(key, { ...group });
      continue;
    }
    for (const [field, value] of Object.entries(group))
      if (typeof value === 'number') (into as Record<string, unknown>)[field] = Number(into[field] ?? 0) + value;
  }
  return [...merged.values()];
}

export interface UnitMonthDoc {
  day: string;
  unitId: Types.ObjectId;
  unitPath: Types.ObjectId[];
  n?: Record<string, number>;
  h?: Record<string, Record<string, number>>;
  clock?: Record<string, Record<string, number>>;
  rating?: { sum?: number; count?: number };
  waitSum?: number;
  waitCount?: number;
  kinds?: Record<string, number>;
  categories?: Record<string, number>;
  services?: Record<string, { h?: { wait?: Record<string, number> }; waitSum?: number; waitCount?: number }>;
}

/**
 * The unit summaries of a scope over the period: whole months from the unit-month documents (when `allowMonthly`),
 * the other days from the unit-day documents. Each carries its `day` (a month's first day for a month).
 */
export function unitSummaryDocs(
  scope: Record<string, unknown>,
  period: Period,
  allowMonthly = true,
): Promise<UnitMonthDoc[]> {
  const key = JSON.stringify(['summaries', scope, period, allowMonthly]);
  return rollupReads.get(key, () => readUnitSummaries(scope, period, allowMonthly)) as Promise<UnitMonthDoc[]>;
}

async function readUnitSummaries(
  scope: Record<string, unknown>,
  period: Period,
  allowMonthly: boolean,
): Promise<UnitMonthDoc[]> {
  const lists = await Promise.all(
    segmentsOf(period, allowMonthly).map((segment) =>
      (segment.monthly ? TicketUnitMonthRollup : TicketUnitDayRollup).collection
        .find({ ...scope, date: segmentDates(segment) })
        .toArray(),
    ),
  );
  return lists.flat() as unknown as UnitMonthDoc[];
}
