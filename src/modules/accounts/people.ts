import type { Types } from 'mongoose';
import type { Lang } from '../../platform/i18n.js';
import { User } from './model.js';

/**
 * Accounts as other modules need them for the people they concern (docs/architecture.md, "Modules"): the accounts
 * linked to an officer, and where to write to someone. Read here, never through the model.
 */

/** Every account linked to the officer (by NIP), a disabled one too: the work they did stays theirs. */
export async function accountIdsOfOfficer(nip: string): Promise<Types.ObjectId[]> {
  const accounts = await User.find({ officerNip: nip }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  return accounts.map((account) => account._id);
}

export interface AccountContact {
  id: string;
  email: string;
  name: string;
  lang: Lang;
}

/** Where to write to an active account, by its id or by the officer it is linked to; null when there is none. */
export async function accountContact(
  by: { userId: string | Types.ObjectId } | { officerNip: string },
): Promise<AccountContact | null> {
  const filter = 'userId' in by ? { _id: by.userId } : { officerNip: by.officerNip };
  const user = await User.findOne({ ...filter, disabled: false })
    .select({ email: 1, name: 1, lang: 1 })
    .lean<{ _id: Types.ObjectId; email: string; name: string; lang?: string | null }>();
  return user ? { id: String(user._id), email: user.email, name: user.name, lang: (user.lang as Lang) ?? 'id' } : null;
}

/** Ids of the accounts whose e-mail is `text` or whose name contains it (the audit log's person search), at most 200. */
export async function accountIdsMatching(text: string): Promise<Types.ObjectId[]> {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const people = await User.find({ $or: [{ email: text.toLowerCase() }, { name: { $regex: escaped, $options: 'i' } }] })
    .select({ _id: 1 })
    .limit(200)
    .lean<{ _id: Types.ObjectId }[]>();
  return people.map((person) => person._id);
}

/** Name and e-mail of each account, by id (who did what in the audit log). */
export async function accountNames(ids: readonly string[]): Promise<Map<string, { name: string; email: string }>> {
  const people = await User.find({ _id: { $in: [...ids] } })
    .select({ name: 1, email: 1 })
    .lean<{ _id: Types.ObjectId; name: string; email: string }[]>();
  return new Map(people.map((person) => [String(person._id), { name: person.name, email: person.email }]));
}
