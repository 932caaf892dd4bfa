import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { eachBySlices, readBySlices } from '../../src/platform/slices.js';
import { useTestDatabase } from '../helpers/db.js';

describe('Reading a large collection a slice at a time (the rebuilds)', () => {
  useTestDatabase();
  const units = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
  const unlisted = new Types.ObjectId();
  const collection = () => mongoose.connection.db!.collection('slice_specs');
  let expected: string[];

  before(async () => {
    await collection().createIndex({ unitId: 1, kind: 1 });
    const docs: { _id: Types.ObjectId; unitId: Types.ObjectId; kind: string; n: number }[] = [];
    // Interleaved on purpose: neither insertion order nor unit order is the order read.
    for (let n = 0; n < 30; n++)
      docs.push({ _id: new Types.ObjectId(), unitId: units[n % 3], kind: n % 2 ? 'a' : 'b', n });
    docs.push({ _id: new Types.ObjectId(), unitId: unlisted, kind: 'a', n: 99 });
    await collection().insertMany(docs.reverse());
    const order = [...units].sort((a, b) => (String(a) < String(b) ? -1 : 1));
    expected = order.flatMap((unit) =>
      docs
        .filter((doc) => String(doc.unitId) === String(unit))
        .map((doc) => String(doc._id))
        .sort(),
    );
  });

  const read = async (from?: { slice: string; skip: number }) => {
    const ids: string[] = [];
    for await (const { docs } of readBySlices(collection() as never, 'unitId', [...units, units[0]!], { from }))
      ids.push(...docs.map((doc) => String(doc._id)));
    return ids;
  };

  it('reads every document of the listed key values once, unit by unit in _id order, and none of the others', async () => {
    expect(await read()).to.deep.equal(expected);
  });

  it('continues from a saved position exactly after what was read, in the middle of a slice or at its end', async () => {
    const slices = [];
    for await (const slice of readBySlices(collection() as never, 'unitId', units)) slices.push(slice);
    expect(slices.map((slice) => slice.docs.length)).to.deep.equal([10, 10, 10]);
    const middle = { slice: slices[1]!.slice, skip: 4 };
    expect(await read(middle)).to.deep.equal(expected.slice(14));
    expect(await read({ slice: slices[1]!.slice, skip: 10 })).to.deep.equal(expected.slice(20));
    expect(await read({ slice: slices[2]!.slice, skip: 10 })).to.deep.equal([]);
  });

  it('keeps what the caller keeps, with the projection asked for, and answers each slice from the index', async () => {
    const docs = [];
    for await (const doc of eachBySlices<{ _id: Types.ObjectId; n?: number; kind?: string }>(
      collection() as never,
      'unitId',
      units,
      { projection: { kind: 1 }, keep: (doc) => doc.kind === 'a' },
    ))
      docs.push(doc);
    expect(docs).to.have.length(15);
    expect(docs.every((doc) => doc.kind === 'a' && doc.n === undefined)).to.equal(true);
    const plan = JSON.stringify(await collection().find({ unitId: units[0], kind: 'a' }).explain());
    expect(plan).to.include('IXSCAN');
  });
});
