import { Types } from 'mongoose';
import { Officer } from '../directory/index.js';
import { Finding, Ticket } from '../feedback/index.js';
import { SurveyResponse } from '../surveys/index.js';
import { EventRecord } from '../../platform/event-log.js';
import { eventsSettled } from '../../platform/events.js';
import { readBySlices, type SlicePosition } from '../../platform/slices.js';
import { ANALYTICS_PROJECTOR } from './events.js';
import { ContributionState, RollupCheckpoint, rollupModels } from './model.js';
import {
  Accumulator,
  allUnitInfo,
  applyEntries,
  insertEntries,
  findingContribution,
  findingRevision,
  inTransaction,
  insertStates,
  markRollupLayoutComplete,
  type SourceState,
  surveyContribution,
  SURVEY_FIELDS,
  ticketContribution,
  TICKET_FIELDS,
  type FindingLike,
  type SurveyLike,
  type TicketLike,
} from './rollups.js';

/**
 * Rebuilds every rollup from the source collections (tickets, survey_responses, findings): `npm run rollups:rebuild`.
 *
 * It empties the rollups and the per-source states, then reads each collection a slice at a time (tickets and survey
 * answers unit by unit, findings officer by officer; platform/slices.ts says why not one cursor). Each document's
 * contribution is computed by the same pure functions as the live path; its state (what it added) is stored as it
 * goes, and the contributions are summed in memory for a whole segment (250,000 documents by default) before they
 * are written: one `$inc` upsert per rollup document per segment, where writing them per batch cost one upsert per
 * document and day (about 12 per ticket, a million tickets took over two hours).
 *
 * A segment's sums are written in chunks of rollup documents, each chunk in ONE transaction with the checkpoint
 * (which chunk is done). After a crash, `--resume` reads the interrupted segment again (the order of slices and of
 * documents in them is fixed, and the same documents give the same sums and the same chunks), skips the chunks
 * already written, and goes on; states
 * already stored are kept. Nothing is counted twice or lost.
 *
 * **Run it with Suara stopped.** The embedded database enforces that (its lock file lets one process open it). With
 * MONGODB_URI, a ticket changed while the rebuild runs can be counted twice or not at all until the next rebuild:
 * the live path and the rebuild would both add its contribution, or the live path would find no state yet. Survey
 * answers stored after the rebuild started are left to the live path (the boundary is the first whole second after
 * the start).
 */

const CHECKPOINT_ID = 'rebuild';
const phases = ['tickets', 'surveys', 'findings'] as const;
type Phase = (typeof phases)[number] | 'done';

export interface RebuildOptions {
  progress?: (line: string) => void;
  /** Continue an interrupted rebuild from its checkpoint instead of starting over. */
  resume?: boolean;
  /** Source documents per segment: summed in memory, then written to the rollups (default 250,000). */
  batchSize?: number;
  /** Rollup documents per transaction when a segment is written (default 2,000). */
  chunkSize?: number;
  /** For specs: stop after this many segments, as a crash would (the checkpoint stays). */
  stopAfterBatches?: number;
  /** For specs: stop in the middle of writing a segment, after this many chunks of it. */
  stopAfterChunks?: number;
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
  /** Documents of the phase whose sums are written. */
  done: number;
  /** Where the documents after those begin (null: at the start of the phase). */
  at?: SlicePosition | null;
  total: number;
  boundary: { surveys: Types.ObjectId | null } | null;
  counts?: Partial<Record<(typeof phases)[number], number>>;
  /** The segment being written: its last document's position and the chunks of it already committed. */
  writing?: { until: number; chunks: number; chunkSize: number } | null;
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
    ...Object.values(rollupModels).map((model) => model.collection.deleteMany({})),
    ContributionState.collection.deleteMany({}),
  ]);
  // Survey answers stored by now are counted by this rebuild; their pending events would count them again (the
  // marker states that say so are gone). Pending ticket and finding events stay: they apply by revision.
  await EventRecord.collection.updateMany({ pending: ANALYTICS_PROJECTOR, name: 'survey.submitted' }, {
    $pull: { pending: ANALYTICS_PROJECTOR },
  } as never);
  await EventRecord.collection.updateMany(
    { name: 'survey.submitted', 'pending.0': { $exists: false }, doneAt: null },
    { $set: { doneAt: new Date() } },
  );
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
    at: null,
    writing: null,
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

class Stopped extends Error {}

