import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import argon2 from 'argon2';
import mongoose, { type Types } from 'mongoose';
import { clock } from '../../platform/clock.js';
import { lookupHash } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import type { Lang } from '../../platform/i18n.js';
import { logger } from '../../platform/logger.js';
import { addressKey } from '../../platform/security.js';
import { endSessionsOf } from '../../platform/session.js';
import { check } from '../../platform/validate.js';
import { firstProblem, type ImportReport, readCsv } from '../../platform/csv.js';
import {
  findOfficer,
  findUnitByCode,
  type OfficerDoc,
  type UnitDoc,
  unitIdsUnder,
  unitPathsOf,
} from '../directory/index.js';
import { queueMail } from '../notifications/index.js';
import {
  actorLookups,
  ApiToken,
  LoginFailure,
  PasswordReset,
  tokenLookups,
  User,
  type ApiTokenDoc,
  type UserDoc,
} from './model.js';
import { recordAudit } from '../../platform/audit-log.js';
import { type Action, type Actor, assertCan, can, hasAnyRole, type Role, scopeOf } from '../../platform/access.js';
import {
  createTokenInput,
  createUserInput,
  digestInput,
  forgotPasswordInput,
  importUserInput,
  loginInput,
  resetPasswordInput,
  updateUserInput,
} from './schemas.js';

/** Lockout: after this many failures in a row from one address, each further failure doubles its wait, up to an hour. */
export const LOCKOUT_AFTER = 5;
const LOCKOUT_BASE_SECONDS = 30;
const LOCKOUT_MAX_SECONDS = 3600;
/** Failures are forgotten this long after the last one. */
const FAILURE_MEMORY_MS = 15 * 60_000;

export function lockoutSeconds(failures: number): number {
  if (failures < LOCKOUT_AFTER) return 0;
  return Math.min(LOCKOUT_MAX_SECONDS, LOCKOUT_BASE_SECONDS * 2 ** (failures - LOCKOUT_AFTER));
}

/**
 * The wait before each sign-in of an account with recent failures from anywhere: it slows a guesser spread over
 * many addresses to a few tries a minute, while its owner waits a few seconds at most and is never locked out.
 */
export function accountDelayMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(5000, 250 * 2 ** (failures - 3));
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

/** Counts a failed sign-in against the e-mail from this address (locking it in time) and from everywhere. */
async function countFailure(emailKey: string, ip: string | undefined): Promise<number> {
  const expiresAt = new Date(Date.now() + FAILURE_MEMORY_MS);
  const bump = (id: string) =>
    LoginFailure.findOneAndUpdate(
      { _id: id },
      { $inc: { failures: 1 }, $set: { expiresAt } },
      { upsert: true, returnDocument: 'after' },
    ).lean<{ failures: number }>();
  const [here] = await Promise.all([bump(`addr:${emailKey}:${addressKey(ip ?? '')}`), bump(`acct:${emailKey}`)]);
  const wait = lockoutSeconds(here!.failures);
  // Written on every failure, locked or not, so that known and unknown e-mails cost the same writes.
  await LoginFailure.updateOne(
    { _id: `addr:${emailKey}:${addressKey(ip ?? '')}` },
    { $set: { lockedUntil: wait > 0 ? new Date(Date.now() + wait * 1000) : null } },
  );
  return here!.failures;
}

/**
 * Signs a person in by e-mail and password. Failures lock the e-mail for the client's address only (so a guesser
 * elsewhere cannot lock the owner out) and slow every address down a little. An unknown e-mail goes through the same
 * reads, waits, hash verification and writes as a known one, and gets the same answer.
 */
