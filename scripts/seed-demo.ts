/**
 * `npm run seed:demo [-- --force]`: loads the demo into the configured database (MONGODB_URI, or the embedded one
 * under DATA_DIR). Refuses a database that already has units or accounts unless --force is given.
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from '../src/config.js';
import { initEncryption } from '../src/platform/crypto.js';
import { openDatabase } from '../src/platform/db.js';
import { EmbeddedDatabaseError } from '../src/platform/embedded-db.js';
import { setLogLevel } from '../src/platform/logger.js';
import { databaseIsEmpty, seedDemo } from '../src/demo/seed.js';
import { ensureReferenceData } from '../src/reference-data.js';

const say = (line: string) => process.stderr.write(line + '\n');

async function main(): Promise<number> {
  const config = loadConfig();
  setLogLevel(process.env.LOG_LEVEL ?? 'warn');
  const force = process.argv.includes('--force');
  await initEncryption(config);
  const database = await openDatabase(config, say);
  try {
    if (!force && !(await databaseIsEmpty())) {
      say('The database already has units or accounts; the demo was not loaded. Run with --force to add it anyway.');
      return 1;
    }
    await ensureReferenceData();
    const { accounts, file } = await seedDemo(config);
    say(`Demo loaded. ${accounts.length} sign-in accounts written to ${file}:`);
    for (const account of accounts) say(`  ${account.role.padEnd(10)} ${account.email.padEnd(40)} ${account.password}`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(
      error instanceof ConfigError || error instanceof EmbeddedDatabaseError
        ? error.message
        : String((error as Error).stack ?? error),
    );
    process.exit(1);
  },
);
