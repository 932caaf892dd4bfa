import { expect } from 'chai';
import mongoose, { Schema, Types } from 'mongoose';
import { updateAndRead } from '../../src/platform/db.js';
import { useTestDatabase } from '../helpers/db.js';

/** A conditional update that returns the document, as the ticket, finding and record-item writes use it. */
describe('updateAndRead: a conditional update that returns the document', () => {
  useTestDatabase();
  const Thing = mongoose.model(
    'UpdateAndReadThing',
    new Schema(
      { name: String, revision: Number, tags: [String] },
      { timestamps: true, collection: 'update_read_things' },
    ),
  );
  type ThingDoc = { _id: Types.ObjectId; name: string; revision: number; tags: string[]; updatedAt: Date };

  before(async () => {
    await Thing.createCollection();
  });

  it('applies the update only while the filter matches, and returns the document as this write left it', async () => {
    const thing = await Thing.create({ name: 'loket', revision: 1, tags: [] });
    const after = await updateAndRead<ThingDoc>(
      Thing,
      { _id: thing._id, revision: 1 },
      { $inc: { revision: 1 }, $push: { tags: 'verified' } },
    );
    expect(after).to.include({ name: 'loket', revision: 2 });
    expect(after!.tags).to.deep.equal(['verified']);
    expect(after!.updatedAt.getTime()).to.be.at.least(thing.updatedAt.getTime()); // Mongoose still stamps it
    // The same write again finds revision 2, not 1: nothing changes and null says so.
    expect(await updateAndRead(Thing, { _id: thing._id, revision: 1 }, { $inc: { revision: 1 } })).to.equal(null);
    expect((await Thing.findById(thing._id).lean())!.revision).to.equal(2);
  });

  it('returns the document before the write when asked, with the projection asked for', async () => {
    const thing = await Thing.create({ name: 'antrean', revision: 7, tags: ['a'] });
    const before = await updateAndRead<Partial<ThingDoc>>(
      Thing,
      { _id: thing._id },
      { $set: { revision: 8 } },
      { returnDocument: 'before', projection: { revision: 1 } },
    );
    expect(before!.revision).to.equal(7);
    expect(before!.name).to.equal(undefined);
    expect((await Thing.findById(thing._id).lean())!.revision).to.equal(8);
  });

  it('creates the document with upsert when none matches (before: null), and updates it the next time', async () => {
    const filter = { name: `baru-${new Types.ObjectId()}` };
    const first = await updateAndRead<ThingDoc>(Thing, filter, { $inc: { revision: 1 } }, { upsert: true });
    expect(first).to.include({ name: filter.name, revision: 1 });
    const before = await updateAndRead<ThingDoc>(
      Thing,
      filter,
      { $inc: { revision: 1 } },
      { upsert: true, returnDocument: 'before' },
    );
    expect(before!.revision).to.equal(1);
    expect(await Thing.countDocuments(filter)).to.equal(1);
    expect((await Thing.findOne(filter).lean())!.revision).to.equal(2);
  });

  it('lets exactly one of two racing writers with the same condition win', async () => {
    const thing = await Thing.create({ name: 'balapan', revision: 1, tags: [] });
    const race = () => updateAndRead<ThingDoc>(Thing, { _id: thing._id, revision: 1 }, { $inc: { revision: 1 } });
    const results = await Promise.all([race(), race(), race()]);
    expect(results.filter(Boolean)).to.have.length(1);
    expect((await Thing.findById(thing._id).lean())!.revision).to.equal(2);
  });
});
