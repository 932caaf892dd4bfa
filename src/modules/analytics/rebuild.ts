import { Types } from 'mongoose';
import { Finding, Ticket } from '../feedback/model.js';
import { SurveyResponse } from '../surveys/model.js';
import { eventsSettled } from '../../platform/events.js';
import {
  ContributionState,
  OfficerRollup,
  RollupCheckpoint,
  SurveyMonthRollup,
  SurveyRollup,
  TicketMonthRollup,
  TicketRollup,
  TicketUnitDayRollup,
  TicketUnitMonthRollup,
} from './model.js';
import {
  Accumulator,
  allUnitInfo,
  applyEntries,
  findingContribution,
  findingRevision,
  applySourceStates,
  inTransaction,
  type SourceState,
  surveyContribution,
  SURVEY_FIELDS,
  ticketContribution,
  TICKET_FIELDS,
  type Contribution,
  type FindingLike,
  type SurveyLike,
  type TicketLike,
} from './rollups.js';

/**
 * Rebuilds every rollup from the source collections (tickets, survey_responses, findings): `npm run rollups:rebuild`.
 *
 * It empties the rollups and the per-ticket states, then reads each collection in batches in `_id` order. A batch's
 * contributions are summed in memory (one `$inc` per rollup document, not per source document) and written in ONE
 * transaction together with the per-ticket states and the checkpoint. So a crash loses at most the batch in flight,
 * and `--resume` continues after the last committed batch without counting anything twice.
 *
 * Live events may keep arriving during a rebuild. Tickets and findings are safe: a ticket the live path touches
 * after the rollups were emptied gets a state, and the rebuild then adds only the difference to it (nothing, if the
 * live path already applied the same revision). Survey answers are immutable and have no state: the rebuild counts
 * those whose `_id` was made before it started, the live path counts the later ones; an answer stored
 * just before the start whose event is handled just after the emptying would count twice, so run it when intake is
 * quiet if that matters (the next rebuild corrects it anyway).
 */

const CHECKPOINT_ID = 'rebuild';
const phases = ['tickets', 'surveys', 'findings'] as const;
type Phase = (typeof phases)[number] | 'done';

export interface RebuildOptions {
  progress?: (line: string) => void;
  /** Continue an interrupted rebuild from its checkpoint instead of starting over. */
  resume?: boolean;
  /** Source documents per batch (and per transaction). */
  batchSize?: number;
  /** For specs: stop after this many batches, as a crash would (the checkpoint stays). */
  stopAfterBatches?: number;
}

export interface RebuildResult {
  tickets: number;
  surveys: number;
  findings: number;
  ms: number;
  resumed: boolean;
  /** False when stopped early by `stopAfterBatches`. */
  finished: boolean;
}

interface CheckpointDoc {
  _id: string;
  phase: Phase;
  lastId: Types.ObjectId | null;
  done: number;
  total: number;
  boundary: { surveys: Types.ObjectId | null } | null;
  counts?: Partial<Record<(typeof phases)[number], number>>;
  startedAt: Date;
  finishedAt: Date | null;
}

const checkpoints = () => RollupCheckpoint.collection;

const duration = (ms: number) => {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
};

/** Empties the rollups and states and writes a fresh checkpoint. */
async function startOver(): Promise<CheckpointDoc> {
  await Promise.all([
    TicketRollup.collection.deleteMany({}),
    SurveyRollup.collection.deleteMany({}),
    OfficerRollup.collection.deleteMany({}),
    TicketMonthRollup.collection.deleteMany({}),
    SurveyMonthRollup.collection.deleteMany({}),
    TicketUnitMonthRollup.collection.deleteMany({}),
    TicketUnitDayRollup.collection.deleteMany({}),
    ContributionState.collection.deleteMany({}),
  ]);
  // Answers stored from the next whole second on are the live path's (an ObjectId starts with its creation second).
  const boundary = Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) + 1);
  const checkpoint: CheckpointDoc = {
    _id: CHECKPOINT_ID,
    phase: 'tickets',
    lastId: null,
    done: 0,
    total: 0,
    boundary: { surveys: boundary },
    counts: {},
    startedAt: new Date(),
    finishedAt: null,
  };
  await checkpoints().replaceOne({ _id: CHECKPOINT_ID as never }, checkpoint, { upsert: true });
  return checkpoint;
}

/** The checkpoint of an unfinished rebuild, if there is one. */
export async function rebuildCheckpoint(): Promise<CheckpointDoc | null> {
  return (await checkpoints().findOne({ _id: CHECKPOINT_ID as never })) as CheckpointDoc | null;
}

/** Sources with a state (tickets, findings) and the checkpoint, in one transaction. */
const stateBatch = (items: SourceState[], checkpoint: Partial<CheckpointDoc>) =>
  applySourceStates(items, (session) =>
    checkpoints()
      .updateOne({ _id: CHECKPOINT_ID as never }, { $set: checkpoint }, { session })
      .then(() => undefined),
  );

async function surveyBatch(entries: Contribution, checkpoint: Partial<CheckpointDoc>): Promise<void> {
  await inTransaction(async (session) => {
    await applyEntries(entries, session);
    await checkpoints().updateOne({ _id: CHECKPOINT_ID as never }, { $set: checkpoint }, { session });
  });
}

/**
 * Rebuilds all rollups; with `resume`, continues the unfinished rebuild (or starts one when there is none).
 * `progress` gets one line per batch: phase, done/total, rate and time left.
 */
