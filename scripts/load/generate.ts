import type { mongo } from 'mongoose';
import { Ids } from './ids.js';
import { loadPlan, type Plan } from './plan.js';
import { Random } from './random.js';
import { makeSurvey, surveyContext } from './surveys.js';
import { makeTicket, ticketContext, type GeneratedFinding, type TicketRole } from './tickets.js';
import { Calendar, DAY_MS, offsetMs } from './time.js';

type Db = mongo.Db;
type Document = mongo.Document;

/**
 * Fills a database with generated tickets, findings and survey answers for the directory already in it, with the
 * raw driver (`insertMany`, unordered, in batches), deterministically from a seed. The next batch is generated
 * while the previous one is written, so the database, not the generator, sets the pace.
 */
export interface GenerateOptions {
  tickets: number;
  surveys: number;
  seed?: number;
  /** First and last local day of the data (default: the two years up to 2026-11-20). */
  from?: string;
  until?: string;
  /** Feed items the chosen officer gets (findings + compliments + survey answers); default 2,000 per million each. */
  officerItems?: number;
  officerNip?: string;
  batchSize?: number;
  /** Seal generated contact data (needs the encryption key set); otherwise contact fields stay null. */
  sealContacts?: boolean;
  progress?: (state: ProgressState) => void;
}

export interface ProgressState {
  phase: 'tickets' | 'surveys';
  done: number;
  total: number;
  perSecond: number;
  etaSeconds: number;
}

export interface GenerateResult {
  seed: number;
  from: string;
  until: string;
  chosen: { officerId: string; nip: string; name: string; unitCode: string };
  officerItems: { findings: number; compliments: number; surveys: number; total: number };
  counts: { tickets: number; findings: number; surveys: number };
  kinds: Record<string, number>;
  statuses: Record<string, number>;
  seconds: { tickets: number; surveys: number };
  split: Record<'tickets' | 'surveys', { generating: number; waiting: number }>;
}

export const DEFAULT_FROM = '2024-11-21';
export const DEFAULT_UNTIL = '2026-11-20';
export const OFFICER_ITEMS_PER_MILLION = 2000;

/** The chosen officer's feed items for a run of this size, split into findings, compliments and survey answers. */
export function officerItemsFor(tickets: number, surveys: number, wanted?: number) {
  const total = wanted ?? Math.round((OFFICER_ITEMS_PER_MILLION * (tickets + surveys)) / 2_000_000);
  const findings = Math.min(Math.round(total * 0.12), Math.floor(tickets / 4));
  const compliments = Math.min(Math.round(total * 0.13), Math.floor(tickets / 4));
  const survey = Math.min(total - findings - compliments, surveys);
  return { findings, compliments, surveys: survey, total: findings + compliments + survey };
}

/** `count` indices spread evenly over [0, size), each shifted past any already taken. */
function spread(size: number, count: number, offset: number, taken: Set<number>): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    let index = Math.floor(((k + offset) * size) / count);
    while (taken.has(index)) index = (index + 1) % size;
    taken.add(index);
    out.push(index);
  }
  return out;
}