export async function authenticate(raw: unknown, ip?: string): Promise<Actor> {
  const input = check(loginInput, raw);
  const emailKey = lookupHash(`login:${input.email}`);
  const [user, here, everywhere] = await Promise.all([
    User.findOne({ email: input.email }).lean<UserDoc>(),
    LoginFailure.findById(`addr:${emailKey}:${addressKey(ip ?? '')}`).lean<{ lockedUntil: Date | null }>(),
    LoginFailure.findById(`acct:${emailKey}`).lean<{ failures: number }>(),
  ]);
  if (here?.lockedUntil && here.lockedUntil > new Date()) {
    const seconds = Math.ceil((here.lockedUntil.getTime() - Date.now()) / 1000);
    throw new AppError('locked', 'auth.locked', { seconds });
  }
  const delay = accountDelayMs(everywhere?.failures ?? 0);
  if (delay > 0) await sleep(delay);
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const verified = await argon2.verify(user?.passwordHash ?? (await decoyHash), input.password);
  if (!user || !verified) {
    const failures = await countFailure(emailKey, ip);
    await recordAudit(null, 'auth.failed', input.email, { ip: addressKey(ip ?? ''), failures });
    throw new AppError('unauthenticated', 'auth.invalid');
  }
  if (user.disabled) throw new AppError('forbidden', 'auth.disabled');
  await Promise.all([
    LoginFailure.deleteOne({ _id: `addr:${emailKey}:${addressKey(ip ?? '')}` }),
    User.updateOne({ _id: user._id }, { $set: { lastLoginAt: new Date() } }),
  ]);
  const actor = toActor(user);
  await recordAudit(actor, 'auth.signed_in', user.email, { ip: addressKey(ip ?? '') });
  publish('user.signed_in', { userId: actor.id });
  return actor;
}

/** The actor behind a session's user id, or undefined when the account is gone or disabled. */
export async function actorForUserId(userId: string): Promise<Actor | undefined> {
  if (!mongoose.isValidObjectId(userId)) return undefined;
  const actor = await actorLookups.get(String(userId), async () => {
    const user = await User.findById(userId).lean<UserDoc>();
    return user && !user.disabled ? toActor(user) : null;
  });
  return actor ?? undefined;
}

const secretHash = (secret: string) => createHash('sha256').update(secret).digest('hex');

const sameGrant = (a: Actor['grants'][number], b: Actor['grants'][number]) =>
  a.role === b.role && a.unitId === b.unitId;

/**
 * The actor behind an API token (`Authorization: Bearer …`), or undefined: acting with the token's one grant, and
 * only while the token is unexpired, unrevoked, and its owner is active and still holds that grant.
 */
export async function actorForApiToken(secret: string): Promise<Actor | undefined> {
  const hash = secretHash(secret);
  const token = await tokenLookups.get(hash, async () => {
    const found = await ApiToken.findOne({ tokenHash: hash, revokedAt: null }).lean<ApiTokenDoc>();
    if (!found?.grant || !found.expiresAt) return null;
    const { role, unitId, unitCode } = found.grant;
    return {
      id: String(found._id),
      userId: String(found.userId),
      grant: { role: role as Role, unitId: unitId ? String(unitId) : null, unitCode: unitCode ?? null },
      expiresAt: found.expiresAt,
    };
  });
  // Checked on every use, not when kept: an expired token is refused the moment it expires.
  if (!token || token.expiresAt.getTime() <= clock.now()) return undefined;
  const owner = await actorForUserId(token.userId);
  if (!owner?.grants.some((grant) => sameGrant(grant, token.grant))) return undefined;
  noteTokenUse(token.id);
  return { ...owner, grants: [{ ...token.grant }] };
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
  // The raw collection: a use is not a change of the token, and must not drop this process's kept token answers.
  ApiToken.collection
    .updateOne({ _id: new mongoose.Types.ObjectId(tokenId) }, { $set: { lastUsedAt: new Date(now) } })
    .catch((error: unknown) => {
      tokenUseWritten.delete(tokenId);
      logger.warn({ err: error }, 'could not record an API token use');
    });
}

const DAY_MS = 24 * 3600 * 1000;

/** A token as its owner and admins see it: never the secret nor its hash. */
function tokenView(token: ApiTokenDoc) {
  return {
    id: String(token._id),
    name: token.name,
    prefix: token.prefix,
    role: token.grant?.role ?? null,
    unitCode: token.grant?.unitCode ?? null,
    expiresAt: token.expiresAt ?? null,
    expired: !token.expiresAt || token.expiresAt <= new Date(),
    lastUsedAt: token.lastUsedAt ?? null,
    revokedAt: token.revokedAt ?? null,
    createdAt: (token as { createdAt?: Date }).createdAt ?? null,
  };
}
export type TokenView = ReturnType<typeof tokenView>;

/**
 * Creates an API token for the actor itself, carrying one of the actor's own grants, for at most a year. The secret
 * is returned once and never stored. Officers have no integrations to run and cannot mint one; nor can a token.
 */
