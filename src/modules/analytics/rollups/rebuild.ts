import { Types } from 'mongoose';
import { EventRecord } from '../../../platform/event-log.js';
import { eventsSettled } from '../../../platform/events.js';
import type { Slice, SlicePosition } from '../../../platform/slices.js';
import { unitZones, type UnitZone } from '../../directory/index.js';
import { estimatedTicketCount, ticketFactSlices } from '../../feedback/index.js';
import { answerFactSlices, estimatedAnswerCount } from '../../surveys/index.js';
import { Accumulator, surveyContribution, ticketContribution, type Contribution } from './contribution.js';
import { markRollupLayoutComplete } from './layout.js';
import { ContributionState, RollupCheckpoint, rollupModels } from './model.js';
import { ANALYTICS_PROJECTOR } from './projector.js';
import { applyEntries, insertEntries, insertStates, inTransaction } from './writes.js';

/**
 * Rebuilds every rollup from the source collections (tickets, survey_responses): `npm run rollups:rebuild`.
 *
 * It empties the rollups and the per-source states, then reads each collection a slice at a time (unit by unit;
 * platform/slices.ts says why not one cursor). Each document's
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
const phases = ['tickets', 'surveys'] as const;
type SourcePhase = (typeof phases)[number];
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
  counts?: Partial<Record<SourcePhase, number>>;
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
  // marker states that say so are gone). Pending ticket events stay: they apply by revision.
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

/** One source document read: its id, its contribution, and its revision when a state is stored for it. */
interface Source {
  id: Types.ObjectId;
  revision: number | null;
  contribution: Contribution;
}

/** What a run shares across its phases. */
interface Run {
  segmentSize: number;
  chunkSize: number;
  readSize: number;
  say: (line: string) => void;
  options: RebuildOptions;
  resumed: boolean;
  counts: Record<SourcePhase, number>;
  unitIds: Types.ObjectId[];
  zones: Map<string, UnitZone>;
  segments: number;
  chunksWritten: number;
  /** Rollup documents this run has created (rollup target + key): later segments add to them. */
  written: Set<string>;
}

/** The documents of a phase as sources, a slice at a time from `from`. */
async function* sourceSlices(run: Run, phase: SourcePhase, from: SlicePosition | null): AsyncGenerator<Slice<Source>> {
  if (phase === 'tickets')
    for await (const { slice, docs, offset } of ticketFactSlices(run.unitIds, from))
      yield {
        slice,
        offset,
        docs: docs.map((ticket) => ({
          id: ticket.id,
          revision: ticket.revision,
          contribution: ticketContribution(ticket),
        })),
      };
  else
    for await (const { slice, docs, offset } of answerFactSlices(run.unitIds, from))
      yield {
        slice,
        offset,
        docs: docs.map((answer) => ({
          id: answer._id,
          revision: null,
          contribution: surveyContribution(answer, run.zones.get(String(answer.unitId))?.timeZone ?? 'Asia/Jakarta'),
        })),
      };
}

/**
 * One phase of a run: reads its documents in batches, sums their contributions for a segment, writes each segment
 * in chunks with the checkpoint. Resumed, it starts where the checkpoint says and reads an interrupted segment again.
 */
class PhaseRun {
  private sums = new Accumulator();
  private batch: Source[] = [];
  private done: number;
  private read: number;
  private lastId: Types.ObjectId | null;
  private position: SlicePosition | null;
  /** A segment that was being written when the last run stopped: read again, its committed chunks skipped. */
  private writing: CheckpointDoc['writing'];
  private lastLine = 0;
  private readonly started = Date.now();
  private readonly doneAtStart: number;
  /** Survey answers from the boundary on are left to the live path. */
  private readonly lateFrom: string | null;

  constructor(
    private readonly run: Run,
    private readonly phase: SourcePhase,
    checkpoint: CheckpointDoc,
    private readonly total: number,
  ) {
    const fresh = checkpoint.phase !== phase;
    this.done = fresh ? 0 : checkpoint.done;
    this.read = this.done;
    this.doneAtStart = this.done;
    this.writing = fresh ? null : (checkpoint.writing ?? null);
    this.position = fresh ? null : (checkpoint.at ?? null);
    this.lastId = checkpoint.lastId ?? null;
    this.lateFrom = phase === 'surveys' ? String(checkpoint.boundary?.surveys ?? new Types.ObjectId()) : null;
  }