/**
 * Rebuilds all rollups; with `resume`, continues the unfinished rebuild (or starts one when there is none).
 * `progress` gets a line per read batch (phase, done/total, rate, time left) and per segment written.
 */
export async function rebuildRollups(options: RebuildOptions = {}): Promise<RebuildResult> {
  const started = Date.now();
  const segmentSize = options.batchSize ?? 250_000;
  const chunkSize = options.chunkSize ?? 2000;
  const readSize = Math.min(segmentSize, 2000);
  const say = options.progress ?? (() => undefined);
  let checkpoint = options.resume ? await rebuildCheckpoint() : null;
  const resumed = Boolean(checkpoint && checkpoint.phase !== 'done');
  if (!checkpoint || checkpoint.phase === 'done') checkpoint = await startOver();
  else say(`resuming ${checkpoint.phase} after ${checkpoint.done} documents`);
  const counts = { tickets: 0, surveys: 0, findings: 0, ...(checkpoint.counts ?? {}) };
  const units = await allUnitInfo();
  const unitIds = [...units.keys()].map((id) => new Types.ObjectId(id));
  const officerIds = (await Officer.find({}).select({ _id: 1 }).lean()).map((officer) => officer._id);
  const infoOf = (unitId: unknown) => units.get(String(unitId)) ?? { timeZone: 'Asia/Jakarta', agencyCode: null };
  let segments = 0;
  let chunksWritten = 0;
  /** Rollup documents this run has created (rollup target + key): later segments add to them. */
  const written = new Set<string>();

  try {
    for (const phase of phases) {
      if (phases.indexOf(phase) < phases.indexOf(checkpoint.phase as (typeof phases)[number])) continue;
      const current: CheckpointDoc = checkpoint;
      const fresh = current.phase !== phase;
      let done = fresh ? 0 : current.done;
      // A segment that was being written when the last run stopped: read it again, skip its committed chunks.
      let writing = fresh ? null : (current.writing ?? null);
      const boundary: Types.ObjectId | null = current.boundary?.surveys ?? null;
      const model = (phase === 'tickets' ? Ticket : phase === 'surveys' ? SurveyResponse : Finding) as typeof Ticket;
      // Survey answers from the boundary on are left to the live path.
      const lateFrom = phase === 'surveys' ? String(boundary ?? new Types.ObjectId()) : null;
      const total: number = await model.collection.estimatedDocumentCount();
      const phaseStarted = Date.now();
      const doneAtStart = done;
      if (fresh)
        await checkpoints().updateOne(
          { _id: CHECKPOINT_ID as never },
          { $set: { phase, lastId: null, done: 0, total, at: null, writing: null } },
        );
      const projection = phase === 'tickets' ? TICKET_FIELDS : phase === 'surveys' ? SURVEY_FIELDS : undefined;
      // A slice at a time, from where the written sums end: each unit's tickets or answers, each officer's findings.
      let position: SlicePosition | null = fresh ? null : (current.at ?? null);
      const slices = readBySlices(
        model.collection,
        phase === 'findings' ? 'officerId' : 'unitId',
        phase === 'findings' ? officerIds : unitIds,
        { projection, from: position },
      );
      let sums = new Accumulator();
      let read = done;
      let lastId: Types.ObjectId | null = current.lastId ?? null;
      let batch: { _id: Types.ObjectId }[] = [];
      let lastLine = 0;

      /** Adds a read batch to the segment's sums and stores the states of tickets and findings. */
      const take = async () => {
        const docs = batch;
        batch = [];
        if (phase === 'surveys') {
          for (const survey of docs as unknown as SurveyLike[])
            sums.add(surveyContribution(survey, infoOf(survey.unitId).timeZone));
        } else {
          const items: SourceState[] =
            phase === 'tickets'
              ? (docs as unknown as TicketLike[]).map((ticket) => ({
                  id: ticket._id,
                  revision: ticket.revision ?? 0,
                  contribution: ticketContribution(ticket),
                }))
              : (docs as unknown as FindingLike[]).map((finding) => {
                  const unitId = finding.unitPath[finding.unitPath.length - 1];
                  return {
                    id: `finding:${String(finding._id)}`,
                    revision: findingRevision(finding),
                    contribution: findingContribution(finding, infoOf(unitId).timeZone, infoOf(unitId).agencyCode),
                  };
                });
          await insertStates(items);
          for (const item of items) sums.add(item.contribution);
        }
        read += docs.length;
        lastId = docs[docs.length - 1]!._id;
        const now = Date.now();
        if (now - lastLine >= 2000 || read >= total) {
          lastLine = now;
          const rate = ((read - doneAtStart) / Math.max(now - phaseStarted, 1)) * 1000;
          say(
            `${phase}: ${read}/${Math.max(total, read)} (${Math.min(100, Math.round((read / Math.max(total, 1)) * 100))}%), ` +
              `${Math.round(rate)}/s, ETA ${duration((Math.max(total - read, 0) / Math.max(rate, 1e-9)) * 1000)}`,
          );
        }
      };

      /** Writes the segment's sums, a chunk of rollup documents per transaction with the checkpoint. */
      const write = async () => {
        const entries = sums.entries().sort((a, b) => (a.t + a.k < b.t + b.k ? -1 : 1));
        sums = new Accumulator();
        // Resuming: the same documents give the same sorted entries; cut them as the interrupted run did.
        const resuming = writing && writing.until === read ? writing : null;
        const size = resuming?.chunkSize ?? chunkSize;
        const chunks = Math.ceil(entries.length / size);
        const skip = resuming?.chunks ?? 0;
        const segmentCounts = { ...counts, [phase]: counts[phase] + (read - done) };
        for (let chunk = skip; chunk < chunks; chunk++) {
          const last = chunk === chunks - 1;
          await inTransaction(async (session) => {
            const slice = entries.slice(chunk * size, (chunk + 1) * size);
            // Documents this run has not written yet are new (the collections were emptied at its start); a resumed
            // run cannot know which the interrupted one wrote, so it adds to all of them.
            const created = resumed ? [] : slice.filter((entry) => !written.has(entry.t + entry.k));
            await insertEntries(created, session);
            await applyEntries(resumed ? slice : slice.filter((entry) => written.has(entry.t + entry.k)), session);
            const next: Partial<CheckpointDoc> = last
              ? { phase, lastId, done: read, total, at: position, counts: segmentCounts, writing: null }
              : { writing: { until: read, chunks: chunk + 1, chunkSize: size } };
            await checkpoints().updateOne({ _id: CHECKPOINT_ID as never }, { $set: next }, { session });
          });
          if (!resumed)
            for (const entry of entries.slice(chunk * size, (chunk + 1) * size)) written.add(entry.t + entry.k);
          chunksWritten++;
          if (!last && options.stopAfterChunks !== undefined && chunksWritten >= options.stopAfterChunks)
            throw new Stopped();
        }
        if (!chunks)
          await checkpoints().updateOne(
            { _id: CHECKPOINT_ID as never },
            { $set: { phase, lastId, done: read, total, at: position, counts: segmentCounts, writing: null } },
          );
        if (chunks > 1) say(`${phase}: ${entries.length} rollup documents written`);
        counts[phase] = segmentCounts[phase];
        done = read;
        writing = null;
        segments++;
        if (options.stopAfterBatches !== undefined && segments >= options.stopAfterBatches) throw new Stopped();
      };

      for await (const { slice, docs, offset } of slices)
        for (const [index, doc] of docs.entries()) {
          position = { slice, skip: offset + index + 1 };
          if (lateFrom !== null && String(doc._id) >= lateFrom) continue;
          batch.push(doc as { _id: Types.ObjectId });
          // A resumed segment ends exactly where it ended before, whatever the batch sizes are this time.
          if (batch.length >= readSize || (writing && read + batch.length >= writing.until)) await take();
          if (writing ? read >= writing.until : read - done >= segmentSize) await write();
        }
      if (batch.length) await take();
      if (read > done || writing) await write();
      // Documents naming no unit (or officer) in the directory are not read; answers stored after the start are the
      // live path's. Say so rather than pass over them in silence.
      if (read < total)
        say(
          `${phase}: ${total - read} of ${total} not read (stored after the rebuild began, or naming no unit or officer in the directory)`,
        );
      checkpoint = { ...checkpoint, phase, lastId, done, total };
    }
  } catch (error) {
    if (error instanceof Stopped) return { ...counts, ms: Date.now() - started, resumed, finished: false };
    throw error;
  }
  await checkpoints().updateOne(
    { _id: CHECKPOINT_ID as never },
    { $set: { phase: 'done', finishedAt: new Date(), counts } },
  );
  await markRollupLayoutComplete(); // every layout is written now (rollups.ts)
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
