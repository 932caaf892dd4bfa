import type { Types } from 'mongoose';
import { seal, unseal } from '../../platform/crypto.js';
import { Ticket } from './model.js';
import { scrubPersonalData } from './text.js';

/**
 * The citizen's own free text is personal data (UU 27/2022): a ticket keeps the original sealed at rest beside a
 * copy scrubbed of phone numbers, e-mail addresses and NIKs, and every view reads the scrubbed copy. Only the
 * citizen (with the access token) and a verifier see the original, through the two readers below.
 */

/** What a ticket stores of one piece of the citizen's text: the scrubbed copy and the sealed original. */
export function sealCitizenText(original: string): { scrubbed: string; sealed: string } {
  return { scrubbed: scrubPersonalData(original), sealed: seal(original) };
}

/** The description as the citizen wrote it; a ticket filed before sealing keeps only its description. */
export function originalDescription(ticket: { description: string; descriptionSealed?: string | null }): string {
  return ticket.descriptionSealed ? unseal(ticket.descriptionSealed) : ticket.description;
}

/** A history entry's body as the citizen wrote it (reply, reopening, rating comment); staff entries are as stored. */
export function originalBody(entry: { body?: string | null; bodySealed?: string | null }): string | null {
  return entry.bodySealed ? unseal(entry.bodySealed) : (entry.body ?? null);
}

// ---------------------------------------------------------------------------------------------------------------
// Sealing tickets filed before their text was sealed (`npm run tickets:seal`)

interface UnsealedTicket {
  _id: Types.ObjectId;
  description: string;
  history?: { actor?: { kind?: string }; body?: string | null; bodySealed?: string | null }[];
  rating?: { comment?: string | null; commentSealed?: string | null } | null;
}

export interface SealProgress {
  sealed: number;
  total: number;
}

/**
 * Seals the description, the citizen's history bodies and the rating comment of every ticket without a sealed
 * description, in batches by `_id`. Each update is conditional on the ticket still being unsealed, so running it
 * twice, or beside a running Suara, seals each text once. History is append-only, so entry positions stay valid.
 */
export async function sealUnsealedTickets(
  options: { batchSize?: number; progress?: (done: SealProgress) => void } = {},
): Promise<SealProgress> {
  const batchSize = options.batchSize ?? 500;
  const unsealed = { descriptionSealed: null };
  const total = await Ticket.countDocuments(unsealed);
  let sealed = 0;
  let after: Types.ObjectId | undefined;
  for (;;) {
    const batch = await Ticket.find(after ? { ...unsealed, _id: { $gt: after } } : unsealed)
      .sort({ _id: 1 })
      .limit(batchSize)
      .select({ description: 1, history: 1, rating: 1 })
      .lean<UnsealedTicket[]>();
    if (batch.length === 0) break;
    after = batch.at(-1)!._id;
    const result = await Ticket.bulkWrite(
      batch.map((ticket) => ({
        updateOne: { filter: { _id: ticket._id, ...unsealed }, update: { $set: sealedFields(ticket) } },
      })),
      { ordered: false },
    );
    sealed += result.modifiedCount;
    options.progress?.({ sealed, total });
  }
  return { sealed, total };
}

function sealedFields(ticket: UnsealedTicket): Record<string, string> {
  const description = sealCitizenText(ticket.description);
  const set: Record<string, string> = { description: description.scrubbed, descriptionSealed: description.sealed };
  (ticket.history ?? []).forEach((entry, index) => {
    if (entry.actor?.kind !== 'citizen' || !entry.body || entry.bodySealed) return;
    const body = sealCitizenText(entry.body);
    set[`history.${index}.body`] = body.scrubbed;
    set[`history.${index}.bodySealed`] = body.sealed;
  });
  if (ticket.rating?.comment && !ticket.rating.commentSealed) {
    const comment = sealCitizenText(ticket.rating.comment);
    set['rating.comment'] = comment.scrubbed;
    set['rating.commentSealed'] = comment.sealed;
  }
  return set;
}
