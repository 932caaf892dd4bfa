import { Types } from 'mongoose';
import { unitZones } from '../../directory/index.js';
import { ticketFactsChangedIn } from '../../feedback/index.js';
import { answerFactsIn } from '../../surveys/index.js';
import { Accumulator, surveyContribution, ticketContribution, type Contribution, type Entry } from './contribution.js';
import { rollupModels, type RollupTarget } from './model.js';
import { applyEntries, inTransaction } from './writes.js';

/**
 * The drift check of the rollups (`npm run verify`, and the daily reconciliation): recomputes, for a window of
 * whole months, every rollup document from the source collections with the same pure functions the projector and
 * the rebuild use (contribution.ts), and compares them with the stored documents, counter by counter (a counter that is
 * missing counts as 0, so a document whose counts all netted to zero equals no document).
 *
 * A rollup document of a day or month in the window depends only on the sources with something on that day: tickets
 * created before the window's end and changed since the day before it began (every count of a ticket is on the
 * local day of one of its changes, and local days run up to a day ahead of UTC in Indonesia), and survey answers of
 * those days.
 */

const DAY_MS = 86_400_000;

/** The meta fields of a rollup document: what it is about, not what it counts. */
const META = new Set(['_id', 'day', 'date', 'unitId', 'unitPath', 'agencyCode', 'serviceCode', 'category', 'kind']);

export interface Window {
  from: Date;
  to: Date;
}

/** The window widened to whole months (UTC, as rollup `date`s are), so monthly documents are wholly inside it. */
export function monthWindow(window: Window): Window {
  const from = new Date(Date.UTC(window.from.getUTCFullYear(), window.from.getUTCMonth(), 1));
  const to = new Date(Date.UTC(window.to.getUTCFullYear(), window.to.getUTCMonth() + 1, 1));
  return { from, to };
}

export interface CollectionDrift {
  collection: string;
  /** Documents compared (those stored and those the sources give, once each). */
  checked: number;
  differences: number;
  /** A few of the differences, for a person to read. */
  examples: string[];
}

export interface RollupDrift {
  window: Window;
  sources: { tickets: number; surveys: number };
  collections: CollectionDrift[];
  /** Per rollup document that differs: what the stored one lacks (expected − stored), to repair it. */
  repairs: Contribution;
}

function flatten(value: unknown, prefix: string, out: Map<string, number>): void {
  if (typeof value === 'number') {
    if (value !== 0) out.set(prefix, value);
    return;
  }
  if (value && typeof value === 'object' && !(value instanceof Date) && !Array.isArray(value))
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
}

function countersOf(doc: Record<string, unknown>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(doc)) if (!META.has(key)) flatten(value, key, out);
  return out;
}

/** The rollup documents the sources of the window give (those dated in it), and how many sources were read. */
async function expectedRollups(from: Date, to: Date) {
  const since = new Date(from.getTime() - DAY_MS);
  const inWindow = (entry: Entry) => {
    const date = (entry.m as { date?: Date }).date;
    return date instanceof Date && date >= from && date < to;
  };
  const expected = new Accumulator();
  const add = (contribution: Contribution) => expected.add(contribution.filter(inWindow));
  const zones = await unitZones();
  const unitIds = [...zones.keys()].map((id) => new Types.ObjectId(id));
  const sources = { tickets: 0, surveys: 0 };
  for await (const ticket of ticketFactsChangedIn(unitIds, { since, to })) {
    sources.tickets++;
    add(ticketContribution(ticket));
  }
  for await (const answer of answerFactsIn(unitIds, { since, to })) {
    sources.surveys++;
    add(surveyContribution(answer, zones.get(String(answer.unitId))?.timeZone ?? 'Asia/Jakarta'));
  }
  const byTarget = new Map<RollupTarget, Map<string, Entry>>();
  for (const target of Object.keys(rollupModels) as RollupTarget[]) byTarget.set(target, new Map());
  for (const entry of expected.entries()) byTarget.get(entry.t)!.set(entry.k, entry);
  return { byTarget, sources };
}

/** Compares one rollup collection's stored documents of the window with those wanted; adds repairs for the rest. */
async function compareCollection(
  target: RollupTarget,
  wanted: Map<string, Entry>,
  window: Window,
  repairs: Contribution,
): Promise<CollectionDrift> {
  const model = rollupModels[target];
  const stored = await model.collection.find({ date: { $gte: window.from, $lt: window.to } }).toArray();
  const drift: CollectionDrift = {
    collection: model.collection.collectionName,
    checked: 0,
    differences: 0,
    examples: [],
  };
  const seen = new Set<string>();
  const compare = (key: string, entry: Entry | undefined, doc: Record<string, unknown> | undefined) => {
    drift.checked++;
    const want = new Map(Object.entries(entry?.i ?? {}).filter(([, value]) => value !== 0));
    const have = doc ? countersOf(doc) : new Map<string, number>();
    const lacking: Record<string, number> = {};
    for (const path of new Set([...want.keys(), ...have.keys()])) {
      const difference = (want.get(path) ?? 0) - (have.get(path) ?? 0);
      if (difference !== 0) lacking[path] = difference;
    }
    if (!Object.keys(lacking).length) return;
    drift.differences++;
    if (drift.examples.length < 5) drift.examples.push(`${key}: ${JSON.stringify(lacking)} (expected − stored)`);
    repairs.push({ t: target, k: key, m: entry?.m ?? {}, i: lacking });
  };
  for (const doc of stored) {
    const key = String(doc._id);
    seen.add(key);
    compare(key, wanted.get(key), doc as Record<string, unknown>);
  }
  for (const [key, entry] of wanted) if (!seen.has(key)) compare(key, entry, undefined);
  return drift;
}

/** Recomputes the rollups of the window from the sources and compares them with what is stored. */
export async function checkRollups(window: Window): Promise<RollupDrift> {
  const whole = monthWindow(window);
  const { byTarget, sources } = await expectedRollups(whole.from, whole.to);
  const collections: CollectionDrift[] = [];
  const repairs: Contribution = [];
  for (const [target, wanted] of byTarget) collections.push(await compareCollection(target, wanted, whole, repairs));
  return { window: whole, sources, collections, repairs };
}

/** Adds what the stored rollups lack (or takes away what they have too much of), in one transaction. */
export async function repairRollups(repairs: Contribution): Promise<void> {
  if (repairs.length) await inTransaction((session) => applyEntries(repairs, session));
}
