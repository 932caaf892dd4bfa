import type { ClientSession } from 'mongoose';
import { isTransient, writeWithEvents } from './event-log.js';

/**
 * Inserts into one collection with group commit: a document added while no insert is in flight is written at once;
 * those added while one is in flight wait for it and go together in the next insert (up to `maxBatch`). Each
 * caller's promise settles when the insert holding its document is acknowledged, so a caller that awaits it knows
 * its document is durable, as with its own insert — but twenty concurrent callers cost one or two commits instead of
 * twenty (on SecantusDB a durable commit is most of an insert's cost: 20 single inserts take about four times as long
 * as one insert of 20).
 *
 * When an insert fails (the database is down, a document breaks a unique index), every caller in that batch gets the
 * error, although an ordered insert may have written the documents before the failing one: a caller is never told
 * "written" for a document that is not. The next batch is tried afresh; nothing is retried behind the caller's back.
 */
export class GroupedInserts<T> {
  private waiting: { doc: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly insert: (docs: T[]) => Promise<unknown>,
    private readonly maxBatch = 500,
  ) {}

  add(doc: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ doc, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        await this.insert(batch.map((entry) => entry.doc));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.writing = false;
  }
}

/**
 * Group commit for writes that need a transaction each (a document and the record of its event): items added while a
 * transaction is in flight wait for it and are then written together in the next one, up to `maxBatch`. The
 * transaction is all or nothing, so each caller learns exactly whether its item is stored, as with a transaction of
 * its own.
 *
 * An item can spoil a batch for the others (a duplicate key, a document that fails validation): when a batch of
 * several fails with anything but a transient error, each of its items is tried again in a transaction of its own,
 * so only the culprit gets the error. A transient error (the database away after the driver's own retries) reaches
 * every caller of the batch; nothing of it was written.
 */
export class GroupedTransactions<T> {
  private waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: T[], session: ClientSession) => Promise<unknown>,
    private readonly maxBatch = 50,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        await writeWithEvents((session) =>
          this.write(
            batch.map((entry) => entry.item),
            session,
          ),
        );
        for (const entry of batch) entry.resolve();
      } catch (error) {
        if (batch.length === 1 || isTransient(error)) for (const entry of batch) entry.reject(error);
        else
          for (const entry of batch)
            await writeWithEvents((session) => this.write([entry.item], session)).then(entry.resolve, entry.reject);
      }
    }
    this.writing = false;
  }
}