export async function createApiToken(
  actor: Actor,
  raw: unknown,
  options: { viaToken?: boolean } = {},
): Promise<{ token: string; prefix: string } & TokenView> {
  if (options.viaToken) throw new AppError('forbidden');
  const input = check(createTokenInput, raw);
  const mintable = actor.grants.filter((grant) => grant.role !== 'officer');
  if (mintable.length === 0) throw new AppError('forbidden', 'accounts.token_officer');
  const wanted = input.role
    ? mintable.find((grant) => grant.role === input.role && (grant.unitCode ?? '') === (input.unitCode || ''))
    : mintable.length === 1
      ? mintable[0]
      : undefined;
  if (!wanted) throw AppError.validation({ role: { key: 'accounts.token_grant' } });
  const token = `suara_${randomBytes(24).toString('base64url')}`;
  const prefix = token.slice(0, 12);
  const created = await ApiToken.create({
    userId: actor.id,
    name: input.name,
    tokenHash: secretHash(token),
    prefix,
    grant: wanted,
    expiresAt: new Date(Date.now() + input.expiresInDays * DAY_MS),
    createdBy: actor.id,
  });
  const view = tokenView(created.toObject() as ApiTokenDoc);
  await recordAudit(actor, 'token.create', prefix, {
    after: { name: view.name, role: view.role, unitCode: view.unitCode, expiresAt: view.expiresAt },
  });
  return { token, ...view };
}

/** The tokens of an account: one's own, or (for an admin in scope) another's. */
export async function listApiTokens(actor: Actor, userId: string = actor.id): Promise<TokenView[]> {
  if (userId !== actor.id) await managedUser(actor, userId);
  const tokens = await ApiToken.find({ userId }).sort({ createdAt: -1 }).limit(200).lean<ApiTokenDoc[]>();
  return tokens.map(tokenView);
}

/**
 * Every token an admin may oversee: those carrying a grant on a unit in their accounts scope (for a platform
 * administrator, all), with whose they are. Newest first; revoked and expired ones stay listed, for the record.
 */
export async function listTokensInScope(actor: Actor) {
  const scope = scopeOf(actor, 'accounts.manage');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const units = scope === 'all' ? [] : await unitIdsUnder(scope);
  const filter = scope === 'all' ? {} : { 'grant.unitId': { $in: units } };
  const tokens = await ApiToken.find(filter).sort({ createdAt: -1 }).limit(500).lean<ApiTokenDoc[]>();
  const owners = await User.find({ _id: { $in: [...new Set(tokens.map((token) => String(token.userId)))] } })
    .select({ email: 1, name: 1 })
    .lean<Pick<UserDoc, '_id' | 'email' | 'name'>[]>();
  const ownerOf = new Map(owners.map((owner) => [String(owner._id), { email: owner.email, name: owner.name }]));
  return tokens.map((token) => ({
    ...tokenView(token),
    owner: { id: String(token.userId), ...(ownerOf.get(String(token.userId)) ?? { email: '', name: '' }) },
  }));
}

/** Live tokens in the admin's scope that expire within `days`: an integration about to stop, for the admin home. */
export async function countTokensExpiringSoon(actor: Actor, days = 14): Promise<number> {
  const now = new Date();
  const soon = new Date(now.getTime() + days * DAY_MS);
  return (await listTokensInScope(actor)).filter(
    (token) => !token.revokedAt && token.expiresAt && token.expiresAt > now && token.expiresAt <= soon,
  ).length;
}

/** Revokes a token, by its owner or an admin in scope; refused at once on this process, within seconds elsewhere. */
export async function revokeApiToken(actor: Actor, tokenId: string): Promise<TokenView> {
  const token = mongoose.isValidObjectId(tokenId) ? await ApiToken.findById(tokenId).lean<ApiTokenDoc>() : null;
  if (!token) throw new AppError('not_found');
  if (String(token.userId) !== actor.id) await managedUser(actor, String(token.userId));
  if (!token.revokedAt) {
    await ApiToken.updateOne({ _id: token._id, revokedAt: null }, { $set: { revokedAt: new Date() } });
    await recordAudit(actor, 'token.revoke', token.prefix, {
      userId: String(token.userId),
      before: { revokedAt: null },
      after: { revokedAt: new Date() },
    });
  }
  return tokenView((await ApiToken.findById(token._id).lean<ApiTokenDoc>())!);
}

