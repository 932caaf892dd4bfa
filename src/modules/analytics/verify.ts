import { Types } from 'mongoose';
import { eachBySlices } from '../../platform/slices.js';
import { Officer } from '../directory/index.js';
import { Finding, Ticket } from '../feedback/index.js';
import { SurveyResponse } from '../surveys/index.js';
import { rollupModels, type RollupTarget } from './model.js';
import {
  Accumulator,
  allUnitInfo,
  applyEntries,
  findingContribution,
  inTransaction,
  surveyContribution,
  SURVEY_FIELDS,
  ticketContribution,
  TICKET_FIELDS,
  type Contribution,
  type Entry,
  type FindingLike,
  type SurveyLike,
  type TicketLike,
} from './rollups.js';

/**
 * The drift check of the rollups (`npm run verify`, and the daily reconciliation): recomputes, for a window of
 * whole months, every rollup document from the source collections with the same pure functions the projector and
 * the rebuild use (rollups.ts), and compares them with the stored documents, counter by counter (a counter that is
 * missing counts as 0, so a document whose counts all netted to zero equals no document).
 *
 * A rollup document of a day or month in the window depends only on the sources with something on that day: tickets
 * created before the window's end and changed since the day before it began (every count of a ticket is on the
 * local day of one of its changes, and local days run up to a day ahead of UTC in Indonesia), survey answers and
 * findings of those days.
 */

const DAY_MS = 86_400_000;

/** The meta fields of a rollup document: what it is about, not what it counts. */
const META = new Set([
  '_id',
  'day',
  'date',
  'unitId',
  'unitPath',
  'agencyCode',
  'serviceCode',
  'category',
  'kind',
  'officerId',
]);

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
  sources: { tickets: number; surveys: number; findings: number };
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

/** Recomputes the rollups of the window from the sources and compares them with what is stored. */
export async function checkRollups(window: Window): Promise<RollupDrift> {
  const { from, to } = monthWindow(window);
  const since = new Date(from.getTime() - DAY_MS);
  const inWindow = (entry: Entry) => {
    const date = (entry.m as { date?: Date }).date;
    return date instanceof Date && date >= from && date < to;
  };
  const expected = new Accumulator();
  const add = (contribution: Contribution) => expected.add(contribution.filter(inWindow));
  const units = await allUnitInfo();
  const unitIds = [...units.keys()].map((id) => new Types.ObjectId(id));
  const infoOf = (unitId: unknown) => units.get(String(unitId)) ?? { timeZone: 'Asia/Jakarta', agencyCode: null };
  const sources = { tickets: 0, surveys: 0, findings: 0 };

  type Dated = TicketLike & { updatedAt?: Date };
  for await (const ticket of eachBySlices<Dated>(Ticket.collection, 'unitId', unitIds, {
    projection: { ...TICKET_FIELDS, updatedAt: 1 },
    keep: (doc) => doc.createdAt < to && (doc.updatedAt ?? doc.createdAt) >= since,
  })) {
    sources.tickets++;
    add(ticketContribution(ticket));
  }
  for await (const survey of eachBySlices<SurveyLike>(SurveyResponse.collection, 'unitId', unitIds, {
    projection: SURVEY_FIELDS,
    keep: (doc) => doc.submittedAt >= since && doc.submittedAt < to,
  })) {
    sources.surveys++;
    add(surveyContribution(survey, infoOf(survey.unitId).timeZone));
  }
  const officerIds = (await Officer.find({}).select({ _id: 1 }).lean()).map((officer) => officer._id);
  for await (const finding of eachBySlices<FindingLike>(Finding.collection, 'officerId', officerIds, {
    keep: (doc) => doc.createdAt >= since && doc.createdAt < to,
  })) {
    sources.findings++;
    const unitId = finding.unitPath[finding.unitPath.length - 1];
    add(findingContribution(finding, infoOf(unitId).timeZone, infoOf(unitId).agencyCode));
  }

  const byTarget = new Map<RollupTarget, Map<string, Entry>>();
  for (const target of Object.keys(rollupModels) as RollupTarget[]) byTarget.set(target, new Map());
  for (const entry of expected.entries()) byTarget.get(entry.t)!.set(entry.k, entry);

  const collections: CollectionDrift[] = [];
  const repairs: Contribution = [];
  for (const [target, wanted] of byTarget) {
    const model = rollupModels[target];
    const stored = await model.collection.find({ date: { $gte: from, $lt: to } }).toArray();
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
    collections.push(drift);
  }
  return { window: { from, to }, sources, collections, repairs };
}

/** Adds what the stored rollups lack (or takes away what they have too much of), in one transaction. */
export async function repairRollups(repairs: Contribution): Promise<void> {
  if (repairs.length) await inTransaction((session) => applyEntries(repairs, session));
}
