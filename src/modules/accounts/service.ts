import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Types } from 'mongoose';
import { AppError } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import { GroupedInserts } from '../../platform/grouped-inserts.js';
import { logger } from '../../platform/logger.js';
import { currentRequest } from '../../platform/request-context.js';
import { check } from '../../platform/validate.js';
import { Unit, type UnitDoc } from '../directory/model.js';
import { actorLookups, ApiToken, tokenLookups, AuditEntry, User, type Role, type UserDoc } from './model.js';
import { assertCan, can, scopeOf, type Action, type Actor, type Scoped } from './permissions.js';
import { createTokenInput, createUserInput, loginInput } from './schemas.js';

/** Lockout: after this many failures in a row, each further failure doubles the wait, up to an hour. */
export const LOCKOUT_AFTER = 5;
const LOCKOUT_BASE_SECONDS = 30;
const LOCKOUT_MAX_SECONDS = 3600;

export function lockoutSeconds(failures: number): number {
  if (failures < LOCKOUT_AFTER) return 0;
  return Math.min(LOCKOUT_MAX_SECONDS, LOCKOUT_BASE_SECONDS * 2 ** (failures - LOCKOUT_AFTER));
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

// Verified against when the e-mail is unknown, so that the answer takes as long as for a real account.
let decoyHash: Promise<string> | undefined;

export function toActor(user: Pick<UserDoc, '_id' | 'email' | 'name' | 'officerNip' | 'grants'>): Actor {
  return {
    id: String(user._id),
    email: user.email,
    name: user.name,
    officerNip: user.officerNip ?? null,
    grants: user.grants.map((grant) => ({
      role: grant.role as Role,
      unitId: grant.unitId ? String(grant.unitId) : null,
      unitCode: grant.unitCode ?? null,
    })),
  };
}

/** Signs a person in by e-mail and password, with a growing lockout after repeated failures. */
export async function authenticate(raw: unknown, ip?: string): Promise<Actor> {
  const input = check(loginInput, raw);
  const user = await User.findOne({ email: input.email }).lean<UserDoc>();
  if (!user) {
    decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await argon2.verify(await decoyHash, input.password);
    await recordAudit(null, 'auth.failed', input.email, { ip });
    throw new AppError('unauthenticated', 'auth.invalid');
  }
  if (user.lockedUntil && user.lockedUntil > new Date()) {
    const seconds = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 1000);
    throw new AppError('locked', 'auth.locked', { seconds });
  }
  if (!(await argon2.verify(user.passwordHash, input.password))) {
    const updated = await User.findOneAndUpdate(
      { _id: user._id },
      { $inc: { failedLogins: 1 } },
      { returnDocument: 'after' },
    ).lean<UserDoc>();
    const wait = lockoutSeconds(updated!.failedLogins);
    if (wait > 0)
      await User.updateOne({ _id: user._id }, { $set: { lockedUntil: new Date(Date.now() + wait * 1000) } });
    await recordAudit(null, 'auth.failed', input.email, { ip, failures: updated!.failedLogins });
    throw new AppError('unauthenticated', 'auth.invalid');
  }
  if (user.disabled) throw new AppError('forbidden', 'auth.disabled');
  await User.updateOne({ _id: user._id }, { $set: { failedLogins: 0, lockedUntil: null, lastLoginAt: new Date() } });
  const actor = toActor(user);
  await recordAudit(actor, 'auth.signed_in', user.email, { ip });
  publish('user.signed_in', { userId: actor.id });
  return actor;
}

/** The actor behind a session's user id, or undefined when the account is gone or disabled. */
export async function actorForUserId(userId: string): Promise<Actor | undefined> {
  const actor = await actorLookups.get(String(userId), async () => {
    const user = await User.findById(userId).lean<UserDoc>();
    return user && !user.disabled ? toActor(user) : null;
  });
  return actor ?? undefined;
}

const tokenHash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The actor behind an API token (`Authorization: Bearer suara_…`), or undefined. */
export async function actorForApiToken(secret: string): Promise<Actor | undefined> {
  const hash = tokenHash(secret);
  const token = await tokenLookups.get(hash, async () => {
    const found = await ApiToken.findOne({ tokenHash: hash, revokedAt: null }).select({ userId: 1 }).lean();
    return found ? { id: String(found._id), userId: String(found.userId) } : null;
  });
  if (!token) return undefined;
  noteTokenUse(token.id);
  return actorForUserId(token.userId);
}

