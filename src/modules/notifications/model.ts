import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { languages } from '../../platform/i18n.js';

/** The mails Suara sends; each has a Handlebars file per language under views/mail/<template>.<lang>.hbs. */
export const mailTemplates = [
  'ticket.receipt',
  'ticket.status',
  'ticket.reply',
  'ticket.resolved',
  'staff.escalation',
  'staff.digest',
  'coaching.action_due',
  'account.password_reset',
] as const;
export type MailTemplate = (typeof mailTemplates)[number];

/** queued → sent, or queued → retry (→ retry …) → sent | failed. A message being sent keeps its status and
 * carries a lease (`leaseOwner`, `leaseUntil`) instead, so a worker that dies mid-send leaves nothing stuck. */
export const outboxStatuses = ['queued', 'retry', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/**
 * The outbox: every e-mail is a document here before anyone tries to send it (docs/architecture.md#mail-outbox), written in
 * the same transaction as the change it tells about, so a crash or an SMTP outage loses nothing.
 *
 * The recipient is personal data (UU 27/2022): only sealed (AES-GCM) plus a keyed hash for look-ups. The template
 * data is sealed too, because the tracking link in it carries the ticket's access token and a reply can quote
 * the citizen. Both sealed fields are cleared once the mail is sent (see worker.ts).
 */
const outboxSchema = new Schema(
  {
    template: { type: String, enum: mailTemplates, required: true },
    lang: { type: String, enum: languages, required: true },
    toSealed: { type: String, default: null },
    toHash: { type: String, required: true },
    dataSealed: { type: String, default: null },
    /** The ticket code the mail is about (not a secret without its token), to find a failure from a case. */
    reference: { type: String, default: null },
    /** The unit path (agency first) of what the mail is about, so an agency's admins see its mail in the outbox;
     * empty for mail about no unit, which only platform administrators see. */
    unitPath: { type: [Schema.Types.ObjectId], default: [] },
    /** The same logical mail is queued once: `ticket:<id>:receipt`, `ticket:<id>:status:<historyId>`. */
    dedupeKey: { type: String },
    status: { type: String, enum: outboxStatuses, required: true, default: 'queued' },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true, default: () => new Date() },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, required: true, default: () => new Date(0) },
    lastError: { type: String, default: null },
    lastAttemptAt: { type: Date, default: null },
    queuedAt: { type: Date, required: true, default: () => new Date() },
    sentAt: { type: Date, default: null },
    failedAt: { type: Date, default: null },
    messageId: { type: String, default: null },
  },
  { collection: 'outbox', versionKey: false },
);
// What the worker claims: due messages, oldest first.
outboxSchema.index({ status: 1, nextAttemptAt: 1 });
outboxSchema.index(
  { dedupeKey: 1 },
  { unique: true, partialFilterExpression: { dedupeKey: { $type: 'string' } }, name: 'dedupeKey_unique' },
);
outboxSchema.index({ toHash: 1 });
// The admin outbox page: one agency's mail by status, newest first.
outboxSchema.index({ unitPath: 1, status: 1, queuedAt: -1 });

export type OutboxDoc = InferSchemaType<typeof outboxSchema> & { _id: Types.ObjectId };
export const Outbox = mongoose.model('OutboxMessage', outboxSchema);