const unitPathOf = (unit: Pick<UnitDoc, 'path'>) => unit.path.map(String);

/** A grant as given ({role, unitCode}) made real: the unit must exist and be in the actor's accounts scope. */
async function grantFor(actor: Actor, input: { role: string; unitCode?: string | null }, field: string) {
  const unit = input.unitCode ? await findUnitByCode(input.unitCode) : null;
  if (input.unitCode && !unit)
    throw AppError.validation({ [field]: { key: 'import.unknown_unit', params: { code: input.unitCode } } });
  assertCan(actor, 'accounts.manage', { unitPath: unit ? unitPathOf(unit) : [] });
  return { role: input.role as Role, unitId: unit?._id ?? null, unitCode: unit?.code ?? null };
}

/**
 * The officer an account may be linked to: an active officer of a unit in the actor's accounts scope, not linked to
 * another account. An officer out of scope gets the same answer as an unknown NIP, so nothing leaks across agencies.
 */
async function officerToLink(actor: Actor, nip: string, userId?: string): Promise<OfficerDoc> {
  const officer = await findOfficer({ nip });
  if (!officer || !can(actor, 'accounts.manage', { unitPath: officer.unitPath.map(String) }))
    throw AppError.validation({ officerNip: { key: 'accounts.officer_unknown' } });
  if (await User.exists({ officerNip: nip, ...(userId ? { _id: { $ne: userId } } : {}) }))
    throw AppError.validation({ officerNip: { key: 'accounts.officer_linked' } });
  return officer;
}

/** A duplicate key on the officer link means another request linked the officer first. */
function linkRace(error: unknown): never {
  const e = error as { code?: number; keyPattern?: Record<string, unknown>; message?: string };
  if (e?.code === 11000 && (e.keyPattern?.officerNip || /officerNip/.test(e.message ?? '')))
    throw AppError.validation({ officerNip: { key: 'accounts.officer_linked' } });
  if (e?.code === 11000) throw AppError.validation({ email: { key: 'error.conflict' } });
  throw error;
}

/** Creates a staff account with one role on a unit subtree (or everywhere), linked to its officer when given. */
export async function createUser(actor: Actor, raw: unknown, options: { passwordHash?: string } = {}) {
  const input = check(options.passwordHash ? importUserInput : createUserInput, raw) as {
    email: string;
    name: string;
    password?: string;
    role: Role;
    unitCode?: string | null;
    officerNip?: string | null;
  };
  const grant = await grantFor(actor, input, 'unitCode');
  if (await User.exists({ email: input.email })) throw AppError.validation({ email: { key: 'error.conflict' } });
  const officer = input.officerNip ? await officerToLink(actor, input.officerNip) : null;
  const user = await User.create({
    email: input.email,
    name: input.name,
    passwordHash: options.passwordHash ?? (await hashPassword(input.password!)),
    grants: [grant],
    officerNip: officer?.nip ?? null,
  }).catch(linkRace);
  await recordAudit(actor, 'user.create', user.email, {
    after: { name: user.name, grants: [{ role: grant.role, unitCode: grant.unitCode }], officerNip: user.officerNip },
  });
  return toActor(user);
}

/**
 * An account the actor may manage: every grant it holds is in the actor's accounts scope (an account with a grant in
 * another agency belongs to that agency's admins too, and only a platform admin may change it).
 */
async function managedUser(actor: Actor, userId: string): Promise<UserDoc> {
  const user = mongoose.isValidObjectId(userId) ? await User.findById(userId).lean<UserDoc>() : null;
  if (!user) throw new AppError('not_found');
  const scope = scopeOf(actor, 'accounts.manage');
  if (scope === 'all') return user;
  if (scope.length === 0 || user.grants.length === 0 || user.grants.some((grant) => !grant.unitId))
    throw new AppError('forbidden');
  const pathOf = await unitPathsOf(user.grants.map((grant) => grant.unitId!));
  for (const grant of user.grants)
    if (!can(actor, 'accounts.manage', { unitPath: pathOf.get(String(grant.unitId)) ?? [] }))
      throw new AppError('forbidden');
  return user;
}

