/**
 * `npm run verify [-- --from 2026-09-01 --to 2026-12-01]`: recomputes the analytics rollups and the coaching records'
 * feed from the source collections for a window (default: the last 90 days, widened to whole months) and prints,
 * per collection, the documents checked and the differences found. Exits 1 on any difference. It first applies the
 * events still pending (as the running application would), so that only real drift is reported. Works on the
 * configured database (MONGODB_URI, or the embedded one under DATA_DIR, which needs Suara stopped).
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/platform/db.js';
import { EmbeddedDatabaseError } from '../src/platform/embedded-db.js';
import { startProjectors, stopProjectors } from '../src/platform/event-log.js';
import { eventsSettled } from '../src/platform/events.js';
import { setLogLevel } from '../src/platform/logger.js';
import { modules } from '../src/modules/index.js';
import { installModules, registerModuleSubscribers } from '../src/platform/modules.js';
import { checkDrift, type DriftReport } from '../src/drift.js';

const say = (line: string) => process.stdout.write(line + '\n');
const DAY_MS = 86_400_000;

function day(flag: string, fallback: Date): Date {
  const index = process.argv.indexOf(flag);
  if (index < 0) return fallback;
  const value = process.argv[index + 1] ?? '';
  const date = new Date(`${value}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()))
    throw new ConfigError(flag, `${flag} needs a day as YYYY-MM-DD`);
  return date;
}

export function printReport(report: DriftReport, print: (line: string) => void): void {
  const iso = (date: Date) => date.toISOString().slice(0, 10);
  print(
    `Window ${iso(report.window.from)} to ${iso(report.window.to)} (whole months): ` +
      `${report.sources.tickets} tickets, ${report.sources.surveys} survey answers read.`,
  );
  print(`${'collection'.padEnd(32)} ${'checked'.padStart(9)} ${'differences'.padStart(12)}`);
  for (const drift of report.collections) {
    print(
      `${drift.collection.padEnd(32)} ${String(drift.checked).padStart(9)} ${String(drift.differences).padStart(12)}`,
    );
    for (const example of drift.examples) print(`    ${example}`);
  }
  print(report.differences ? `${report.differences} differences.` : 'No differences.');
}

async function main(): Promise<number> {
  const config = loadConfig();
  setLogLevel(process.env.LOG_LEVEL ?? 'warn');
  const to = day('--to', new Date());
  const from = day('--from', new Date(to.getTime() - 90 * DAY_MS));
  if (from >= to) throw new ConfigError('--from', '--from must be before --to');
  const database = await openDatabase(config, (line) => process.stderr.write(line + '\n'));
  try {
    installModules(modules, config);
    registerModuleSubscribers(modules);
    startProjectors();
    await eventsSettled();
    await stopProjectors();
    const report = await checkDrift({ from, to });
    printReport(report, say);
    return report.differences ? 1 : 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      (error instanceof ConfigError || error instanceof EmbeddedDatabaseError
        ? error.message
        : `Verify failed: ${(error as Error)?.stack ?? String(error)}`) + '\n',
    );
    process.exit(2);
  },
);
