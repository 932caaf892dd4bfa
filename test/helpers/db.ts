import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { connectMongoose } from '../../src/platform/db.js';
import { eventsSettled } from '../../src/platform/events.js';
import { SharedAnswers } from '../../src/platform/shared-answers.js';

/** Gives the calling test file a clean database of its own on the run's server, dropped when the file ends. */
export function useTestDatabase(): void {
  before(async function () {
    this.timeout(60_000);
    const name = `suara_test_${randomBytes(4).toString('hex')}`;
    if (mongoose.connection.readyState !== 0) await mongoose.disconnect();
    await connectMongoose(process.env.TEST_MONGODB_URI!, name);
    SharedAnswers.forgetAll(); // answers computed on another file's database
  });
  after(async function () {
    this.timeout(60_000);
    // A subscriber's transaction still open when the database is dropped would hold the drop until it times out.
    await eventsSettled();
    await mongoose.connection.dropDatabase();
    await mongoose.disconnect();
  });
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
