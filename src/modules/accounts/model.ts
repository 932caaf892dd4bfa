import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { countWrites, keptLookups } from '../../platform/shared-answers.js';
import { roles, type Actor, type Role } from '../../platform/access.js';

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
    /**
     * The officer (NIP) this account is: their own coaching record, and what the conflict-of-interest guard
     * compares with the officers a ticket names. One account per officer (the index below).
     */
    officerNip: { type: String, default: null },
    lang: { type: String, enum: ['id', 'en'], default: 'id' },
    /** Whether a unit head gets the morning digest; each person may turn it off for themselves. */
    digest: { type: Boolean, default: true },
    disabled: { type: Boolean, default: false },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true },
);
userSchema.index({ 'grants.unitId': 1 });
// Unique among linked accounts only, so that two concurrent links of one officer cannot both succeed.
userSchema.index({ officerNip: 1 }, { unique: true, partialFilterExpression: { officerNip: { $type: 'string' } } });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: Types.ObjectId };
const userWrites = countWrites(userSchema);
export const User = mongoose.model('User', userSchema);
/** The signed-in account behind each request, by user id (service.ts `actorForUserId`; null for none or disabled). */
export const actorLookups = keptLookups<Actor | null>(userWrites, 10_000);

/**
 * API tokens for integrations: only a SHA-256 of the secret is kept; the secret is shown once. A token acts with
 * grants its creator holds, or narrower ones (fewer roles, a unit lower in the tree), never more, until it expires or
 * is revoked.
 */
const apiTokenSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    name: { type: String, required: true },
    tokenHash: { type: String, required: true, unique: true },
    prefix: { type: String, required: true },
    grant: { type: grantSchema, required: true }, // the first of `grants`; the only one on tokens made before them
    grants: { type: [grantSchema], default: undefined },
    expiresAt: { type: Date, required: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
const tokenWrites = countWrites(apiTokenSchema);
export const ApiToken = mongoose.model('ApiToken', apiTokenSchema);
export type ApiTokenDoc = InferSchemaType<typeof apiTokenSchema> & { _id: Types.ObjectId };
/** Live tokens by the SHA-256 of their secret (service.ts `actorForApiToken`), read on every integration request. */
export const tokenLookups = keptLookups<{
  id: string;
  userId: string;
  /** Each grant with its unit's path (root first), to check that the owner's grants still cover it. */
  grants: { role: Role; unitId: string | null; unitCode: string | null; unitPath: string[] }[];
  expiresAt: Date;
} | null>(tokenWrites, 10_000);

/**
 * Failed sign-ins, counted per e-mail address (a keyed hash, whether or not an account has it) and client address
 * (`addr:` keys, which lock) and per e-mail address from everywhere (`acct:` keys, which only slow down). A
 * document goes away by itself once its failures are old.
 */
const loginFailureSchema = new Schema(
  {
    _id: { type: String, required: true },
    failures: { type: Number, default: 0 },
    lockedUntil: { type: Date, default: null },
    expiresAt: { type: Date, required: true, index: { expires: 0 } },
  },
  { versionKey: false, collection: 'login_failures' },
);
export const LoginFailure = mongoose.model('LoginFailure', loginFailureSchema);

/** Password reset links: only a SHA-256 of the secret is kept; a link works once, until it expires. */
const passwordResetSchema = new Schema(
  {
    tokenHash: { type: String, required: true, unique: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    requestedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    // Removed a day after expiry; the audit log keeps the story.
    purgeAt: { type: Date, required: true, index: { expires: 0 } },
  },
  { versionKey: false, timestamps: true, collection: 'password_resets' },
);
export const PasswordReset = mongoose.model('PasswordReset', passwordResetSchema);