const grantsSummary = (grants: UserDoc['grants']) =>
  grants.map((grant) => ({ role: grant.role, unitCode: grant.unitCode ?? null }));

/** One account for its page: details, grants, the linked officer, tokens. */
export async function getUser(actor: Actor, userId: string) {
  const user = await managedUser(actor, userId);
  const [officer, tokens] = await Promise.all([
    user.officerNip ? findOfficer({ nip: user.officerNip }) : null,
    listApiTokens(actor, String(user._id)),
  ]);
  return {
    ...toActor(user),
    disabled: user.disabled,
    digest: user.digest ?? true,
    lastLoginAt: user.lastLoginAt ?? null,
    officer: officer ? { nip: officer.nip, name: officer.name, unitCode: officer.unitCode } : null,
    tokens,
  };
}

/**
 * Edits an account: name, officer link, grants (the whole list; each in the editor's scope), disabled. Disabling
 * ends the account's sessions at once and tells the live gateway; each kind of change is audited with before and after.
 */
export async function updateUser(actor: Actor, userId: string, raw: unknown) {
  const user = await managedUser(actor, userId);
  const input = check(updateUserInput, raw);
  if (input.disabled === true && String(user._id) === actor.id)
    throw AppError.validation({ disabled: { key: 'accounts.cannot_disable_self' } });
  const set: Record<string, unknown> = {};
  const changes: { action: string; before: unknown; after: unknown }[] = [];

  if (input.name !== undefined && input.name !== user.name) {
    set.name = input.name;
    changes.push({ action: 'user.update', before: { name: user.name }, after: { name: input.name } });
  }
  if (input.officerNip !== undefined) {
    const nip = input.officerNip || null;
    if (nip !== (user.officerNip ?? null)) {
      if (nip) await officerToLink(actor, nip, String(user._id));
      set.officerNip = nip;
      changes.push({
        action: 'user.link',
        before: { officerNip: user.officerNip ?? null },
        after: { officerNip: nip },
      });
    }
  }
  if (input.grants) {
    const grants: Awaited<ReturnType<typeof grantFor>>[] = [];
    for (const [index, grant] of input.grants.entries()) {
      const made = await grantFor(actor, grant, `grants.${index}.unitCode`);
      if (!grants.some((other) => other.role === made.role && String(other.unitId) === String(made.unitId)))
        grants.push(made);
    }
    const before = grantsSummary(user.grants);
    const after = grantsSummary(grants as UserDoc['grants']);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      set.grants = grants;
      changes.push({ action: 'user.grants', before: { grants: before }, after: { grants: after } });
    }
  }
  if (input.digest !== undefined && input.digest !== (user.digest ?? true)) {
    set.digest = input.digest;
    changes.push({ action: 'user.digest', before: { digest: !input.digest }, after: { digest: input.digest } });
  }
  if (input.disabled !== undefined && input.disabled !== user.disabled) {
    set.disabled = input.disabled;
    changes.push({
      action: input.disabled ? 'user.disable' : 'user.enable',
      before: { disabled: user.disabled },
      after: { disabled: input.disabled },
    });
  }
  if (changes.length === 0) return getUser(actor, userId);

  await User.updateOne({ _id: user._id }, { $set: set }).catch(linkRace);
  if (set.disabled === true) await endAllSessions(String(user._id));
  for (const change of changes)
    await recordAudit(actor, change.action, user.email, {
      userId: String(user._id),
      before: change.before,
      after: change.after,
    });
  return getUser(actor, userId);
}

/** One's own account page: who one is, one's grants, and whether the morning digest comes. */
export async function ownAccount(actor: Actor) {
  const user = await User.findById(actor.id).lean<UserDoc>();
  if (!user) throw new AppError('not_found');
  return { ...toActor(user), digest: user.digest ?? true, getsDigest: hasAnyRole(actor, 'unit_head') };
}

/** Turns one's own morning digest on or off; audited like an admin's change of it. */
export async function setOwnDigest(actor: Actor, raw: unknown): Promise<void> {
  const { digest } = check<{ digest: boolean }>(digestInput, raw);
  const user = await User.findOneAndUpdate(
    { _id: actor.id, digest: { $ne: digest } },
    { $set: { digest } },
  ).lean<UserDoc>();
  if (!user) return; // already so
  await recordAudit(actor, 'user.digest', user.email, {
    userId: actor.id,
    before: { digest: !digest },
    after: { digest },
  });
}

