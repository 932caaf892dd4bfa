import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { countWrites, keptLookups } from '../../platform/shared-answers.js';
import type { Actor } from './permissions.js';

export const roles = ['admin', 'unit_head', 'handler', 'coach', 'officer', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** A role granted on a unit subtree; `unitId` null means every agency (the platform administrator). */
const grantSchema = new Schema(
  {
    role: { type: String, enum: roles, required: true },
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
    unitCode: { type: String, default: null },
  },
  { _id: false },
);

const userSchema = new Schema(
  {
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true },
    passwordHash: { type: String, required: true },
    grants: { type: [grantSchema], default: [] },
    /** The officer record this account belongs to, for the `officer` role (their own coaching record). */
    officerNip: { type: String, default: null },
    lang: { type: String, enum: ['id', 'en'], default: 'id' },
    disabled: { type: Boolean, default: false },
    failedLogins: { type: Number, default: 0 },
    lockedUntil: { type: Date, default: null },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true },
);
userSchema.index({ 'grants.unitId': 1 });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };
const userWrites = countWrites(userSchema);
export const User = mongoose.model('User', userSchema);
/** The signed-in account behind each request, by user id (service.ts `actorForUserId`; null for none or disabled). */
export const actorLookups = keptLookups<Actor | null>(userWrites, 10_000);

/** API tokens for integrations: only a SHA-256 of the secret is kept; the secret is shown once. */
const apiTokenSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    name: { type: String, required: true },
    tokenHash: { type: String, required: true, unique: true },
    prefix: { type: String, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
const tokenWrites = countWrites(apiTokenSchema);
export const ApiToken = mongoose.model('ApiToken', apiTokenSchema);
/** Live tokens by the SHA-256 of their secret (service.ts `actorForApiToken`), read on every integration request. */
export const tokenLookups = keptLookups<{ id: string; userId: string } | null>(tokenWrites, 10_000);

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
