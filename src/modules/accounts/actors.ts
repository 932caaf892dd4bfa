import { createHash } from 'node:crypto';
import argon2 from 'argon2';
import mongoose from 'mongoose';
import { AppError } from '../../platform/errors.js';
import { publish } from '../../platform/events.js';
import { endSessionsOf } from '../../platform/session.js';
import { unitPathsOf } from '../directory/index.js';
import { actorLookups, User, type UserDoc } from './model.js';
import { type Actor, can, type Role, scopeOf } from '../../platform/access.js';

/**
 * Accounts as actors: the shape every permission check reads, the account an admin may manage, password and
 * secret hashes, ending someone's sessions. The other account files build on these.
 */

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

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

/** The actor behind a session's user id, or undefined when the account is gone or disabled. */
export async function actorForUserId(userId: string): Promise<Actor | undefined> {
  if (!mongoose.isValidObjectId(userId)) return undefined;
  const actor = await actorLookups.get(String(userId), async () => {
    const user = await User.findById(userId).lean<UserDoc>();
    return user && !user.disabled ? toActor(user) : null;
  });
  return actor ?? undefined;
}

/**
 * An account the actor may manage: every grant it holds is in the actor's accounts scope (an account with a grant in
 * another agency belongs to that agency's admins too, and only a platform admin may change it).
 */
export async function managedUser(actor: Actor, userId: string): Promise<UserDoc> {
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

export const grantsSummary = (grants: UserDoc['grants']) =>
  grants.map((grant) => ({ role: grant.role, unitCode: grant.unitCode ?? null }));

/** Ends every session of the account (but `keep`) and tells whoever keeps live connections for it. */
export async function endAllSessions(userId: string, keep?: string): Promise<void> {
  await endSessionsOf(userId, keep);
  publish('user.sessions_ended', { userId, sessionId: null });
}

/** Only a hash of a secret (a token, a reset link) is kept: a copy of the database lets nobody in. */
export const secretHash = (secret: string) => createHash('sha256').update(secret).digest('hex');