/** Ends every session of the account (but `keep`) and tells whoever keeps live connections for it. */
async function endAllSessions(userId: string, keep?: string): Promise<void> {
  await endSessionsOf(userId, keep);
  publish('user.sessions_ended', { userId, sessionId: null });
}

/** How long a password reset link works. */
export const RESET_LINK_MINUTES = 60;

/**
 * Where a mail to an account belongs in the outbox: the unit path of its first grant on a unit, so that the admins
 * of that agency see it on their outbox page; none for an account granted everywhere.
 */
async function outboxPathOf(userId: unknown): Promise<string[]> {
  const user = await User.findById(userId).select({ grants: 1 }).lean<Pick<UserDoc, 'grants'>>();
  const unitId = user?.grants.find((grant) => grant.unitId)?.unitId;
  return unitId ? ((await unitPathsOf([unitId])).get(String(unitId)) ?? []) : [];
}

/** Writes a single-use reset link (only its hash is kept) and queues the mail that carries it. */
async function sendResetLink(
  user: Pick<UserDoc, '_id' | 'email' | 'name' | 'lang'>,
  requestedBy: Actor | null,
  publicUrl: string,
): Promise<void> {
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + RESET_LINK_MINUTES * 60_000);
  await PasswordReset.create({
    tokenHash: secretHash(secret),
    userId: user._id,
    requestedBy: requestedBy?.id ?? null,
    expiresAt,
    purgeAt: new Date(expiresAt.getTime() + DAY_MS),
  });
  await queueMail({
    to: user.email,
    template: 'account.password_reset',
    lang: (user.lang ?? 'id') as Lang,
    data: {
      name: user.name,
      trackUrl: `${publicUrl.replace(/\/$/, '')}/password-reset?token=${secret}`,
      minutes: RESET_LINK_MINUTES,
    },
    unitPath: await outboxPathOf(user._id),
  });
  await recordAudit(requestedBy, 'user.reset_requested', user.email, {
    userId: String(user._id),
    by: requestedBy ? 'admin' : 'self',
    after: { expiresAt },
  });
}

/** An admin in scope sends the account a reset link. */
export async function requestPasswordReset(actor: Actor, userId: string, publicUrl: string): Promise<void> {
  const user = await managedUser(actor, userId);
  await sendResetLink(user, actor, publicUrl);
}

/**
 * "Forgot password": sends a link when the e-mail belongs to an active account, and answers the same either way, so
 * the form tells no one which addresses have accounts.
 */
export async function forgotPassword(raw: unknown, publicUrl: string): Promise<void> {
  const input = check(forgotPasswordInput, raw);
  const user = await User.findOne({ email: input.email, disabled: false }).lean<UserDoc>();
  if (user) await sendResetLink(user, null, publicUrl);
  else await recordAudit(null, 'user.reset_unknown', null, { emailKey: lookupHash(`login:${input.email}`) });
}

/** Whether a reset link still works (for showing the form or saying it has expired). */
export async function resetLinkIsUsable(token: string): Promise<boolean> {
  return Boolean(
    await PasswordReset.exists({ tokenHash: secretHash(String(token)), usedAt: null, expiresAt: { $gt: new Date() } }),
  );
}

/**
 * Sets a new password through a reset link. The link is spent atomically (a second use, even at the same moment,
 * finds it used), every other link of the account too, and the account's sessions end (but `keepSession`).
 */
export async function resetPassword(raw: unknown, keepSession?: string): Promise<void> {
  const input = check(resetPasswordInput, raw);
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  const link = await PasswordReset.findOneAndUpdate(
    { tokenHash: secretHash(input.token), usedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now } },
    { returnDocument: 'after' },
  ).lean<{ userId: Types.ObjectId }>();
  if (!link) throw AppError.validation({ token: { key: 'accounts.reset_invalid' } });
  const user = await User.findOneAndUpdate(
    { _id: link.userId, disabled: false },
    { $set: { passwordHash } },
  ).lean<UserDoc>();
  if (!user) throw AppError.validation({ token: { key: 'accounts.reset_invalid' } });
  await PasswordReset.updateMany({ userId: link.userId, usedAt: null }, { $set: { usedAt: now } });
  await endAllSessions(String(user._id), keepSession);
  await recordAudit(null, 'user.reset_used', user.email, { userId: String(user._id) });
}

