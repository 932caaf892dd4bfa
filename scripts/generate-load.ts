/**
 * `npm run generate:load [-- --tickets N --surveys N --seed N --officer NIP --officer-items N --until DAY --force --no-rebuild]`
 *
 * Fills the configured database (MONGODB_URI, or the embedded SecantusDB under DATA_DIR) with 1 million tickets and
 * 1 million survey answers (by default) across the demo's three agencies over two years, realistic in shape (see
 * scripts/load/*.ts), then rebuilds the analytics rollups and coaching records when those modules exist.
 * Loads the demo directory first when the database has none. Refuses a database that already has tickets or survey
 * answers unless --force is given; --force drops the generated collections (tickets, findings, survey answers,
 * coaching feed) and keeps the directory and accounts.
 * `--rebuild-only` skips generation and only runs the rebuilds (on a database generated before they existed);
 * `--rebuilds rebuildRecords` (or rebuildRollups) runs only that one, `--resume` continues an interrupted rollup rebuild.
 * The chosen officer (--officer, default the demo's officer with a sign-in account) gets --officer-items record
 * items (default 2,000 at full size, scaled with it). The data covers the two years up to --until (a local day,
 * YYYY-MM-DD or `today` in Jakarta; default 2026-11-20, so that a seed always gives the same data): a database
 * generated up to an earlier day than the one it is used on makes the app's clocks catch up on every ticket that fell
 * due since (about one escalation a second), which a bench should not measure. Writes DATA_DIR/load-info.json (the chosen officer's NIP, counts, timings), which the bench reads.
 */
import 'dotenv/config';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../src/config.js';
import { databaseIsEmpty, seedDemo } from '../src/demo/seed.js';
import '../src/modules/coaching/record/feed-model.js';
import { initEncryption } from '../src/platform/crypto.js';
import { ensureIndexes, openDatabase } from '../src/platform/db.js';
import { addDays, isLocalDate, localDate } from '../src/platform/calendar.js';
import { EmbeddedDatabaseError } from '../src/platform/embedded-db.js';
import { setLogLevel } from '../src/platform/logger.js';
import { ensureReferenceData } from '../src/reference-data.js';
import { generateLoad, type ProgressState } from './load/generate.js';
import { runRebuilds } from './load/rebuild.js';

const say = (line: string) => process.stderr.write(line + '\n');
const GENERATED = ['tickets', 'findings', 'survey_responses', 'coaching_feed'];

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index >= 0) return process.argv[index + 1];
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
}

/** `--until`: a local day, or `today` (Jakarta); the data starts 730 days before it ends. */
function period(): { from?: string; until?: string } {
  const raw = option('until');
  if (raw === undefined) return {};
  const until = raw === 'today' ? localDate(new Date(), 'Asia/Jakarta') : raw;
  if (!isLocalDate(until))
    throw new ConfigError('until', `--until must be a day as YYYY-MM-DD or "today" (got ${raw})`);
  return { from: addDays(until, -729), until };
}

function count(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 0 || value > 9_000_000)
    throw new ConfigError(name, `--${name} must be a whole number from 0 to 9,000,000 (got ${raw})`);
  return value;
}

