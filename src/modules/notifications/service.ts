import type { ClientSession } from 'mongoose';
import { AppError } from '../../platform/errors.js';
import type { Lang } from '../../platform/i18n.js';
import { lookupHash, seal } from '../../platform/crypto.js';
import { logger } from '../../platform/logger.js';
import { check } from '../../platform/validate.js';
import { scopeOf, type Actor } from '../../platform/access.js';
import { Outbox, outboxStatuses, type MailTemplate, type OutboxDoc, type OutboxStatus } from './model.js';
import { queueMailInput } from './schemas.js';

export type { MailTemplate, OutboxStatus };

export interface QueueMailInput {
  to: string;
  template: MailTemplate;
  lang: Lang;
  /** The template's variables: code, trackUrl, unitName, kindLabel, statusLabel, body. Never contact data. */
  data: Record<string, unknown>;
  /** The same key is queued once (for example `ticket:<id>:receipt`); a repeat is a no-op. */
  dedupeKey?: string;
}

export interface QueuedMail {
  id: string;
  /** False when a mail with the same dedupeKey was already in the outbox. */
  queued: boolean;
}

/** Set by the worker when it runs in this process, so mail goes out at once instead of at the next sweep. */
let wakeWorker: (() => void) | undefined;

export function onMailQueued(listener: (() => void) | undefined): void {
  wakeWorker = listener;
}

/**
 * Wakes the worker once the caller's transaction has committed (before that the worker could not see the
 * message). A session's commit has no event, so it is watched briefly; the periodic sweep is the safety net.
 */
function wakeWorkerAfterCommit(session: ClientSession | undefined): void {
  if (!wakeWorker) return;
  if (!session?.inTransaction()) return wakeWorker();
  const gaveUpAt = Date.now() + 30_000;
  const watch = setInterval(() => {
    if (session.inTransaction() && Date.now() < gaveUpAt) return;
    clearInterval(watch);
    wakeWorker?.(); // after an abort it simply finds nothing to send
  }, 20);
  watch.unref();
}

const isDuplicateKey = (error: unknown) => (error as { code?: number })?.code === 11000;

/**
 * Puts one e-mail in the outbox. Pass the caller's session to write it in the same transaction as the change it
 * tells about (the ticket), so that either both are stored or neither. The address and the data are sealed.
 */
export async function queueMail(raw: QueueMailInput, options: { session?: ClientSession } = {}): Promise<QueuedMail> {
  const input = check<QueueMailInput>(queueMailInput, raw);
  const { session } = options;
  const now = new Date();
  const message = {
    template: input.template,
    lang: input.lang,
    toSealed: seal(input.to),
    toHash: lookupHash(input.to.toLowerCase()),
    dataSealed: seal(JSON.stringify(input.data)),
    reference: typeof input.data.code === 'string' ? input.data.code : null,
    status: 'queued' as const,
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: new Date(0),
    queuedAt: now,
  };

  if (!input.dedupeKey) {
    const [created] = await Outbox.create([message], { session });
    wakeWorkerAfterCommit(session);
    return { id: String(created!._id), queued: true };
  }

  // An upsert rather than an insert: a duplicate must not be an error, which would abort the caller's transaction.
  const dedupeKey = input.dedupeKey;
  try {
    const result = await Outbox.updateOne(
      { dedupeKey },
      { $setOnInsert: { ...message, dedupeKey } },
      { upsert: true, session },
    );
    if (result.upsertedId) {
      wakeWorkerAfterCommit(session);
      return { id: String(result.upsertedId), queued: true };
    }
  } catch (error) {
    // Two upserts raced outside a transaction: the other one won. Inside one, the caller's retry handles it.
    if (!isDuplicateKey(error) || session?.inTransaction()) throw error;
  }
  const existing = await Outbox.findOne({ dedupeKey }, { _id: 1 }, { session }).lean();
  logger.debug({ dedupeKey }, 'mail already queued');
  return { id: String(existing?._id), queued: false };
}

export interface OutboxFailure {
  id: string;
  template: string;
  lang: string;
  reference: string | null;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
}

/** For the admin page: how many mails are in each state, the oldest still waiting, and the latest failures. */
export async function outboxStatus(actor: Actor | undefined): Promise<{
  counts: Record<OutboxStatus, number>;
  oldestWaitingSince: Date | null;
  latestFailures: OutboxFailure[];
}> {
  if (!actor) throw new AppError('unauthenticated');
  if (scopeOf(actor, 'accounts.manage') !== 'all') throw new AppError('forbidden');
  const counts = Object.fromEntries(
    await Promise.all(outboxStatuses.map(async (status) => [status, await Outbox.countDocuments({ status })])),
  ) as Record<OutboxStatus, number>;
  const oldest = await Outbox.findOne({ status: { $in: ['queued', 'retry'] } })
    .sort({ queuedAt: 1 })
    .select({ queuedAt: 1 })
    .lean<Pick<OutboxDoc, 'queuedAt'>>();
  const failures = await Outbox.find({ status: { $in: ['retry', 'failed'] } })
    .sort({ lastAttemptAt: -1 })
    .limit(20)
    .select({ toSealed: 0, dataSealed: 0, toHash: 0 })
    .lean<OutboxDoc[]>();
  return {
    counts,
    oldestWaitingSince: oldest?.queuedAt ?? null,
    latestFailures: failures.map((message) => ({
      id: String(message._id),
      template: message.template,
      lang: message.lang,
      reference: message.reference ?? null,
      status: message.status as OutboxStatus,
      attempts: message.attempts,
      lastError: message.lastError ?? null,
      lastAttemptAt: message.lastAttemptAt ?? null,
      nextAttemptAt: message.status === 'retry' ? message.nextAttemptAt : null,
    })),
  };
}
