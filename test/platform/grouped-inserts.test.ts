import { expect } from 'chai';
import mongoose from 'mongoose';
import { GroupedInserts, GroupedTransactions } from '../../src/platform/grouped-inserts.js';
import { AuditEntry, recordAudit } from '../../src/platform/audit-log.js';
import { useTestDatabase } from '../helpers/db.js';

describe('Grouped inserts (group commit for the audit log)', () => {
  useTestDatabase();

  /** Inserts into a real collection, counting the insert commands sent. */
  function counting(name: string) {
    const collection = mongoose.connection.db!.collection(name);
    const calls: number[] = [];
    const inserts = new GroupedInserts<Record<string, unknown>>(async (docs) => {
      calls.push(docs.length);
      await collection.insertMany(docs, { ordered: true });
    });
    return { collection, calls, inserts };
  }

  it('writes a lone document at once, and groups those that arrive while an insert is in flight', async () => {
    const { collection, calls, inserts } = counting('grouped_a');
    await inserts.add({ n: 0 });
    expect(calls).to.deep.equal([1]);
    expect(await collection.countDocuments()).to.equal(1);

    await Promise.all(Array.from({ length: 20 }, (_, n) => inserts.add({ n: n + 1 })));
    // The first goes alone; the other 19 waited for it and went together.
    expect(calls).to.deep.equal([1, 1, 19]);
    const stored = await collection.find().sort({ n: 1 }).toArray();
    expect(stored.map((doc) => doc.n)).to.deep.equal(Array.from({ length: 21 }, (_, n) => n));
  });

  it('resolves a caller only once its own document is stored', async () => {
    const { collection, inserts } = counting('grouped_b');
    const seen = await Promise.all(
      Array.from({ length: 5 }, (_, n) => inserts.add({ n }).then(() => collection.countDocuments({ n }))),
    );
    expect(seen).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it('fails every caller of a batch the database refused, and writes the next batch', async () => {
    const { collection, inserts } = counting('grouped_c');
    await collection.createIndex({ key: 1 }, { unique: true });
    await inserts.add({ key: 'taken' });
    const outcomes = await Promise.allSettled([
      inserts.add({ key: 'first' }),
      inserts.add({ key: 'second' }),
      inserts.add({ key: 'taken' }), // breaks the unique index: its whole batch is refused
      inserts.add({ key: 'third' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).to.have.property('code', 11000);

    await inserts.add({ key: 'later' });
    expect(await collection.countDocuments({ key: 'later' })).to.equal(1);
  });

  it('logs each of twenty concurrent audited reads, each before its caller goes on', async () => {
    const actor = {
      id: String(new mongoose.Types.ObjectId()),
      email: 'pembina@suara.test',
      name: 'Pembina',
      officerNip: null,
      grants: [],
    };
    const before = await AuditEntry.countDocuments();
    const logged = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        recordAudit(actor, 'coaching.record.read', `1980010120050110${String(n).padStart(2, '0')}`, { n }).then(() =>
          AuditEntry.countDocuments({ 'details.n': n }),
        ),
      ),
    );
    expect(logged).to.deep.equal(Array(20).fill(1));
    expect(await AuditEntry.countDocuments()).to.equal(before + 20);
    const one = await AuditEntry.findOne({ 'details.n': 7 }).lean();
    expect(one).to.include({ action: 'coaching.record.read', target: '198001012005011007' });
    expect(String(one!.actorId)).to.equal(actor.id);
    expect(one!.at).to.be.instanceOf(Date);
  });
});

describe('Grouped transactions (group commit for a document and its event record)', () => {
  useTestDatabase();

  /** Each item is a document in `<name>_docs` and its record in `<name>_records`, written in one transaction. */
  function counting(name: string) {
    const docs = mongoose.connection.db!.collection(`${name}_docs`);
    const records = mongoose.connection.db!.collection(`${name}_records`);
    const batches: number[] = [];
    const writes = new GroupedTransactions<{ key: string }>(async (items, session) => {
      batches.push(items.length);
      await docs.insertMany(
        items.map((item) => ({ key: item.key })),
        { session },
      );
      await records.insertMany(
        items.map((item) => ({ of: item.key })),
        { session },
      );
    });
    return { docs, records, batches, writes };
  }

  it('commits the items that arrive while a transaction is in flight together, each with its record', async () => {
    const { docs, records, batches, writes } = counting('together');
    await Promise.all(Array.from({ length: 12 }, (_, n) => writes.add({ key: `k${n}` })));
    expect(batches).to.deep.equal([1, 11]);
    expect(await docs.countDocuments()).to.equal(12);
    expect(await records.countDocuments()).to.equal(12);
  });

  it('fails only the item that spoils its batch: the others are written each in a transaction of its own', async () => {
    const { docs, records, batches, writes } = counting('spoilt');
    await docs.createIndex({ key: 1 }, { unique: true });
    await writes.add({ key: 'taken' });
    const outcomes = await Promise.allSettled([
      writes.add({ key: 'first' }),
      writes.add({ key: 'second' }),
      writes.add({ key: 'taken' }),
      writes.add({ key: 'third' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).to.have.property('code', 11000);
    // The refused batch of three wrote nothing; its items went again one by one.
    expect(batches).to.deep.equal([1, 1, 3, 1, 1, 1]);
    expect(await docs.countDocuments()).to.equal(4);
    // No record without its document, and none twice.
    expect((await records.find().toArray()).map((record) => record.of).sort()).to.deep.equal([
      'first',
      'second',
      'taken',
      'third',
    ]);
  });
});