const duration = (seconds: number) =>
  seconds >= 90 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${seconds.toFixed(1)} s`;

/** A progress line: on a terminal rewritten in place, otherwise a line every 10 s. */
function progressLine() {
  let lastLine = 0;
  const tty = process.stderr.isTTY;
  return (state: ProgressState) => {
    const now = Date.now();
    const finished = state.done >= state.total;
    if (!tty && !finished && now - lastLine < 10_000) return;
    if (tty && !finished && now - lastLine < 250) return;
    lastLine = now;
    const share = state.total ? (100 * state.done) / state.total : 100;
    const line =
      `${state.phase}: ${state.done.toLocaleString('en-US')} / ${state.total.toLocaleString('en-US')} ` +
      `(${share.toFixed(1)} %), ${Math.round(state.perSecond).toLocaleString('en-US')}/s, ` +
      (finished ? 'done' : `ETA ${duration(state.etaSeconds)}`);
    if (tty) process.stderr.write(`\r${line.padEnd(90)}${finished ? '\n' : ''}`);
    else say(line);
  };
}

async function main(): Promise<number> {
  // A million tickets outgrow the embedded database's default 1G cache: at about 400,000 it stalled, spinning.
  const config = { ...loadConfig(), embeddedDbCache: process.env.EMBEDDED_DB_CACHE || '4G' };
  setLogLevel(process.env.LOG_LEVEL ?? 'warn');
  const tickets = count('tickets', 1_000_000);
  const surveys = count('surveys', 1_000_000);
  const seed = count('seed', 20261123);
  const officerItems = option('officer-items') === undefined ? undefined : count('officer-items', 0);
  const force = flag('force');
  const rebuildOnly = flag('rebuild-only');
  await initEncryption(config);
  const database = await openDatabase(config, say);
  say(`Database: ${config.mongodbUri ? 'MONGODB_URI' : `embedded SecantusDB in ${path.join(config.dataDir, 'db')}`}`);
  try {
    const db = mongoose.connection.db!;
    if (!rebuildOnly) {
      const existing =
        (await db.collection('tickets').estimatedDocumentCount()) +
        (await db.collection('survey_responses').estimatedDocumentCount());
      if (existing > 0 && !force) {
        say(
          `The database already has ${existing.toLocaleString('en-US')} tickets and survey answers; nothing was ` +
            'generated. Run with --force to replace them (the directory and accounts are kept).',
        );
        return 1;
      }
      if (existing > 0) {
        say('--force: dropping the generated collections…');
        for (const name of GENERATED) await db.dropCollection(name).catch(() => false);
        await ensureIndexes();
      }
      if (await databaseIsEmpty()) {
        say('Loading the demo directory (units, services, officers, accounts)…');
        await ensureReferenceData();
        const demo = await seedDemo(config);
        say(`  sign-in accounts written to ${demo.file}`);
      }

      say(
        `Generating ${tickets.toLocaleString('en-US')} tickets and ${surveys.toLocaleString('en-US')} survey answers ` +
          `(seed ${seed})…`,
      );
      const started = performance.now();
      const result = await generateLoad(db, {
        tickets,
        surveys,
        seed,
        officerItems,
        ...period(),
        officerNip: option('officer'),
        sealContacts: true,
        progress: progressLine(),
      });
      const seconds = (performance.now() - started) / 1000;
      const documents = result.counts.tickets + result.counts.findings + result.counts.surveys;
      say(
        `Generated ${documents.toLocaleString('en-US')} documents in ${duration(seconds)} ` +
          `(${Math.round(documents / seconds).toLocaleString('en-US')}/s): tickets ${duration(result.seconds.tickets)}, ` +
          `survey answers ${duration(result.seconds.surveys)}; ${result.counts.findings.toLocaleString('en-US')} findings.`,
      );
      say(`  kinds: ${JSON.stringify(result.kinds)}`);
      say(`  statuses: ${JSON.stringify(result.statuses)}`);
      say(
        `Chosen officer: NIP ${result.chosen.nip} (${result.chosen.name}, ${result.chosen.unitCode}) with ` +
          `${result.officerItems.total} record items: ${result.officerItems.findings} findings, ` +
          `${result.officerItems.compliments} compliments, ${result.officerItems.surveys} survey answers.`,
      );
      const { plan: _plan, ...info } = result;
      await writeInfo(config.dataDir, { ...info, generatedAt: new Date().toISOString(), generationSeconds: seconds });
    }
    if (flag('no-rebuild')) return 0;
    // --rebuilds rebuildRecords (or rebuildRollups) runs one; --resume continues an interrupted rollup rebuild.
    const only = option('rebuilds')?.split(',');
    const rebuilds = await runRebuilds(say, { only, resume: flag('resume') });
    const info = JSON.parse(await readInfo(config.dataDir)) as { rebuilds?: { name: string }[] };
    const kept = (info.rebuilds ?? []).filter((earlier) => !rebuilds.some((now) => now.name === earlier.name));
    await writeInfo(config.dataDir, {
      rebuilds: [...kept, ...rebuilds.map(({ result: _result, ...timing }) => timing)],
    });
    return 0;
  } finally {
    await database.close();
  }
}

async function readInfo(dataDir: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path.join(dataDir, 'load-info.json'), 'utf8').catch(() => '{}');
}

/** Merges into DATA_DIR/load-info.json. */
async function writeInfo(dataDir: string, values: Record<string, unknown>): Promise<void> {
  const file = path.join(dataDir, 'load-info.json');
  const { readFile } = await import('node:fs/promises');
  const previous = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify({ ...previous, ...values }, null, 2) + '\n');
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
