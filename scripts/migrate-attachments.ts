/**
 * `npm run attachments:migrate`: moves the attachment files that earlier versions kept under DATA_DIR/attachments
 * into the configured store (the database's file store, or the S3 bucket of ATTACHMENTS_S3_*), in the configured
 * database (MONGODB_URI, or the embedded one under DATA_DIR). Each file is checked against the SHA-256 its ticket
 * recorded, read back from the store, and only then removed from disk and its ticket pointed at the copy. Safe to
 * run again, or after an interruption: moved files are skipped, a half-done one is finished. Exit code 1 when a
 * file did not match or was missing (named in the output; those tickets are left as they were).
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/platform/db.js';
import { EmbeddedDatabaseError } from '../src/platform/embedded-db.js';
import { setLogLevel } from '../src/platform/logger.js';
import { gridFsStore } from '../src/modules/feedback/attachments/store.js';
import { s3Store } from '../src/modules/feedback/attachments/s3-store.js';
import { migrateDiskAttachments } from '../src/modules/feedback/attachments/migrate.js';

const say = (line: string) => process.stderr.write(line + '\n');

async function main(): Promise<number> {
  const config = loadConfig();
  setLogLevel(process.env.LOG_LEVEL ?? 'warn');
  const database = await openDatabase(config, say);
  try {
    const store = config.attachmentsS3 ? s3Store(config.attachmentsS3) : gridFsStore();
    say(
      `Moving attachments from ${config.dataDir}/attachments into ` +
        (config.attachmentsS3 ? `the S3 bucket ${config.attachmentsS3.bucket}` : 'the database (GridFS)') +
        '…',
    );
    const started = performance.now();
    const counts = await migrateDiskAttachments({ dataDir: config.dataDir, store, progress: say });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    say(
      counts.moved + counts.resumed === 0 && counts.mismatched + counts.missing === 0
        ? 'No ticket names a file on disk: nothing to move.'
        : `Moved ${counts.moved} files (${counts.resumed} finished from an earlier run) in ${seconds} s.`,
    );
    if (counts.mismatched) say(`${counts.mismatched} files did not match their recorded SHA-256: left on disk.`);
    if (counts.missing) say(`${counts.missing} files named by tickets were found nowhere.`);
    if (counts.unreferenced)
      say(`${counts.unreferenced} files under ${config.dataDir}/attachments belong to no ticket: left in place.`);
    return counts.mismatched + counts.missing > 0 ? 1 : 0;
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
        : `The migration stopped: ${(error as Error)?.stack ?? String(error)}. Run it again to continue.`,
    );
    process.exit(1);
  },
);
