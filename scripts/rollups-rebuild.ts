/**
 * `npm run rollups:rebuild [-- --resume] [-- --batch 250000]` (source documents summed in memory per write): rebuilds every analytics rollup from the source
 * collections (tickets, survey answers) of the configured database (MONGODB_URI, or the embedded one under
 * DATA_DIR), with one progress line per batch. After a crash, `--resume` continues from the last checkpoint.
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/platform/db.js';
import { EmbeddedDatabaseError } from '../src/platform/embedded-db.js';
import { setLogLevel } from '../src/platform/logger.js';
import { rebuildRollups } from '../src/modules/analytics/rollups/rebuild.js';

const say = (line: string) => process.stderr.write(line + '\n');

function batchSize(): number | undefined {
  const index = process.argv.indexOf('--batch');
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 2_000_000)
    throw new ConfigError('--batch', '--batch needs a whole number from 1 to 2000000');
  return value;
}

async function main(): Promise<number> {
  // As the generator: a database of millions needs more than the embedded database's default 1G cache.
  const config = { ...loadConfig(), embeddedDbCache: process.env.EMBEDDED_DB_CACHE || '4G' };
  setLogLevel(process.env.LOG_LEVEL ?? 'warn');
  const resume = process.argv.includes('--resume');
  const size = batchSize();
  const database = await openDatabase(config, say);
  try {
    const result = await rebuildRollups({ resume, progress: say, ...(size ? { batchSize: size } : {}) });
    say(
      `Rollups rebuilt${result.resumed ? ' (resumed)' : ''}: ${result.tickets} tickets, ${result.surveys} survey answers ` +
        `in ${(result.ms / 1000).toFixed(1)} s.`,
    );
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
        : `Rebuild failed: ${(error as Error)?.stack ?? String(error)}. Run again with --resume to continue.`,
    );
    process.exit(1);
  },
);
