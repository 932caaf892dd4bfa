import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mongoose from 'mongoose';
import type { AttachmentType } from './kinds.js';

/**
 * Where the bytes of attachments live: one store per process, chosen from the configuration at start
 * (docs/operations.md#attachments). Either the database's own file store (GridFS: the collections
 * `attachments.files` and `attachments.chunks`, in whatever database the app uses) or an S3-compatible bucket
 * (s3-store.ts). Every process behind a load balancer reaches the same store, so a file uploaded through one is
 * served by any other. Bytes go in and out as streams: writing, a store holds one chunk (GridFS, 255 KB) or one part
 * (S3, 5 MB) of a file at a time; reading GridFS, four chunks (chunksOf).
 */
export interface AttachmentStore {
  /** 'database' (GridFS) or 's3', for logs and the migration's report. */
  readonly kind: 'database' | 's3';
  /**
   * Writes `source` under `key` and returns what was written. On any failure nothing stays under the key (a partial
   * upload is aborted and its pieces removed) and the error is thrown: a caller stores the key in a ticket only
   * after `put` resolved, so a ticket never points at half a file.
   */
  put(key: string, source: Readable, meta: { type: AttachmentType }): Promise<Written>;
  /** The stored bytes and their length, or null when nothing is stored under `key`. */
  open(key: string): Promise<{ stream: Readable; size: number } | null>;
  /** Removes the bytes under `key`; removing what is not there is not an error (retention may run twice). */
  delete(key: string): Promise<void>;
}

export interface Written {
  size: number;
  sha256: string;
}

/** A store key: 32 URL-safe characters, random for an upload, derived from the ticket for a migrated file. */
export const STORE_KEY = /^[A-Za-z0-9_-]{32}$/;
export const newStoreKey = () => randomBytes(24).toString('base64url');

/**
 * Counts and hashes the bytes that pass through, without holding them; with `sliceBytes`, passes them on in pieces of
 * at most that size (views, not copies).
 */
export class Tap extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  constructor(private readonly sliceBytes = Infinity) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    for (let at = 0; at < chunk.length; at += this.sliceBytes) this.push(chunk.subarray(at, at + this.sliceBytes));
    done();
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Reads a stored file to its end and returns its length and SHA-256 (the migration's check of a copy). */
export async function hashStored(stream: Readable): Promise<Written> {
  const tap = new Tap();
  await pipeline(stream, tap, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) void chunk;
  });
  return { size: tap.size, sha256: tap.digest() };
}

// ---------------------------------------------------------------------------------------------------------------
// GridFS

export const GRIDFS_BUCKET = 'attachments';
// Mongoose's own copy of the driver: its connection's `Db` belongs to that copy.
type Db = mongoose.mongo.Db;
const buckets = new WeakMap<Db, mongoose.mongo.GridFSBucket>();

/**
 * The database's own file store. `db` defaults to the app's connection at each call, so the store follows a
 * reconnect. The driver builds the two indexes GridFS needs (`files: {filename, uploadDate}` and the unique
 * `chunks: {files_id, n}`) before the first write into an empty bucket.
 */
export function gridFsStore(db?: Db): AttachmentStore {
  const database = () => {
    const found = db ?? mongoose.connection.db;
    if (!found) throw new Error('attachments: the database is not connected');
    return found;
  };
  const bucket = () => {
    let found = buckets.get(database());
    if (!found)
      buckets.set(database(), (found = new mongoose.mongo.GridFSBucket(database(), { bucketName: GRIDFS_BUCKET })));
    return found;
  };
  const id = (key: string) => key as never; // GridFS ids may be any value; ours are the key strings
  const removeChunks = (key: string) => database().collection(`${GRIDFS_BUCKET}.chunks`).deleteMany({ files_id: key });
  return {
    kind: 'database',
    async put(key, source, meta) {
      const upload = bucket().openUploadStreamWithId(id(key), key, { metadata: { type: meta.type } });
      // One chunk per write: given a larger piece, the driver copies all of its chunks and sends them at once.
      const tap = new Tap(upload.chunkSizeBytes);
      try {
        // The file's record is written after its last chunk: until then no reader sees it.
        await pipeline(source, tap, upload);
      } catch (error) {
        // The chunks written so far belong to no file: remove them, then report the failure.
        await upload.abort().catch(() => undefined);
        await removeChunks(key).catch(() => undefined);
        throw error;
      }
      return { size: tap.size, sha256: tap.digest() };
    },
    async open(key) {
      const file = await bucket()
        .find({ _id: id(key) }, { limit: 1 })
        .next();
      if (!file) return null;
      return {
        stream: Readable.from(chunksOf(database(), key, file.length), { objectMode: false }),
        size: file.length,
      };
    },
    async delete(key) {
      // The driver removes the record and then the chunks, and reports a missing record after removing its chunks.
      await bucket()
        .delete(id(key))
        .catch((error: Error) => {
          if (!/File not found/i.test(error.message)) throw error;
        });
    },
  };
}

/** Chunks fetched per round trip when reading: with 255 KB chunks, about 1 MB of a file in memory per download. */
const READ_BATCH = 4;

/**
 * A stored file's bytes, chunk by chunk in order, a few chunks per round trip. The driver's own download stream asks
 * for the default batch (up to 16 MB), which would hold a whole attachment in memory per download. A missing chunk
 * or a wrong length ends the stream with an error, never with a silently shorter file.
 */
async function* chunksOf(db: Db, key: string, length: number): AsyncGenerator<Buffer> {
  const chunks = db
    .collection<{ files_id: string; n: number; data: mongoose.mongo.Binary }>(`${GRIDFS_BUCKET}.chunks`)
    .find({ files_id: key }, { sort: { n: 1 }, batchSize: READ_BATCH, projection: { _id: 0, n: 1, data: 1 } });
  let expected = 0;
  let read = 0;
  try {
    for await (const chunk of chunks) {
      if (chunk.n !== expected++) throw new Error(`attachments: chunk ${expected - 1} of ${key} is missing`);
      const bytes = Buffer.from(chunk.data.buffer.buffer, chunk.data.buffer.byteOffset, chunk.data.buffer.byteLength);
      read += bytes.length;
      yield bytes;
    }
  } finally {
    await chunks.close();
  }
  if (read !== length) throw new Error(`attachments: ${key} has ${read} bytes of ${length}`);
}
