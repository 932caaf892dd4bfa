import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { unseal } from '../../platform/crypto.js';
import type { Lang } from '../../platform/i18n.js';
import { logger } from '../../platform/logger.js';
import { registerJob } from '../../platform/scheduler.js';
import { Outbox, type MailTemplate, type OutboxDoc } from './model.js';
import { onMailQueued } from './service.js';
import { renderMail } from './templates.js';
import { createMailTransport, type MailConfig, type MailTransport } from './transport.js';

/**
 * The outbox worker: claims due messages one at a time with a lease, renders, sends, and records the outcome.
 * Any number of processes may run it at once: a message is claimed by one atomic findOneAndUpdate, so each is
 * sent by one worker. Delivery is at least once: a worker that dies after the SMTP server accepted a message but
 * before it marked it sent leaves a lease that runs out, and the message goes again (with the same Message-ID).
 */

/** How long a claimed message is held; well above the transport's timeouts (transport.ts). */
export const CLAIM_LEASE_MS = 2 * 60_000;
/** After this many failed attempts a message is `failed` and logged at error level (about a day of retrying). */
export const MAX_ATTEMPTS = 8;
const RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 60 * 60_000, 3 * 3600_000, 6 * 3600_000, 12 * 3600_000];
/** The periodic sweep that sends what no nudge did (after a restart, after an outage, from another process). */
export const SWEEP_EVERY_MS = 15_000;
const BATCH = 20;

/** Wait before the next try after `attempts` failures: 30 s, 2 min, 10 min, 1 h, 3 h, 6 h, then 12 h. */
export function retryDelayMs(attempts: number): number {
  return RETRY_DELAYS_MS[Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1]!;
}

const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
let transport: MailTransport | undefined;

/** Chooses where mail goes (SMTP_URL, else files under DATA_DIR/mail). Closes the one before. */
export function configureMailTransport(config: MailConfig): MailTransport {
  transport?.close();
  transport = createMailTransport(config);
  return transport;
}

