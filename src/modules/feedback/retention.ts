import { Ticket } from './model.js';
import { closedStatuses } from './statuses.js';
import { logger } from '../../platform/logger.js';
import { deleteAttachment, LEGACY_STORED_NAME } from './attachments/storage.js';

/**
 * What the retention job (settings module) asks of feedback: forgetting personal data of tickets that ended before a
 * cutoff (docs/privacy.md#retention). Only ended tickets: an open one may still need to reach the citizen. Each
 * call changes only what is still there, so running it twice removes nothing the second time.
 */

/** Ended before `before`: closed, rejected or merged; those without a closing time by their last change. */
const endedBefore = (before: Date, agencyCode: string) => ({
  agencyCode,
  status: { $in: closedStatuses },
  $or: [{ closedAt: { $lt: before } }, { closedAt: null, updatedAt: { $lt: before } }],
});

const CONTACT_FIELDS = [
  'reporter.name',
  'reporter.email',
  'reporter.phone',
  'reporter.emailHash',
  'reporter.phoneHash',
  'evidence.ipHash',
  'evidence.deviceHash',
] as const;

/** Removes the sealed contact data, its look-up hashes and the abuse evidence; returns how many tickets lost some. */
export async function purgeContactData(before: Date, agencyCode: string): Promise<number> {
  const result = await Ticket.updateMany(
    {
      ...endedBefore(before, agencyCode),
      $and: [{ $or: CONTACT_FIELDS.map((field) => ({ [field]: { $ne: null } })) }],
    },
    { $set: Object.fromEntries(CONTACT_FIELDS.map((field) => [field, null])) },
  );
  return result.modifiedCount;
}

/**
 * Deletes the attachment files from the store, then their records; returns how many files. A file is deleted before
 * its record, so a run cut short leaves records whose file is gone (the next run finishes them), never a file nobody
 * points at. A ticket still naming a file on disk (not yet moved by `npm run attachments:migrate`) is left for a run
 * after the migration, which would otherwise find that file unreferenced.
 */
export async function purgeAttachments(before: Date, agencyCode: string): Promise<number> {
  const tickets = await Ticket.find({ ...endedBefore(before, agencyCode), 'attachments.0': { $exists: true } })
    .select({ attachments: 1 })
    .lean<{ _id: unknown; attachments: { storedName: string }[] }[]>();
  let files = 0;
  let waiting = 0;
  for (const ticket of tickets) {
    if (ticket.attachments.some((attachment) => LEGACY_STORED_NAME.test(attachment.storedName))) {
      waiting++;
      continue;
    }
    for (const attachment of ticket.attachments) await deleteAttachment(attachment.storedName);
    await Ticket.updateOne({ _id: ticket._id }, { $set: { attachments: [] } });
    files += ticket.attachments.length;
  }
  if (waiting > 0)
    logger.warn({ tickets: waiting }, 'retention: attachments still on disk wait for `npm run attachments:migrate`');
  return files;
}