export async function rebuildRollups(options: RebuildOptions = {}): Promise<RebuildResult> {
  const started = Date.now();
  // Small enough that one batch's transaction stays well inside the storage engine's cache on a busy server.
  const batchSize = options.batchSize ?? 1000;
  const say = options.progress ?? (() => undefined);
  let checkpoint = options.resume ? await rebuildCheckpoint() : null;
  const resumed = Boolean(checkpoint && checkpoint.phase !== 'done');
  if (!checkpoint || checkpoint.phase === 'done') checkpoint = await startOver();
  else say(`resuming ${checkpoint.phase} after ${checkpoint.done} documents`);
  const counts = { tickets: 0, surveys: 0, findings: 0, ...(checkpoint.counts ?? {}) };
  const units = await allUnitInfo();
  const infoOf = (unitId: unknown) => units.get(String(unitId)) ?? { timeZone: 'Asia/Jakarta', agencyCode: null };
  let batches = 0;

  for (const phase of phases) {
    if (phases.indexOf(phase) < phases.indexOf(checkpoint.phase as (typeof phases)[number])) continue;
    const current: CheckpointDoc = checkpoint;
    const fresh: boolean = current.phase !== phase;
    let lastId: Types.ObjectId | null = fresh ? null : current.lastId;
    let done: number = fresh ? 0 : current.done;
    const boundary: Types.ObjectId | null = current.boundary?.surveys ?? null;
    const model = (phase === 'tickets' ? Ticket : phase === 'surveys' ? SurveyResponse : Finding) as typeof Ticket;
    const scope: Record<string, unknown> =
      phase === 'surveys' ? { _id: { $lt: boundary ?? new Types.ObjectId() } } : {};
    const total: number = await model.collection.estimatedDocumentCount();
    const phaseStarted = Date.now();
    const doneAtStart = done;
    if (fresh)
      await checkpoints().updateOne({ _id: CHECKPOINT_ID as never }, { $set: { phase, lastId: null, done: 0, total } });
    const projection = phase === 'tickets' ? TICKET_FIELDS : phase === 'surveys' ? SURVEY_FIELDS : undefined;
    // One cursor in natural order per phase: a query per batch sorted by _id would make the server scan and sort the
    // whole collection each time (SecantusDB plans `_id` ranges as a collection scan). Natural order is stable, so
    // resuming skips the documents already done; for tickets and findings a document done twice changes nothing
    // (its state already has that revision), and survey batches commit together with the checkpoint.
    const cursor = model.collection.find(scope, { projection, batchSize });
    if (done > 0) cursor.skip(done);
    let batch: { _id: Types.ObjectId }[] = [];
    let stopped = false;
    const flush = async () => {
      const docs = batch;
      batch = [];
      lastId = docs[docs.length - 1]!._id;
      done += docs.length;
      counts[phase] += docs.length;
      const next = { phase, lastId, done, total, counts: { ...counts } };
      if (phase === 'tickets') {
        await stateBatch(
          (docs as unknown as TicketLike[]).map((ticket) => ({
            id: ticket._id,
            revision: ticket.revision ?? 0,
            contribution: ticketContribution(ticket),
          })),
          next,
        );
      } else if (phase === 'findings') {
        await stateBatch(
          (docs as unknown as FindingLike[]).map((finding) => {
            const unitId = finding.unitPath[finding.unitPath.length - 1];
            return {
              id: `finding:${String(finding._id)}`,
              revision: findingRevision(finding),
              contribution: findingContribution(finding, infoOf(unitId).timeZone, infoOf(unitId).agencyCode),
            };
          }),
          next,
        );
      } else {
        const sums = new Accumulator();
        for (const survey of docs as unknown as SurveyLike[])
          sums.add(surveyContribution(survey, infoOf(survey.unitId).timeZone));
        await surveyBatch(sums.entries(), next);
      }
      batches++;
      const elapsed = Date.now() - phaseStarted;
      const rate = ((done - doneAtStart) / Math.max(elapsed, 1)) * 1000;
      say(
        `${phase}: ${done}/${Math.max(total, done)} (${Math.min(100, Math.round((done / Math.max(total, 1)) * 100))}%), ` +
          `${Math.round(rate)}/s, ETA ${duration((Math.max(total - done, 0) / Math.max(rate, 1e-9)) * 1000)}`,
      );
      if (options.stopAfterBatches !== undefined && batches >= options.stopAfterBatches) stopped = true;
    };
    try {
      for await (const doc of cursor) {
        batch.push(doc as { _id: Types.ObjectId });
        if (batch.length >= batchSize) await flush();
        if (stopped) return { ...counts, ms: Date.now() - started, resumed, finished: false };
      }
      if (batch.length) await flush();
    } finally {
      await cursor.close();
    }
    if (stopped && phase !== phases[phases.length - 1])
      return { ...counts, ms: Date.now() - started, resumed, finished: false };
    checkpoint = { ...checkpoint, phase, lastId, done, total };
  }
  await checkpoints().updateOne(
    { _id: CHECKPOINT_ID as never },
    { $set: { phase: 'done', finishedAt: new Date(), counts } },
  );
  say(
    `done: ${counts.tickets} tickets, ${counts.surveys} survey answers, ${counts.findings} findings in ${duration(Date.now() - started)}`,
  );
  return { ...counts, ms: Date.now() - started, resumed, finished: true };
}

/** For loaders (the demo): waits for live rollup updates still in flight, then rebuilds from the sources. */
export async function rollupsSettledThenRebuild(options: RebuildOptions = {}): Promise<RebuildResult> {
  await eventsSettled();
  return rebuildRollups(options);
}
