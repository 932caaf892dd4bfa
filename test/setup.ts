import './test-env.js'; // first: NODE_ENV=test before anything loads the logger
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { setEncryptionKey } from '../src/platform/crypto.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/platform/embedded-db.js';
import { modules } from '../src/modules/index.js';
import { installModules, registerModuleSubscribers } from '../src/platform/modules.js';
import { startProjectors, stopProjectors } from '../src/platform/event-log.js';
import { dropRunDatabase } from './helpers/db.js';

/**
 * One real database server for the whole run: the embedded SecantusDB on a throwaway directory, or the server at
 * TEST_MONGODB_URI when set (never MONGODB_URI, so that a developer's own database is never touched by tests).
 * The test files share one database, emptied before each file by `useTestDatabase()` in test/helpers/db.ts.
 */
/** One key for the run: specs read back what they sealed (a spec that seals with another key puts this one back). */
export const TEST_ENCRYPTION_KEY = 'a1'.repeat(32);
setEncryptionKey(TEST_ENCRYPTION_KEY);
// As in the server: records and rollups follow the domain events that specs cause.
installModules(modules);
registerModuleSubscribers(modules);
startProjectors(); // idle while no test database is connected; `eventsSettled()` waits for them to drain
let embedded: EmbeddedDatabase | undefined;
let storage: string | undefined;
let outsideServer: string | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000); // the first run on a new machine installs SecantusDB (about 10 s)
    outsideServer = process.env.TEST_MONGODB_URI;
    if (outsideServer) return;
    storage = await mkdtemp(path.join(os.tmpdir(), 'suara-test-db-'));
    embedded = await startEmbeddedDatabase({
      storagePath: path.join(storage, 'db'),
      progress: (line) => process.stderr.write(line + '\n'),
    });
    process.env.TEST_MONGODB_URI = embedded.uri;
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopProjectors();
    await mongoose.disconnect();
    if (outsideServer) await dropRunDatabase(outsideServer);
    await embedded?.stop();
    if (storage) await rm(storage, { recursive: true, force: true });
  },
};