export const accountColumns: Record<string, string[]> = {
  email: ['email', 'e-mail', 'surel'],
  name: ['name', 'nama'],
  role: ['role', 'peran'],
  unitCode: ['unitcode', 'unit code', 'kode unit', 'unit'],
  officerNip: ['officernip', 'officer nip', 'nip'],
};

/**
 * Accounts from a spreadsheet (email, name, role, unitCode, officerNip); each line is checked on its own. A new account
 * gets no password: its person is mailed a reset link to set one. A known e-mail in scope gains the line's grant,
 * name and officer link.
 */
export async function importUsers(actor: Actor, csv: string, publicUrl: string): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, rejected: [] };
  const parsed = readCsv(csv, accountColumns, ['email', 'name', 'role']);
  if (!parsed.ok) throw AppError.validation({ file: parsed.problem });
  const seen = new Map<string, number>();
  for (const row of parsed.rows) {
    try {
      const input = check(importUserInput, row.values) as {
        email: string;
        name: string;
        role: Role;
        unitCode?: string | null;
        officerNip?: string | null;
      };
      const earlier = seen.get(input.email);
      if (earlier) throw AppError.validation({ email: { key: 'import.duplicate_in_file', params: { line: earlier } } });
      seen.set(input.email, row.line);
      const existing = await User.findOne({ email: input.email }).lean<UserDoc>();
      if (existing) {
        const grants = grantsSummary(existing.grants);
        if (!grants.some((grant) => grant.role === input.role && (grant.unitCode ?? '') === (input.unitCode || '')))
          grants.push({ role: input.role, unitCode: input.unitCode || null });
        await updateUser(actor, String(existing._id), {
          name: input.name,
          grants,
          ...(input.officerNip ? { officerNip: input.officerNip } : {}),
        });
        report.updated++;
      } else {
        const unusable = await hashPassword(randomBytes(32).toString('hex'));
        const created = await createUser(actor, input, { passwordHash: unusable });
        await sendResetLink(
          { _id: new mongoose.Types.ObjectId(created.id), email: created.email, name: created.name, lang: 'id' },
          actor,
          publicUrl,
        );
        report.created++;
      }
    } catch (error) {
      report.rejected.push({ line: row.line, problem: firstProblem(error) });
    }
  }
  await recordAudit(actor, 'user.import', null, {
    created: report.created,
    updated: report.updated,
    rejected: report.rejected.length,
  });
  return report;
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
  const unitIds = scope === 'all' ? [] : await unitIdsUnder(scope);
  const filter = scope === 'all' ? {} : { 'grants.unitId': { $in: unitIds } };
  const users = await User.find(filter).sort({ email: 1 }).limit(1000).lean<UserDoc[]>();
  return users.map((user) => ({ ...toActor(user), lastLoginAt: user.lastLoginAt, disabled: user.disabled }));
}

/**
 * The active accounts holding `role` on exactly this unit (its heads, for escalations and digests). With
 * `digest: true`, only those who still want the morning digest (an account from before the choice existed does).
 */
export async function usersWithRoleOn(role: Role, unitId: string | Types.ObjectId, options: { digest?: boolean } = {}) {
  const users = await User.find({
    disabled: false,
    grants: { $elemMatch: { role, unitId } },
    ...(options.digest ? { digest: { $ne: false } } : {}),
  })
    .sort({ email: 1 })
    .select({ email: 1, name: 1, lang: 1 })
    .lean<Pick<UserDoc, '_id' | 'email' | 'name' | 'lang'>[]>();
  return users.map((user) => ({ id: String(user._id), email: user.email, name: user.name, lang: user.lang }));
}

/** The active accounts linked to these officers (by NIP): the people a ticket names, for the conflict rules. */
export async function accountsOfOfficers(nips: readonly string[]): Promise<Actor[]> {
  if (nips.length === 0) return [];
  const users = await User.find({ disabled: false, officerNip: { $in: [...nips] } }).lean<UserDoc[]>();
  return users.map(toActor);
}
