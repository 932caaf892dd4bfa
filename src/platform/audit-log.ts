import mongoose, { Schema } from 'mongoose';
import type { Actor, Scoped } from './access.js';
import { GroupedInserts } from './grouped-inserts.js';
import { currentRequest } from './request-context.js';

/** Who did what to whom: staff actions and every view of personal data (read by the inspectorate). */
const auditSchema = new Schema(
  {
    at: { type: Date, default: () => new Date(), index: true },
    actorId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    action: { type: String, required: true },
    target: { type: String, default: null },
    reason: { type: String, default: null },
    ip: { type: String, default: null },
    /** The unit path of what the entry concerns (agency first); none for sign-ins and platform-wide changes. */
    unitPath: { type: [Schema.Types.ObjectId], default: undefined },
    details: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, collection: 'audit_log' },
);
auditSchema.index({ actorId: 1, at: -1 });
// A reader scoped to a subtree reads the entries whose path holds their unit, newest first.
auditSchema.index({ unitPath: 1, at: -1 });
auditSchema.index({ target: 1, at: -1 });
export const AuditEntry = mongoose.model('AuditEntry', auditSchema);

/** Where an audit entry belongs: the unit path (agency first) of what it concerns, so readers in scope see it. */
export interface AuditScope {
  unitPath?: Scoped['unitPath'];
}

/**
 * The audit log: staff actions and every view of personal data. Written before the answer leaves the server, with
 * the client's address of the request being served (platform/request-context.ts).
 */
export async function recordAudit(
  actor: Actor | null,
  action: string,
  target: string | null,
  details: Record<string, unknown> | null = null,
  reason: string | null = null,
  scope: AuditScope = {},
): Promise<void> {
  const entry = new AuditEntry({
    actorId: actor?.id ?? null,
    action,
    target,
    details,
    reason,
    ip: currentRequest()?.ip ?? null,
    unitPath: scope.unitPath?.length ? scope.unitPath.map(String) : undefined,
  });
  await entry.validate();
  await auditInserts.add(entry.toObject());
}

/**
 * The audit log's writes, grouped while one is in flight (platform/grouped-inserts.ts): a read that must be logged
 * before it is served waits for its own entry to be durable either way, but twenty coaches reading records at once
 * cost a commit or two instead of twenty. If the log cannot be written, every caller in the batch gets the error and
 * serves nothing.
 */
const auditInserts = new GroupedInserts<Record<string, unknown>>((docs) =>
  AuditEntry.collection.insertMany(docs, { ordered: true }),
);