export interface OutboxRun {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Sends up to `limit` due messages and returns what happened. `owner` names the worker holding the claims (tests
 * play two processes with two owners); `now` is the clock to measure due times and leases with.
 */
export async function processOutboxOnce(
  limit = BATCH,
  options: { owner?: string; now?: Date; signal?: AbortSignal } = {},
): Promise<OutboxRun> {
  if (!transport) throw new Error('mail transport not configured (configureMailTransport or startOutboxWorker)');
  const mailer = transport;
  const owner = options.owner ?? workerId;
  const run: OutboxRun = { sent: 0, retrying: 0, failed: 0 };
  for (let i = 0; i < limit && !options.signal?.aborted; i++) {
    const now = options.now ?? new Date();
    const message = await claimNext(owner, now);
    if (!message) break;
    run[await deliver(message, owner, now, mailer)]++;
  }
  return run;
}

function claimNext(owner: string, now: Date) {
  return Outbox.findOneAndUpdate(
    { status: { $in: ['queued', 'retry'] }, nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } },
    { $set: { leaseOwner: owner, leaseUntil: new Date(now.getTime() + CLAIM_LEASE_MS) } },
    { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
  ).lean<OutboxDoc>();
}

/** SMTP errors can quote the address ("<x@y>: mailbox unavailable"): it must not reach the log or the outbox. */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/[^\s<>"'(),;:@]+@[^\s<>"'(),;:]+/g, '[address]').slice(0, 500);
}

/** The server refused this recipient for good (5xx to RCPT TO): retrying cannot help. */
function isRejectedRecipient(error: unknown): boolean {
  const e = error as { responseCode?: number; command?: string; code?: string };
  return (
    (e.code === 'EENVELOPE' || /RCPT/i.test(e.command ?? '')) &&
    typeof e.responseCode === 'number' &&
    e.responseCode >= 500
  );
}

async function deliver(
  message: OutboxDoc,
  owner: string,
  now: Date,
  mailer: MailTransport,
): Promise<'sent' | 'retrying' | 'failed'> {
  const id = String(message._id);
  const attempts = message.attempts + 1;
  const mine = { _id: message._id, leaseOwner: owner };
  try {
    if (!message.toSealed || !message.dataSealed) throw new Error('the message has no recipient or data');
    const data = JSON.parse(unseal(message.dataSealed)) as Record<string, unknown>;
    const mail = await renderMail(message.template as MailTemplate, message.lang as Lang, data);
    const sent = await mailer.send({ id, to: unseal(message.toSealed), lang: message.lang as Lang, ...mail });
    // Sent: the address and the data have done their job, so they go (data minimisation, UU 27/2022). The
    // hash stays, so "did we write to this address?" can still be answered, and so does the status.
    await Outbox.updateOne(mine, {
      $set: {
        status: 'sent',
        attempts,
        sentAt: new Date(),
        lastAttemptAt: now,
        messageId: sent.messageId,
        lastError: null,
        toSealed: null,
        dataSealed: null,
        leaseOwner: null,
        leaseUntil: new Date(0),
      },
    });
    logger.info({ outboxId: id, template: message.template, file: sent.file }, 'mail sent');
    return 'sent';
  } catch (error) {
    const reason = describe(error);
    const giveUp = attempts >= MAX_ATTEMPTS || isRejectedRecipient(error);
    const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts));
    await Outbox.updateOne(mine, {
      $set: {
        status: giveUp ? 'failed' : 'retry',
        attempts,
        lastAttemptAt: now,
        lastError: reason,
        ...(giveUp ? { failedAt: now } : { nextAttemptAt }),
        leaseOwner: null,
        leaseUntil: new Date(0),
      },
    });
    const context = { outboxId: id, template: message.template, reference: message.reference, attempts, reason };
    if (giveUp) logger.error(context, 'mail could not be delivered; giving up');
    else logger.warn({ ...context, nextAttemptAt }, 'mail not sent; will retry');
    return giveUp ? 'failed' : 'retrying';
  }
}

/** Sends until nothing is due (or the signal says stop). */
async function drain(signal?: AbortSignal): Promise<void> {
  for (;;) {
    const run = await processOutboxOnce(BATCH, { signal });
    if (run.sent + run.retrying + run.failed < BATCH || signal?.aborted) return;
  }
}

let accepting = false;
let draining: Promise<void> | undefined;
let drainAgain = false;
let jobRegistered = false;

/** Sends what was just queued, in this process, now; a nudge during a drain makes it go round once more. */
function nudge(): void {
  if (!accepting) return;
  if (draining) {
    drainAgain = true;
    return;
  }
  draining = (async () => {
    do {
      drainAgain = false;
      await drain();
    } while (drainAgain && accepting);
  })()
    .catch((error: unknown) => logger.warn({ err: error }, 'outbox worker could not run; the sweep will retry'))
    .finally(() => (draining = undefined));
}

/**
 * Starts sending in this process: configures the transport, sends right after each queueMail commits, and
 * registers the periodic sweep on the scheduler (which runs it once per period across all processes).
 */
export function startOutboxWorker(config: MailConfig): void {
  const mailer = configureMailTransport(config);
  logger.info(
    { transport: mailer.kind, destination: mailer.destination },
    mailer.kind === 'file' ? 'SMTP_URL is not set: e-mail is written to files' : 'e-mail goes to SMTP',
  );
  accepting = true;
  onMailQueued(nudge);
  if (!jobRegistered) {
    jobRegistered = true;
    registerJob({ name: 'notifications.outbox', everyMs: SWEEP_EVERY_MS, run: ({ signal }) => drain(signal) });
  }
  nudge(); // what waited while the process was down
}

/** Stops nudged sending, waits for a send in flight, and closes the transport. The sweep stops with the scheduler. */
export async function stopOutboxWorker(): Promise<void> {
  accepting = false;
  onMailQueued(undefined);
  await draining;
  transport?.close();
  transport = undefined;
}
