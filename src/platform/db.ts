import mongoose from 'mongoose';
import path from 'node:path';
import type { Config } from '../config.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-db.js';
import { logger } from './logger.js';

// Fail fast instead of queueing while disconnected: a request that needs the database gets a 503 at once
// (see requireDatabase) rather than hanging, and nothing is half-written.
mongoose.set('bufferCommands', false);
mongoose.set('strictQuery', true);
// Collections and indexes are made once the connection is up (ensureIndexes), not when a model is compiled.
mongoose.set('autoIndex', false);
mongoose.set('autoCreate', false);

export interface DatabaseHandle {
  uri: string;
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

/**
 * Opens the database: MONGODB_URI when set (it always wins), otherwise the embedded SecantusDB under
 * DATA_DIR/db. Mongoose reconnects by itself after a loss; readiness follows the connection state.
 */
export async function openDatabase(config: Config, progress?: (line: string) => void): Promise<DatabaseHandle> {
  let embedded: EmbeddedDatabase | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedDatabase({
      storagePath: path.join(config.dataDir, 'db'),
      python: config.secantusPython,
      cacheSize: config.embeddedDbCache,
      progress,
      onLog: (line) => logger.debug({ secantus: line }, 'embedded database'),
      onUnexpectedExit: (code, lastLines) =>
        logger.error({ code, lastLines: lastLines.slice(-5) }, 'the embedded database stopped unexpectedly'),
      onRestart: (event) =>
        event.state === 'gave-up'
          ? logger.fatal(event, 'the embedded database keeps failing; gave up restarting it (requests get 503)')
          : logger.warn(event, `embedded database restart ${event.state}`),
    });
    uri = `mongodb://127.0.0.1:${embedded.port}/suara?directConnection=true`;
    logger.info({ port: embedded.port, dataDir: config.dataDir }, 'embedded database started');
  }
  try {
    await connectMongoose(uri);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    uri,
    embedded,
    async close() {
      closing = true;
      await mongoose.disconnect();
      await embedded?.stop();
    },
  };
}

let listenersAttached = false;
let closing = false;

export async function connectMongoose(uri: string, dbName?: string): Promise<typeof mongoose> {
  if (!listenersAttached) {
    listenersAttached = true;
    mongoose.connection.on('disconnected', () => closing || logger.warn('database connection lost; reconnecting'));
    mongoose.connection.on('reconnected', () => logger.info('database connection restored'));
  }
  // monitorCommands: the driver reports each round trip, counted for /metrics (platform/metrics.ts).
  await mongoose.connect(uri, {
    dbName,
    serverSelectionTimeoutMS: 5000,
    heartbeatFrequencyMS: 2000,
    monitorCommands: true,
  });
  await ensureIndexes();
  return mongoose;
}

/** Creates every model's collection and indexes (idempotent; MongoDB skips what exists). */
export async function ensureIndexes(): Promise<void> {
  for (const name of mongoose.modelNames()) {
    const model = mongoose.model(name);
    await model.createCollection().catch((error: { codeName?: string }) => {
      if (error.codeName !== 'NamespaceExists') throw error;
    });
    await model.createIndexes();
  }
}

export function isDatabaseConnected(): boolean {
  return mongoose.connection.readyState === mongoose.ConnectionStates.connected;
}

/** True when the database answers a ping within the time given; used by /readyz. */
export async function pingDatabase(timeoutMs = 1500): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || !isDatabaseConnected()) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const ping = db
    .command({ ping: 1 }, { timeoutMS: timeoutMs })
    .then(() => true)
    .catch(() => false);
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `findOneAndUpdate` for the collections that grow with the data (tickets, findings, record items). SecantusDB's
 * findAndModify applies its write through a filter (`{_id, $and: [query]}`) that no index serves, so every call reads
 * the whole collection: 8 s and several GB a call at a million tickets. Here the document is found with `filter`
 * (which an index serves, as for any find), changed with an `updateOne` by its `_id`, and read back, all in one
 * transaction (the caller's `session` when it has one), so what comes back is exactly this write's before or after
 * and a concurrent writer makes the transaction start again. Mongoose casts and stamps `updatedAt` as it would.
 * Returns null when nothing matches (and `upsert` is not asked for).
 */
export async function updateAndRead<T>(
  model: Pick<typeof mongoose.Model, 'findOne' | 'updateOne'>,
  filter: Record<string, unknown>,
  update: Record<string, unknown>,
  options: {
    session?: mongoose.ClientSession;
    returnDocument?: 'before' | 'after';
    upsert?: boolean;
    projection?: Record<string, 0 | 1>;
  } = {},
): Promise<T | null> {
  const work = async (session: mongoose.ClientSession): Promise<T | null> => {
    const before = options.returnDocument === 'before';
    const found = await model
      .findOne(filter as never, before ? options.projection : { _id: 1 }, { session })
      .lean<{ _id: unknown } & T>();
    let id = found?._id;
    if (found) {
      // The condition again with the `_id` (served by it): in a transaction it still holds, unless this is retried.
      const changed = await model.updateOne({ ...filter, _id: id } as never, update as never, { session });
      if (changed.matchedCount === 0) return null;
    } else if (options.upsert)
      id = (await model.updateOne(filter as never, update as never, { session, upsert: true })).upsertedId;
    else return null;
    if (before) return (found as T | null) ?? null;
    return model.findOne({ _id: id } as never, options.projection, { session }).lean<T>();
  };
  if (options.session) return work(options.session);
  return mongoose.connection.transaction(work);
}
