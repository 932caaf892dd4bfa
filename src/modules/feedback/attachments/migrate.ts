import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Ticket } from '../model.js';
import type { AttachmentType } from './kinds.js';
import { attachmentStore, LEGACY_STORED_NAME, putChecked } from './storage.js';
import { hashStored, type AttachmentStore } from './store.js';

/**
 * The one-off move of attachment files from DATA_DIR/attachments (where earlier versions kept them) into the
 * configured store (`npm run attachments:migrate`, docs/operations.md#attachments).
 *
 * For each file a ticket names on disk: copy it into the store under a key derived from the ticket and the
 * attachment (so a second run writes the same key, never a second copy), check the copy's SHA-256 and length against
 * what the ticket recorded at upload, by reading it back from the store, delete the file on disk, and only then point
 * the ticket at the key. Cut short anywhere, a run leaves either the disk file (copied again next time, over its old
 * copy) or a verified copy whose disk file is gone (found by its key and checked again next time); a second run
 * after a complete one changes nothing. Files on disk that no ticket names are counted and left where they are.
 */

export interface MigrationCounts {
  /** Copied, verified, removed from disk and pointed at. */
  moved: number;
  /** Found already copied by a run that was cut short, verified, and pointed at. */
  resumed: number;
  /** The file on disk does not match the SHA-256 the ticket recorded: left on disk, the ticket unchanged. */
  mismatched: number;
  /** Named by a ticket, but neither on disk nor in the store. */
  missing: number;
  /** On disk, but named by no ticket (a retention run before the migration, a crash of an earlier version). */
  unreferenced: number;
}

/** The key a migrated file gets: the same on every run for the same attachment of the same ticket. */
export const migratedKey = (ticketId: string, attachmentId: string) =>
  createHash('sha256').update(`attachment:${ticketId}:${attachmentId}`).digest('base64url').slice(0, 32);

interface LegacyAttachment {
  id: string;
  storedName: string;
  size: number;
  sha256: string;
  type: AttachmentType;
}

const exists = (file: string) =>
  stat(file).then(
    (info) => info.isFile(),
    () => false,
  );

/** Reads the copy back from the store: true when it has the length and SHA-256 the ticket recorded. */
async function verified(store: AttachmentStore, key: string, attachment: LegacyAttachment): Promise<boolean> {
  const opened = await store.open(key);
  if (!opened) return false;
  const read = await hashStored(opened.stream);
  return read.sha256 === attachment.sha256 && read.size === attachment.size;
}

export async function migrateDiskAttachments(options: {
  dataDir: string;
  store?: AttachmentStore;
  progress?: (line: string) => void;
}): Promise<MigrationCounts> {
  const store = options.store ?? attachmentStore();
  const say = options.progress ?? (() => undefined);
  const root = path.join(options.dataDir, 'attachments');
  const counts: MigrationCounts = { moved: 0, resumed: 0, mismatched: 0, missing: 0, unreferenced: 0 };
  const named = new Set<string>();
  const tickets = Ticket.find({ 'attachments.storedName': { $regex: '^[0-9]{4}/[0-9]{2}/' } })
    .select({ code: 1, attachments: 1 })
    .lean<{ _id: unknown; code: string; attachments: LegacyAttachment[] }[]>()
    .cursor();
  let done = 0;
  for await (const ticket of tickets) {
    for (const attachment of ticket.attachments) {
      if (!LEGACY_STORED_NAME.test(attachment.storedName)) continue;
      named.add(attachment.storedName);
      const key = migratedKey(String(ticket._id), attachment.id);
      const file = path.join(root, ...attachment.storedName.split('/'));
      if (await exists(file)) {
        await store.delete(key); // a copy left by a run cut short before its disk file went: written again
        const copied = await putChecked(key, createReadStream(file), {
          type: attachment.type,
          sha256: attachment.sha256,
          store,
        }).catch((error: Error) => {
          if (!/differs from the file sent/.test(error.message)) throw error;
          return null;
        });
        if (!copied || !(await verified(store, key, attachment))) {
          await store.delete(key);
          counts.mismatched++;
          say(`! ${ticket.code}: ${attachment.storedName} does not match its recorded SHA-256; left on disk.`);
          continue;
        }
        await unlink(file);
        counts.moved++;
      } else if (await verified(store, key, attachment)) {
        counts.resumed++;
      } else {
        counts.missing++;
        say(`! ${ticket.code}: ${attachment.storedName} is neither on disk nor in the store.`);
        continue;
      }
      await Ticket.updateOne(
        { _id: ticket._id, attachments: { $elemMatch: { id: attachment.id, storedName: attachment.storedName } } },
        { $set: { 'attachments.$.storedName': key } },
      );
      if (++done % 50 === 0) say(`Moved ${done.toLocaleString('en-US')} files…`);
    }
  }
  counts.unreferenced = (await filesOnDisk(root)).filter((name) => !named.has(name)).length;
  return counts;
}

/** The `<yyyy>/<mm>/<random>` files (and temporaries) left under the attachments folder. */
async function filesOnDisk(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}