/** When this process last wrote each token's `lastUsedAt` (token id → ms). */
const tokenUseWritten = new Map<string, number>();

/**
 * Moves the token's `lastUsedAt` on, at most once a minute per token and process: it tells an admin whether an
 * integration is still in use, which a minute does not change, while a write per request would be a durable commit
 * per integration call. Not awaited: a failed write is logged and the next use after the minute tries again.
 */
function noteTokenUse(tokenId: string): void {
  const now = Date.now();
  const last = tokenUseWritten.get(tokenId);
  if (last !== undefined && now - last < 60_000) return;
  tokenUseWritten.set(tokenId, now);
  if (tokenUseWritten.size > 10_000)
    for (const [id, at] of tokenUseWritten) if (now - at >= 60_000) tokenUseWritten.delete(id);
  ApiToken.updateOne({ _id: tokenId }, { $set: { lastUsedAt: new Date(now) } }).catch((error: unknown) => {
    tokenUseWritten.delete(tokenId);
    logger.warn({ err: error }, 'could not record an API token use');
  });
}

/** Creates an API token for the actor itself; the secret is returned once and never stored. */
export async function createApiToken(actor: Actor, raw: unknown): Promise<{ token: string; prefix: string }> {
  const input = check(createTokenInput, raw);
  const token = `suara_${randomBytes(24).toString('base64url')}`;
  const prefix = token.slice(0, 12);
  await ApiToken.create({ userId: actor.id, name: input.name, tokenHash: tokenHash(token), prefix });
  await recordAudit(actor, 'token.create', prefix);
  return { token, prefix };
}

/** Creates a staff account with one role on a unit subtree (or everywhere, for a platform admin). */
export async function createUser(actor: Actor, raw: unknown) {
  const input = check(createUserInput, raw);
  const unit = input.unitCode ? await Unit.findOne({ code: input.unitCode }).lean<UnitDoc>() : null;
  if (input.unitCode && !unit)
    throw AppError.validation({ unitCode: { key: 'import.unknown_unit', params: { code: input.unitCode } } });
  assertCan(actor, 'accounts.manage', { unitPath: unit ? unit.path.map(String) : [] });
  if (await User.exists({ email: input.email })) throw AppError.validation({ email: { key: 'error.conflict' } });
  const user = await User.create({
    email: input.email,
    name: input.name,
    passwordHash: await hashPassword(input.password),
    grants: [{ role: input.role, unitId: unit?._id ?? null, unitCode: unit?.code ?? null }],
    officerNip: input.officerNip || null,
  });
  await recordAudit(actor, 'user.create', user.email, { role: input.role, unitCode: unit?.code ?? null });
  return toActor(user);
}

/**
 * Staff who may do an action on a unit (its path, agency first): for "assign to" lists and for checking an
 * assignee. Grants on the unit, on any unit above it, or everywhere count.
 */
export async function usersWhoCan(action: Action, unitPath: readonly (string | Types.ObjectId)[]): Promise<Actor[]> {
  const ids = unitPath.map(String);
  const users = await User.find({ disabled: false, 'grants.unitId': { $in: [...ids, null] } })
    .sort({ name: 1 })
    .limit(500)
    .lean<UserDoc[]>();
  return users.map(toActor).filter((actor) => can(actor, action, { unitPath: ids }));
}

/** Accounts the actor may manage, with their grants. */
export async function listUsers(actor: Actor) {
  const scope = scopeOf(actor, 'accounts.manage');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const unitIds = scope === 'all' ? [] : ((await Unit.distinct('_id', { path: { $in: scope } })) as Types.ObjectId[]);
  const filter = scope === 'all' ? {} : { 'grants.unitId': { $in: unitIds } };
  const users = await User.find(filter).sort({ email: 1 }).limit(1000).lean<UserDoc[]>();
  return users.map((user) => ({ ...toActor(user), lastLoginAt: user.lastLoginAt, disabled: user.disabled }));
}

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

/** The active accounts holding `role` on exactly this unit (its heads, for escalations and digests). */
export async function usersWithRoleOn(role: Role, unitId: string | Types.ObjectId) {
  const users = await User.find({ disabled: false, grants: { $elemMatch: { role, unitId } } })
    .sort({ email: 1 })
    .select({ email: 1, name: 1, lang: 1 })
    .lean<Pick<UserDoc, '_id' | 'email' | 'name' | 'lang'>[]>();
  return users.map((user) => ({ id: String(user._id), email: user.email, name: user.name, lang: user.lang }));
}
