import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { clock } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import { logger } from '../../platform/logger.js';
import { check } from '../../platform/validate.js';
import { findUnitByCode, unitIdsUnder, unitPathsOf } from '../directory/index.js';
import { ApiToken, tokenLookups, User, type ApiTokenDoc, type UserDoc } from './model.js';
import { recordAudit } from '../../platform/audit-log.js';
import { type Actor, type Role, scopeOf } from '../../platform/access.js';
import { createTokenInput } from './schemas.js';
import { actorForUserId, managedUser, secretHash } from './actors.js';

/**
 * API tokens: a secret shown once, grants of its owner's or narrower ones, an expiry; only the secret's hash is kept.
 */

type Grant = Actor['grants'][number];

/** Whether a grant of the owner's covers a token's grant: the same role, on the same unit or one above it. */
const covers = (own: Grant, grant: { role: Role; unitId: string | null; unitPath: readonly string[] }) =>
  own.role === grant.role && (own.unitId === null || grant.unitPath.includes(own.unitId));

/** A token's grants as stored: the list, or the one grant of a token made before tokens carried several. */
const grantsOf = (token: ApiTokenDoc) => (token.grants?.length ? token.grants : token.grant ? [token.grant] : []);

/**
 * The actor behind an API token (`Authorization: Bearer …`), or undefined: acting with the token's grants only, and
 * only while the token is unexpired, unrevoked, and its owner is active and still holds grants that cover them all.
 */
export async function actorForApiToken(secret: string): Promise<Actor | undefined> {
  const hash = secretHash(secret);
  const token = await tokenLookups.get(hash, async () => {
    const found = await ApiToken.findOne({ tokenHash: hash, revokedAt: null }).lean<ApiTokenDoc>();
    const stored = found ? grantsOf(found) : [];
    if (!found || stored.length === 0 || !found.expiresAt) return null;
    const paths = await unitPathsOf(stored.flatMap((grant) => (grant.unitId ? [grant.unitId] : [])));
    return {
      id: String(found._id),
      userId: String(found.userId),
      grants: stored.map(({ role, unitId, unitCode }) => ({
        role: role as Role,
        unitId: unitId ? String(unitId) : null,
        unitCode: unitCode ?? null,
        unitPath: unitId ? (paths.get(String(unitId)) ?? []) : [],
      })),
      expiresAt: found.expiresAt,
    };
  });
  // Checked on every use, not when kept: an expired token is refused the moment it expires.
  if (!token || token.expiresAt.getTime() <= clock.now()) return undefined;
  const owner = await actorForUserId(token.userId);
  if (!owner || !token.grants.every((grant) => owner.grants.some((own) => covers(own, grant)))) return undefined;
  noteTokenUse(token.id);
  return { ...owner, grants: token.grants.map(({ role, unitId, unitCode }) => ({ role, unitId, unitCode })) };
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
    role: grantsOf(token)[0]?.role ?? null,
    unitCode: grantsOf(token)[0]?.unitCode ?? null,
    grants: grantsOf(token).map((grant) => ({ role: grant.role, unitCode: grant.unitCode ?? null })),
    expiresAt: token.expiresAt ?? null,
    expired: !token.expiresAt || token.expiresAt <= new Date(),
    lastUsedAt: token.lastUsedAt ?? null,
    revokedAt: token.revokedAt ?? null,
    createdAt: (token as { createdAt?: Date }).createdAt ?? null,
  };
}
export type TokenView = ReturnType<typeof tokenView>;

/**
 * The grants a new token carries: the roles asked for (each one the creator holds), on the unit asked for (which must
 * lie in the subtree of the creator's grant of that role) or else on the creator's own grant's unit. Never wider:
 * a role not held or a unit outside the creator's grant is refused as a field error.
 */
async function narrowedGrants(mintable: Grant[], input: { role?: Role; roles?: Role[]; unitCode?: string | null }) {
  const wanted = input.roles ?? (input.role ? [input.role] : mintable.length === 1 ? [mintable[0]!.role] : []);
  if (wanted.length === 0) throw AppError.validation({ role: { key: 'accounts.token_grant' } });
  const unit = input.unitCode ? await findUnitByCode(input.unitCode) : null;
  if (input.unitCode && !unit) throw AppError.validation({ unitCode: { key: 'accounts.token_unknown_unit' } });
  const unitPath = unit ? unit.path.map(String) : [];
  return wanted.map((role): Grant => {
    const held = mintable.filter((grant) => grant.role === role);
    if (held.length === 0) throw AppError.validation({ role: { key: 'accounts.token_wider_role' } });
    if (!unit) {
      if (held.length > 1) throw AppError.validation({ unitCode: { key: 'accounts.token_grant' } });
      return { ...held[0]! };
    }
    if (!held.some((grant) => covers(grant, { role, unitId: String(unit._id), unitPath })))
      throw AppError.validation({ unitCode: { key: 'accounts.token_wider_unit' } });
    return { role, unitId: String(unit._id), unitCode: unit.code };
  });
}

/**
 * Creates an API token for the actor itself, carrying the actor's own grants or narrower ones (fewer roles, a unit
 * lower in the tree), for at most a year. The secret is returned once and never stored. Officers have no
 * integrations to run and cannot mint one; nor can a token.
 */
export async function createApiToken(
  actor: Actor,
  raw: unknown,
  options: { viaToken?: boolean } = {},
): Promise<{ token: string; prefix: string } & TokenView> {
  if (options.viaToken) throw new AppError('forbidden');
  const input = check<{ name: string; role?: Role; roles?: Role[]; unitCode?: string | null; expiresInDays: number }>(
    createTokenInput,
    raw,
  );
  const mintable = actor.grants.filter((grant) => grant.role !== 'officer');
  if (mintable.length === 0) throw new AppError('forbidden', 'accounts.token_officer');
  const grants = await narrowedGrants(mintable, input);
  const token = `suara_${randomBytes(24).toString('base64url')}`;
  const prefix = token.slice(0, 12);
  const created = await ApiToken.create({
    userId: actor.id,
    name: input.name,
    tokenHash: secretHash(token),
    prefix,
    grant: grants[0],
    grants,
    expiresAt: new Date(Date.now() + input.expiresInDays * DAY_MS),
    createdBy: actor.id,
  });
  const view = tokenView(created.toObject() as ApiTokenDoc);
  await recordAudit(actor, 'token.create', prefix, {
    after: { name: view.name, grants: view.grants, expiresAt: view.expiresAt },
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
  const filter =
    scope === 'all' ? {} : { $or: [{ 'grant.unitId': { $in: units } }, { 'grants.unitId': { $in: units } }] };
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
