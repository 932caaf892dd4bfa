import type { Collection, mongo, Types } from 'mongoose';

/** Where a read by slices stands: the slice (its key value as a string) and how many of its documents are read. */
export interface SlicePosition {
  slice: string;
  skip: number;
}

export interface Slice<T> {
  /** The key value of this slice, as a string. */
  slice: string;
  /** Its documents in `_id` order, from the position asked for. */
  docs: T[];
  /** How many documents of the slice come before `docs` (the `skip` it was read from). */
  offset: number;
}

/**
 * Reads a whole collection one slice at a time, a slice being the documents whose `field` equals one key value, for
 * the rebuilds that go through every ticket or survey answer. SecantusDB keeps a find's whole result in memory, as
 * decoded documents, until the cursor is drained (one cursor over a million tickets took 23 GB), and a query it
 * cannot answer from an index decodes the whole collection first; an equality on an indexed field reads only its
 * slice. `field` must lead an index (the units' ids lead one on tickets and on survey answers).
 *
 * Slices come in the order of their key values as strings and each slice in `_id` order, so the same data gives the
 * same sequence and `from` (a position saved by an earlier run) continues exactly after what that run read. The
 * documents whose key value is not in `values` are not read: a caller that must see them all compares counts.
 *
 * The query is the key's equality alone: with any other clause beside it SecantusDB may plan a collection scan (its
 * `explain` says it does), so the caller picks documents itself (`eachBySlices` takes a `keep`).
 */
export async function* readBySlices<T = mongo.Document>(
  collection: Collection,
  field: string,
  values: Types.ObjectId[],
  options: { projection?: mongo.Document; from?: SlicePosition | null } = {},
): AsyncGenerator<Slice<T>> {
  const keys = [...new Map(values.map((value) => [String(value), value])).entries()].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const from = options.from ?? null;
  for (const [slice, value] of keys) {
    if (from && slice < from.slice) continue;
    const offset = from && slice === from.slice ? from.skip : 0;
    const docs = await collection
      .find({ [field]: value }, { projection: options.projection, batchSize: 100_000 })
      .toArray();
    const order = new Map(docs.map((doc) => [doc, String(doc._id)]));
    docs.sort((a, b) => (order.get(a)! < order.get(b)! ? -1 : 1));
    if (docs.length > offset) yield { slice, docs: docs.slice(offset) as T[], offset };
  }
}

/** The documents `readBySlices` reads that `keep` keeps (the projection must include the fields it looks at), one at a time. */
export async function* eachBySlices<T = mongo.Document>(
  collection: Collection,
  field: string,
  values: Types.ObjectId[],
  options: { projection?: mongo.Document; keep?: (doc: T) => boolean } = {},
): AsyncGenerator<T> {
  for await (const { docs } of readBySlices<T>(collection, field, values, { projection: options.projection }))
    for (const doc of docs) if (!options.keep || options.keep(doc)) yield doc;
}