  /** Reads the whole phase; returns the documents whose sums are written. */
  async readAll(): Promise<{ done: number; lastId: Types.ObjectId | null }> {
    const { readSize, segmentSize } = this.run;
    for await (const { slice, docs, offset } of sourceSlices(this.run, this.phase, this.position))
      for (const [index, source] of docs.entries()) {
        this.position = { slice, skip: offset + index + 1 };
        if (this.lateFrom !== null && String(source.id) >= this.lateFrom) continue;
        this.batch.push(source);
        // A resumed segment ends exactly where it ended before, whatever the batch sizes are this time.
        if (this.batch.length >= readSize || (this.writing && this.read + this.batch.length >= this.writing.until))
          await this.take();
        if (this.writing ? this.read >= this.writing.until : this.read - this.done >= segmentSize) await this.write();
      }
    if (this.batch.length) await this.take();
    if (this.read > this.done || this.writing) await this.write();
    // Documents naming no unit in the directory are not read; answers stored after the start are the live path's.
    // Say so rather than pass over them in silence.
    if (this.read < this.total)
      this.run.say(
        `${this.phase}: ${this.total - this.read} of ${this.total} not read (stored after the rebuild began, or naming no unit in the directory)`,
      );
    return { done: this.done, lastId: this.lastId };
  }

  /** Adds a read batch to the segment's sums and stores the states of tickets. */
  private async take(): Promise<void> {
    const sources = this.batch;
    this.batch = [];
    await insertStates(
      sources
        .filter((source) => source.revision !== null)
        .map((source) => ({ id: source.id, revision: source.revision!, contribution: source.contribution })),
    );
    for (const source of sources) this.sums.add(source.contribution);
    this.read += sources.length;
    this.lastId = sources[sources.length - 1]!.id;
    this.progress();
  }

  /** A line every two seconds: done/total, rate, time left. */
  private progress(): void {
    const now = Date.now();
    if (now - this.lastLine < 2000 && this.read < this.total) return;
    this.lastLine = now;
    const { read, total } = this;
    const rate = ((read - this.doneAtStart) / Math.max(now - this.started, 1)) * 1000;
    this.run.say(
      `${this.phase}: ${read}/${Math.max(total, read)} (${Math.min(100, Math.round((read / Math.max(total, 1)) * 100))}%), ` +
        `${Math.round(rate)}/s, ETA ${duration((Math.max(total - read, 0) / Math.max(rate, 1e-9)) * 1000)}`,
    );
  }

  /** The checkpoint once the segment read so far is wholly written. */
  private segmentDone(counts: Record<SourcePhase, number>): Partial<CheckpointDoc> {
    const { phase, lastId, read: done, total, position: at } = this;
    return { phase, lastId, done, total, at, counts, writing: null };
  }

  /** Writes the segment's sums, a chunk of rollup documents per transaction with the checkpoint. */
  private async write(): Promise<void> {
    const { run, phase } = this;
    const entries = this.sums.entries().sort((a, b) => (a.t + a.k < b.t + b.k ? -1 : 1));
    this.sums = new Accumulator();
    // Resuming: the same documents give the same sorted entries; cut them as the interrupted run did.
    const resuming = this.writing && this.writing.until === this.read ? this.writing : null;
    const size = resuming?.chunkSize ?? run.chunkSize;
    const chunks = Math.ceil(entries.length / size);
    const counts = { ...run.counts, [phase]: run.counts[phase] + (this.read - this.done) };
    for (let chunk = resuming?.chunks ?? 0; chunk < chunks; chunk++) {
      const last = chunk === chunks - 1;
      const slice = entries.slice(chunk * size, (chunk + 1) * size);
      const next = last
        ? this.segmentDone(counts)
        : { writing: { until: this.read, chunks: chunk + 1, chunkSize: size } };
      await writeChunk(run, slice, next);
      run.chunksWritten++;
      if (!last && run.options.stopAfterChunks !== undefined && run.chunksWritten >= run.options.stopAfterChunks)
        throw new Stopped();
    }
    if (!chunks) await checkpoints().updateOne({ _id: CHECKPOINT_ID as never }, { $set: this.segmentDone(counts) });
    if (chunks > 1) run.say(`${phase}: ${entries.length} rollup documents written`);
    run.counts[phase] = counts[phase];
    this.done = this.read;
    this.writing = null;
    run.segments++;
    if (run.options.stopAfterBatches !== undefined && run.segments >= run.options.stopAfterBatches) throw new Stopped();
  }
}

