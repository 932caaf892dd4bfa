/**
 * `npm run tickets:seal [-- --batch 500]`: seals the citizen's original text (description, replies, reopening
 * notes, rating comment) of tickets filed before it was sealed at intake, and keeps the scrubbed copy in its place,
 * in the configured database (MONGODB_URI, or the embedded one under DATA_DIR), with one progress line per batch.
 * Safe to run again, or after an interruption: sealed tickets are skipped.
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from '../src/config.js';
import { initEncryption } from '../src/platform/crypto.js';
import { openDatabase } from '../src/platform/db.js';
import { EmbeddedDatabaseError } from '../src/platform/embedded-db.js';
import { setLogLevel } from '../src/platform/logger.js';
import { sealUnsealedTickets } from '../src/modules/feedback/sealed-text.js';

const say = (line: string) => process.stderr.write(line + '\n');

function batchSize(): number | undefined {
  const index = process.argv.indexOf('--batch');
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 10_000)
    throw new ConfigError('--batch', '--batch needs a whole number from 1 to 10000');
  return value;
}

async function main(): Promise<number> {
  const config = loadConfig();
  setLogLevel(process.env.LOG_LEVEL ?? 'warn');
  const size = batchSize();
  // The same key as the server: without it the sealed text could not be read back.
  await initEncryption(config);
  const database = await openDatabase(config, say);
  try {
    const started = performance.now();
    const result = await sealUnsealedTickets({
      ...(size ? { batchSize: size } : {}),
      progress: ({ sealed, total }) =>
        say(`Sealed ${sealed.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} tickets…`),
    });
    say(
      result.total === 0
        ? 'Every ticket is already sealed.'
        : `Sealed the text of ${result.sealed} tickets in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
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
        : `Sealing failed: ${(error as Error)?.stack ?? String(error)}. Run it again to continue.`,
    );
    process.exit(1);
  },
);
