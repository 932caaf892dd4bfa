import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import argon2 from 'argon2';
import { type Types } from 'mongoose';
import { lookupHash } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import { addressKey } from '../../platform/security.js';
import { check } from '../../platform/validate.js';
import { findOfficer, findUnitByCode, type OfficerDoc, type UnitDoc, unitIdsUnder } from '../directory/index.js';
import { LoginFailure, User, type UserDoc } from './model.js';
import { recordAudit } from '../../platform/audit-log.js';
import { type Action, type Actor, assertCan, can, hasAnyRole, type Role, scopeOf } from '../../platform/access.js';
import { createUserInput, digestInput, importUserInput, loginInput, updateUserInput } from './schemas.js';
import { endAllSessions, grantsSummary, hashPassword, managedUser, toActor } from './actors.js';
import { listApiTokens } from './tokens.js';

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

// Verified against when the e-mail is unknown, so that the answer takes as long as for a real account.
let decoyHash: Promise<string> | undefined;

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