/** Writes one chunk of a segment's rollup documents in one transaction with the checkpoint `next`. */
async function writeChunk(run: Run, slice: Contribution, next: Partial<CheckpointDoc>): Promise<void> {
  await inTransaction(async (session) => {
    // Documents this run has not written yet are new (the collections were emptied at its start); a resumed run
    // cannot know which the interrupted one wrote, so it adds to all of them.
    const isNew = (entry: Contribution[number]) => !run.written.has(entry.t + entry.k);
    await insertEntries(run.resumed ? [] : slice.filter(isNew), session);
    await applyEntries(run.resumed ? slice : slice.filter((entry) => !isNew(entry)), session);
    await checkpoints().updateOne({ _id: CHECKPOINT_ID as never }, { $set: next }, { session });
  });
  if (!run.resumed) for (const entry of slice) run.written.add(entry.t + entry.k);
}

/** Runs one phase from the checkpoint; returns the checkpoint as it stands after it. */
async function runPhase(run: Run, phase: SourcePhase, checkpoint: CheckpointDoc): Promise<CheckpointDoc> {
  const total = phase === 'tickets' ? await estimatedTicketCount() : await estimatedAnswerCount();
  if (checkpoint.phase !== phase)
    await checkpoints().updateOne(
      { _id: CHECKPOINT_ID as never },
      { $set: { phase, lastId: null, done: 0, total, at: null, writing: null } },
    );
  const { done, lastId } = await new PhaseRun(run, phase, checkpoint, total).readAll();
  return { ...checkpoint, phase, lastId, done, total };
}

/**
 * Rebuilds all rollups; with `resume`, continues the unfinished rebuild (or starts one when there is none).
 * `progress` gets a line per read batch (phase, done/total, rate, time left) and per segment written.
 */
export async function rebuildRollups(options: RebuildOptions = {}): Promise<RebuildResult> {
  const started = Date.now();
  const say = options.progress ?? (() => undefined);
  let checkpoint = options.resume ? await rebuildCheckpoint() : null;
  const resumed = Boolean(checkpoint && checkpoint.phase !== 'done');
  if (!checkpoint || checkpoint.phase === 'done') checkpoint = await startOver();
  else say(`resuming ${checkpoint.phase} after ${checkpoint.done} documents`);
  const zones = await unitZones();
  const segmentSize = options.batchSize ?? 250_000;
  const run: Run = {
    segmentSize,
    chunkSize: options.chunkSize ?? 2000,
    readSize: Math.min(segmentSize, 2000),
    say,
    options,
    resumed,
    counts: { tickets: 0, surveys: 0, ...(checkpoint.counts ?? {}) },
    unitIds: [...zones.keys()].map((id) => new Types.ObjectId(id)),
    zones,
    segments: 0,
    chunksWritten: 0,
    written: new Set(),
  };
  try {
    for (const phase of phases)
      if (phases.indexOf(phase) >= phases.indexOf(checkpoint.phase as SourcePhase))
        checkpoint = await runPhase(run, phase, checkpoint);
  } catch (error) {
    if (error instanceof Stopped) return { ...run.counts, ms: Date.now() - started, resumed, finished: false };
    throw error;
  }
  const { counts } = run;
  await checkpoints().updateOne(
    { _id: CHECKPOINT_ID as never },
    { $set: { phase: 'done', finishedAt: new Date(), counts } },
  );
  await markRollupLayoutComplete(); // every layout is written now (layout.ts)
  say(`done: ${counts.tickets} tickets, ${counts.surveys} survey answers in ${duration(Date.now() - started)}`);
  return { ...counts, ms: Date.now() - started, resumed, finished: true };
}

/** For loaders (the demo): waits for live rollup updates still in flight, then rebuilds from the sources. */
export async function rollupsSettledThenRebuild(options: RebuildOptions = {}): Promise<RebuildResult> {
  await eventsSettled();
  return rebuildRollups(options);
}
