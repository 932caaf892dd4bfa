import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import { connectMongoose, ensureIndexes } from '../../src/platform/db.js';
import { eventsSettled } from '../../src/platform/events.js';
import { SharedAnswers } from '../../src/platform/shared-answers.js';

/**
 * One database for the whole run: its collections and indexes (over forty) are built once, by the first file, and
 * each file then starts from emptied collections. Building them per file cost more than the emptying does.
 */
const RUN_DATABASE = `suara_test_${randomBytes(4).toString('hex')}`;
let indexesBuilt = false;

/** Gives the calling test file a clean database on the run's server: every collection empty, every index there. */
export function useTestDatabase(): void {
  before(async function () {
    this.timeout(60_000);
    if (mongoose.connection.readyState !== 0) await mongoose.disconnect();
    if (indexesBuilt) await mongoose.connect(process.env.TEST_MONGODB_URI!, connectOptions());
    else await connectMongoose(process.env.TEST_MONGODB_URI!, RUN_DATABASE);
    indexesBuilt = true;
    await emptyRunDatabase();
  });
  after(async function () {
    this.timeout(60_000);
    // A subscriber's transaction still open when the next file empties the collections would write into its data.
    await eventsSettled();
    // Disconnected, a write that a test started and never awaited fails instead of landing in the next file's data.
    await mongoose.disconnect();
  });
}

/** Options as connectMongoose gives them, on the run's database, without building the indexes again. */
function connectOptions(): mongoose.ConnectOptions {
  return { dbName: RUN_DATABASE, serverSelectionTimeoutMS: 5000, heartbeatFrequencyMS: 2000 };
}

/**
 * Empties the models' collections (keeping their indexes) and drops the collections a test made for itself, with
 * whatever indexes it gave them; builds the models' collections and indexes again if a test removed any.
 */
async function emptyRunDatabase(): Promise<void> {
  const db = mongoose.connection.db!;
  const ofModels = new Set(mongoose.modelNames().map((name) => mongoose.model(name).collection.collectionName));
  const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name);
  await Promise.all(
    existing
      .filter((name) => !name.startsWith('system.'))
      .map((name) => (ofModels.has(name) ? db.collection(name).deleteMany({}) : db.collection(name).drop())),
  );
  if ([...ofModels].some((name) => !existing.includes(name))) await ensureIndexes();
  SharedAnswers.forgetAll(); // answers computed on another file's data
}

/** Drops the run's database from a server that outlives the run (TEST_MONGODB_URI given from outside). */
export async function dropRunDatabase(uri: string): Promise<void> {
  const client = await MongoClient.connect(uri);
  try {
    await client.db(RUN_DATABASE).dropDatabase();
  } finally {
    await client.close();
  }
}

/** Empties every collection (keeping indexes), for a clean slate between tests of one file. */
export async function clearCollections(): Promise<void> {
  const collections = await mongoose.connection.db!.collections();
  await Promise.all(collections.map((collection) => collection.deleteMany({})));
  SharedAnswers.forgetAll();
}

/** Forgets every rate-limit counter, for files that send more requests from one address than a person would. */
export async function resetRateLimits(): Promise<void> {
  await mongoose.connection.db!.collection('rate_limits').deleteMany({});
}