export async function generateLoad(db: Db, options: GenerateOptions): Promise<GenerateResult & { plan: Plan }> {
  const seed = options.seed ?? 20261123;
  const from = options.from ?? DEFAULT_FROM;
  const until = options.until ?? DEFAULT_UNTIL;
  const batchSize = options.batchSize ?? 5000;
  const plan = await loadPlan(db, { officerNip: options.officerNip });
  const calendar = new Calendar(from, until);
  // "Now" for the generated world: the end of the last day, in Jakarta.
  const now = (calendar.lastDay + 1) * DAY_MS - offsetMs('Asia/Jakarta') - 1;
  const items = officerItemsFor(options.tickets, options.surveys, options.officerItems);

  const taken = new Set<number>();
  const roles = new Map<number, TicketRole>();
  for (const index of spread(options.tickets, items.findings, 0.3, taken)) roles.set(index, 'finding');
  for (const index of spread(options.tickets, items.compliments, 0.7, taken)) roles.set(index, 'compliment');
  const chosenSurveys = new Set(spread(options.surveys, items.surveys, 0.5, new Set()));

  const kinds: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let findingCount = 0;

  const report = (phase: ProgressState['phase'], done: number, total: number, started: number) => {
    const seconds = (performance.now() - started) / 1000;
    const perSecond = seconds > 0 ? done / seconds : 0;
    options.progress?.({ phase, done, total, perSecond, etaSeconds: perSecond > 0 ? (total - done) / perSecond : 0 });
  };
  const insert = async (collection: string, docs: object[]) => {
    if (!docs.length) return;
    try {
      await db.collection(collection).insertMany(docs as Document[], { ordered: false });
    } catch (error) {
      // An unordered insert reports every failed document and still writes the rest; say what failed.
      const failed = (error as { writeErrors?: unknown[] }).writeErrors?.length ?? 'some';
      throw new Error(`${failed} of ${docs.length} ${collection} documents were refused: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };

  // ── Tickets and findings ──────────────────────────────────────────────────────────────────────────────────
  let started = performance.now();
  const tickets = ticketContext(plan, calendar, now, seed, new Ids(seed, 1), options.sealContacts ?? false);
  const ticketRandom = new Random(seed);
  let writing: Promise<void> = Promise.resolve();
  let findings: GeneratedFinding[] = [];
  let generating = 0;
  let waiting = 0;
  for (let start = 0; start < options.tickets; start += batchSize) {
    const generateStart = performance.now();
    const batch: Record<string, unknown>[] = [];
    for (let index = start; index < Math.min(options.tickets, start + batchSize); index++) {
      const { ticket, finding } = makeTicket(tickets, ticketRandom, index, roles.get(index));
      kinds[ticket.kind as string] = (kinds[ticket.kind as string] ?? 0) + 1;
      statuses[ticket.status as string] = (statuses[ticket.status as string] ?? 0) + 1;
      batch.push(ticket);
      if (finding) findings.push(finding);
    }
    const findingBatch = findings.length >= batchSize || start + batchSize >= options.tickets ? findings : [];
    if (findingBatch.length) {
      findingCount += findingBatch.length;
      findings = [];
    }
    const waitStart = performance.now();
    generating += waitStart - generateStart;
    await writing;
    waiting += performance.now() - waitStart;
    const done = start;
    report('tickets', done, options.tickets, started);
    writing = (async () => {
      await insert('tickets', batch);
      await insert('findings', findingBatch);
    })();
  }
  let waitStart = performance.now();
  await writing;
  waiting += performance.now() - waitStart;
  report('tickets', options.tickets, options.tickets, started);
  const ticketTimes = { generating: generating / 1000, waiting: waiting / 1000 };
  generating = waiting = 0;
  const ticketSeconds = (performance.now() - started) / 1000;

  // ── Survey answers ────────────────────────────────────────────────────────────────────────────────────────
  started = performance.now();
  const surveys = surveyContext(plan, calendar, now, new Ids(seed, 2));
  const surveyRandom = new Random(seed ^ 0x5bd1e995);
  writing = Promise.resolve();
  for (let start = 0; start < options.surveys; start += batchSize) {
    const generateStart = performance.now();
    const batch: Record<string, unknown>[] = [];
    for (let index = start; index < Math.min(options.surveys, start + batchSize); index++)
      batch.push(makeSurvey(surveys, surveyRandom, chosenSurveys.has(index)));
    waitStart = performance.now();
    generating += waitStart - generateStart;
    await writing;
    waiting += performance.now() - waitStart;
    report('surveys', start, options.surveys, started);
    writing = insert('survey_responses', batch);
  }
  waitStart = performance.now();
  await writing;
  waiting += performance.now() - waitStart;
  report('surveys', options.surveys, options.surveys, started);
  const surveyTimes = { generating: generating / 1000, waiting: waiting / 1000 };
  const surveySeconds = (performance.now() - started) / 1000;

  return {
    seed,
    from,
    until,
    plan,
    chosen: {
      officerId: String(plan.chosen.officer._id),
      nip: plan.chosen.officer.nip,
      name: plan.chosen.officer.name,
      unitCode: plan.chosen.unit.code,
    },
    officerItems: items,
    counts: { tickets: options.tickets, findings: findingCount, surveys: options.surveys },
    kinds,
    statuses,
    seconds: { tickets: ticketSeconds, surveys: surveySeconds },
    /** Seconds spent building documents, and waiting for the database with the next batch ready. */
    split: { tickets: ticketTimes, surveys: surveyTimes },
  };
}
