import { randomBytes } from 'node:crypto';
import { type Types } from 'mongoose';
import { lookupHash } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import type { Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import { unitPathsOf } from '../directory/index.js';
import { queueMail } from '../notifications/index.js';
import { PasswordReset, User, type UserDoc } from './model.js';
import { recordAudit } from '../../platform/audit-log.js';
import { type Actor } from '../../platform/access.js';
import { forgotPasswordInput, resetPasswordInput } from './schemas.js';
import { endAllSessions, hashPassword, managedUser, secretHash } from './actors.js';

/** Password resets: a single-use link by e-mail (only its hash is kept) that ends every session once used. */

const DAY_MS = 24 * 3600 * 1000;

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
export async function sendResetLink(
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
