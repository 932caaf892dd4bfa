import mongoose, { type ClientSession } from 'mongoose';
import { AppError } from '../../platform/errors.js';
import type { Lang } from '../../platform/i18n.js';
import { recordAudit } from '../../platform/audit-log.js';
import { lookupHash, seal, unseal } from '../../platform/crypto.js';
import { logger } from '../../platform/logger.js';
import { check } from '../../platform/validate.js';
import { scopeOf, type Actor } from '../../platform/access.js';
import { Outbox, outboxStatuses, type MailTemplate, type OutboxDoc, type OutboxStatus } from './model.js';
import { outboxListInput, queueMailInput } from './schemas.js';

export type { MailTemplate, OutboxStatus };

export interface QueueMailInput {
  to: string;
  template: MailTemplate;
  lang: Lang;
  /** The template's variables: code, trackUrl, unitName, kindLabel, statusLabel, body. Never contact data. */
  data: Record<string, unknown>;
  /** The same key is queued once (for example `ticket:<id>:receipt`); a repeat is a no-op. */
  dedupeKey?: string;
  /** The unit path (agency first) of what the mail is about: the agency's admins see it on their outbox page. */
  unitPath?: string[];
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
    unitPath: input.unitPath ?? [],
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

const PAGE_SIZE = 50;

/** The outbox messages an admin may see: every one for a platform administrator, else those about their units. */
function outboxScope(actor: Actor | undefined): Record<string, unknown> {
  if (!actor) throw new AppError('unauthenticated');
  const scope = scopeOf(actor, 'accounts.manage');
  if (scope === 'all') return {};
  if (scope.length === 0) throw new AppError('forbidden');
  return { unitPath: { $in: scope.map((id) => new mongoose.Types.ObjectId(id)) } };
}

/** `wa***@contoh.id`: enough for an admin to recognise an address someone reads out, not enough to copy it. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address.slice(0, Math.min(2, at - 1) || 1)}***${address.slice(at)}`;
}

/** One outbox message as an admin sees it: the address masked (none once sent), never the mail's data. */
function outboxRow(message: OutboxDoc) {
  const addressKept = Boolean(message.toSealed);
  return {
    id: String(message._id),
    template: message.template,
    lang: message.lang,
    reference: message.reference ?? null,
    status: message.status as OutboxStatus,
    to: message.toSealed ? maskAddress(unseal(message.toSealed)) : null,
    attempts: message.attempts,
    lastError: message.lastError ?? null,
    queuedAt: message.queuedAt,
    lastAttemptAt: message.lastAttemptAt ?? null,
    nextAttemptAt: message.status === 'retry' ? message.nextAttemptAt : null,
    sentAt: message.sentAt ?? null,
    failedAt: message.failedAt ?? null,
    resendable: message.status === 'failed' && addressKept && Boolean(message.dataSealed),
  };
}
export type OutboxRow = ReturnType<typeof outboxRow>;

/** The admin's outbox page: counts by status in their scope, and one page of messages (one status or all). */
export async function listOutbox(actor: Actor | undefined, raw: unknown) {
  const scope = outboxScope(actor);
  const input = check<{ status?: OutboxStatus | ''; page: number }>(outboxListInput, raw ?? {});
  const status = input.status || null;
  const filter = status ? { ...scope, status } : scope;
  const [counts, total, messages] = await Promise.all([
    outboxCounts(scope),
    Outbox.countDocuments(filter),
    Outbox.find(filter)
      .sort({ queuedAt: -1, _id: -1 })
      .skip((input.page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .select({ toHash: 0 })
      .lean<OutboxDoc[]>(),
  ]);
  return {
    status,
    page: input.page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    total,
    counts,
    messages: messages.map(outboxRow),
  };
}

async function outboxCounts(scope: Record<string, unknown>): Promise<Record<OutboxStatus, number>> {
  return Object.fromEntries(
    await Promise.all(
      outboxStatuses.map(async (status) => [status, await Outbox.countDocuments({ ...scope, status })]),
    ),
  ) as Record<OutboxStatus, number>;
}

/** How many mails in the admin's scope gave up for good: what the admin home asks them to look at. */
export async function failedMailCount(actor: Actor): Promise<number> {
  return Outbox.countDocuments({ ...outboxScope(actor), status: 'failed' });
}

/**
 * Puts a failed mail back in the queue, as if new: attempts and lease reset, so the worker sends it once more
 * (and gives up again after the same retries if the fault remains). A mail whose address is gone cannot go again.
 * A second click finds it no longer failed and changes nothing.
 */
export async function resendMail(actor: Actor | undefined, messageId: string): Promise<OutboxRow> {
  const scope = outboxScope(actor);
  const message = mongoose.isValidObjectId(messageId)
    ? await Outbox.findOne({ ...scope, _id: messageId }).lean<OutboxDoc>()
    : null;
  if (!message) throw new AppError('not_found');
  if (message.status !== 'failed') throw new AppError('conflict', 'notifications.resend_not_failed');
  if (!message.toSealed || !message.dataSealed) throw new AppError('conflict', 'notifications.resend_no_address');
  const now = new Date();
  const { modifiedCount } = await Outbox.updateOne(
    { _id: message._id, status: 'failed' },
    {
      $set: {
        status: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        leaseOwner: null,
        leaseUntil: new Date(0),
        failedAt: null,
      },
    },
  );
  if (modifiedCount > 0) {
    await recordAudit(
      actor!,
      'outbox.resend',
      String(message._id),
      {
        template: message.template,
        reference: message.reference ?? null,
        before: { status: 'failed', attempts: message.attempts },
        after: { status: 'queued', attempts: 0 },
      },
      null,
      { unitPath: message.unitPath ?? [] },
    );
    wakeWorker?.();
  }
  return outboxRow((await Outbox.findById(message._id).lean<OutboxDoc>())!);
}
