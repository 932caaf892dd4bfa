/**
 * `npm run bench`: Suara's performance figures (docs/benchmarks.md#targets), measured on this machine in one run.
 *
 * 1. Starts its own embedded SecantusDB in a throwaway directory and seeds the demo into a fresh database.
 * 2. Starts each server under test (Suara as `npm start` runs it; the bare Express + raw driver floor) in a child
 *    process of its own on a free loopback port, so that autocannon, here, shares no event loop with it.
 * 3. Runs the scenarios of scenarios.ts with autocannon (warm-up, then BENCH_SECONDS), each with its floor when it
 *    has one; then the live fan-out (fanout.ts) against a freshly started Suara; and weighs the public pages.
 * 4. Prints a table and writes scripts/bench/results/latest.json; stops everything it started, also on error and
 *    Ctrl-C.
 *
 * Settings: see settings.ts (BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS, BENCH_LOGIN_CONNECTIONS,
 * BENCH_ONLY, BENCH_LOG_LEVEL) and fanout.ts (BENCH_FANOUT_SECONDS, BENCH_FANOUT_RATE, BENCH_FANOUT_SOCKETS,
 * BENCH_FANOUT_IDLE_SOCKETS, BENCH_FANOUT_WORKERS) and soak.ts (BENCH_SOAK_CITIZENS, BENCH_SOAK_SECONDS,
 * BENCH_SOAK_SMTP_DOWN, BENCH_SOAK_MAIL_WAIT).
 * `BENCH_ONLY=fanout` runs the fan-out alone, `BENCH_ONLY=soak` the soak.
 */
import { isDeepStrictEqual } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadConfig } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed.js';
import { initEncryption } from '../../src/platform/crypto.js';
import { connectMongoose } from '../../src/platform/db.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/embedded-db.js';
import { setLogLevel } from '../../src/platform/logger.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import {
  chosenLoadScenarios,
  formatLoad,
  loadScenarioNames,
  runLoadBench,
  stopLoadBench,
  type LoadBenchResult,
} from './analytics.js';
import { formatFanout, loadFanoutSettings, runFanout, stopFanout, type FanoutResult } from './fanout.js';
import { formatTextBench, runTextBench, TEXT_BENCH_NAME, type TextBenchResult } from './text.js';
import { ATTACHMENTS_BENCH_NAME, formatAttachmentsBench, runAttachmentsBench } from './attachments.js';
import { measure, measurePair, probe, stopLoad, type LoadFigures } from './load.js';
import { weighPage, type PageWeight } from './page-weight.js';
import { formatSoak, runSoak, type SoakResult } from './soak.js';
import {
  CLUSTER_FANOUT_NAME,
  formatClusterFanout,
  runClusterFanout,
  type ClusterFanoutResult,
} from './cluster-fanout.js';
import { formatResults, writeResults, type BenchResults, type ScenarioResult } from './report.js';
import {
  DATA_ENCRYPTION_KEY,
  PAGE_BUDGET_BYTES,
  pages,
  scenarios,
  targets,
  type ProbeAnswer,
  type ScenarioContext,
  type TargetName,
} from './scenarios.js';
import { loadSettings, machine } from './settings.js';
import { projectRoot, startTarget, type RunningTarget } from './targets.js';

const RESULTS_FILE = path.join(projectRoot, 'scripts/bench/results/latest.json');
const DB_NAME = 'suara_bench';
const say = (line: string) => process.stderr.write(line + '\n');
const seconds = (since: number) => (performance.now() - since) / 1000;

const settings = loadSettings();
const startedAt = new Date();
const loadAtStart = os.loadavg()[0]!;
const runStart = performance.now();
let workDir: string | undefined;
let database: EmbeddedDatabase | undefined;
const running = new Map<TargetName, RunningTarget>();

// ─── Clean-up: once, whatever happens ──────────────────────────────────────────────────────────────────────────

let cleaning: Promise<void> | undefined;
let interrupted = false;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    stopLoad();
    await stopFanout();
    await stopLoadBench();
    await Promise.allSettled([...running.values()].map((target) => target.stop()));
    running.clear();
    await mongoose.disconnect().catch(() => {});
    if (database) {
      say('Stopping the database…');
      await database.stop().catch((error: unknown) => say(`  stopping the database failed: ${String(error)}`));
    }
    if (workDir) await rm(workDir, { recursive: true, force: true }).catch(() => {});
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    if (cleaning) return; // tsx relays the terminal's signal too: one clean-up is enough
    say(`\n${signal}: stopping the servers and the database…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ─── The run ───────────────────────────────────────────────────────────────────────────────────────────────────

async function target(name: TargetName, mongodbUri: string): Promise<RunningTarget> {
  const existing = running.get(name);
  if (existing) return existing;
  if (cleaning) throw new Error('interrupted');
  const started = performance.now();
  const server = await startTarget(targets[name], { mongodbUri, workDir: workDir!, settings });
  running.set(name, server);
  say(`  ${name} serving on ${server.url} (pid ${server.pid}, ready in ${seconds(started).toFixed(1)} s)`);
  return server;
}

/** Where two JSON values first differ, as a path (`$[3].counters`), or undefined when they are equal. */
function firstDifference(a: unknown, b: unknown, at = '$'): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const inner = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (inner) return inner;
    }
    return `${at}: ${a.length} items vs ${b.length}`;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      if (!(key in right)) return `${at}.${key}: only in Suara's answer`;
      if (!(key in left)) return `${at}.${key}: only in the floor's answer`;
      const inner = firstDifference(left[key], right[key], `${at}.${key}`);
      if (inner) return inner;
    }
  }
  return `${at}: ${JSON.stringify(a)?.slice(0, 60)} vs ${JSON.stringify(b)?.slice(0, 60)}`;
}

function sameAnswer(suara: ProbeAnswer, floor: ProbeAnswer): string | undefined {
  if (suara.status !== floor.status) return `status ${suara.status} vs ${floor.status}`;
  return firstDifference(suara.body, floor.body);
}

async function main(): Promise<void> {
  // The parent's own logger (used by seedDemo and connectMongoose) would print JSON lines between the results.
  setLogLevel('error');
  workDir = await mkdtemp(path.join(os.tmpdir(), 'suara-bench-'));

  say(`Starting the embedded database in ${workDir}…`);
  let started = performance.now();
  database = await startEmbeddedDatabase({
    storagePath: path.join(workDir, 'db'),
    progress: say,
    onUnexpectedExit: (code, lastLines) =>
      say(`The database stopped unexpectedly (code ${code}): ${lastLines.slice(-3).join(' ')}`),
  });
  const startSeconds = seconds(started);
  const mongodbUri = `mongodb://127.0.0.1:${database.port}/${DB_NAME}?directConnection=true`;

  say('Seeding the demo…');
  started = performance.now();
  await connectMongoose(mongodbUri);
  const seedConfig = loadConfig({ DATA_DIR: path.join(workDir, 'seed'), LOG_LEVEL: 'error', DATA_ENCRYPTION_KEY });
  // The demo files tickets through the real service: it seals contact data and needs the categories.
  await initEncryption(seedConfig);
  await ensureReferenceData();
  const demo = await seedDemo(seedConfig);
  await mongoose.disconnect();
  const seedSeconds = seconds(started);
  say(`  ${demo.accounts.length} accounts, in ${seedSeconds.toFixed(1)} s`);

  const context: ScenarioContext = { settings, accounts: demo.accounts };
  const chosen = scenarios.filter((scenario) => !settings.only || settings.only.includes(scenario.name));
  const withFanout = !settings.only || settings.only.includes('fanout');
  const unknown = settings.only?.filter(
    (name) =>
      !['fanout', 'soak', TEXT_BENCH_NAME, CLUSTER_FANOUT_NAME, ATTACHMENTS_BENCH_NAME].includes(name) &&
      !loadScenarioNames.has(name) &&
      !scenarios.some((s) => s.name === name),
  );
  if (unknown?.length) say(`  BENCH_ONLY names no scenario for: ${unknown.join(', ')}`);

  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    const targetName = scenario.target ?? 'suara';
    const server = await target(targetName, mongodbUri);
    const request = scenario.request(context);
    const load = {
      connections: scenario.connections?.(settings) ?? settings.connections,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
    };
    say(`${scenario.name}: ${scenario.description}`);

    let floorRun: { server: RunningTarget; request: typeof request; equivalent: true | string } | undefined;
    if (scenario.floor) {
      const floorServer = await target('floor', mongodbUri);
      const floorRequest = scenario.floor.request?.(context) ?? request;
      const [suaraAnswer, floorAnswer] = await Promise.all([
        probe(server.url, request),
        probe(floorServer.url, floorRequest),
      ]);
      const problem = (scenario.floor.equivalent ?? sameAnswer)(suaraAnswer, floorAnswer);
      if (problem) say(`  ! the floor does not answer like Suara: ${problem}`);
      floorRun = { server: floorServer, request: floorRequest, equivalent: problem ?? true };
    }

    const subject = { url: server.url, request };
    const [figures, floorFigures] = floorRun
      ? await measurePair(
          subject,
          { url: floorRun.server.url, request: floorRun.request },
          { ...load, rounds: settings.rounds },
        )
      : [await measure(subject, load), undefined];
    const show = (who: string, f: LoadFigures) =>
      say(`  ${who}: ${f.reqPerSec.toFixed(0)} req/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`);
    show(targetName, figures);
    const result: ScenarioResult = {
      name: scenario.name,
      description: scenario.description,
      target: targetName,
      method: request.method,
      path: request.path,
      figures,
      note: scenario.note?.(context),
    };
    if (floorRun && floorFigures) {
      show('floor', floorFigures);
      result.floor = {
        target: 'floor',
        method: floorRun.request.method,
        path: floorRun.request.path,
        figures: floorFigures,
        ratio: figures.reqPerSec / floorFigures.reqPerSec,
        equivalent: floorRun.equivalent,
      };
    }
    results.push(result);
  }

  // In this process, between the scenarios, while the servers are idle.
  let text: TextBenchResult | undefined;
  if (!settings.only || settings.only.includes(TEXT_BENCH_NAME)) {
    text = runTextBench();
    say(`  ${formatTextBench(text)}`);
  }

  // Dashboards and the coaching record on the generated database (analytics.ts): only when named in BENCH_ONLY,
  // or, without BENCH_ONLY, when the generated data already exists.
  let load: LoadBenchResult | undefined;
  const loadNames = chosenLoadScenarios(settings.only);
  if (!settings.only && !loadNames.length) say('Load scenarios skipped: no generated data (see README, "At scale").');
  if (loadNames.length) {
    load = await runLoadBench({ settings, names: loadNames, workDir: workDir!, say });
    results.push(...load.scenarios);
  }

  let fanout: FanoutResult | undefined;
  if (withFanout) {
    // A fresh Suara of its own, alone on the machine: its memory before the sockets is not what the scenarios
    // above left behind, and no idle server takes CPU from it.
    for (const [name, server] of running) {
      await server.stop();
      running.delete(name);
    }
    const fanoutSettings = loadFanoutSettings(settings.warmupSeconds);
    say(
      `fanout: a new ticket reaches ${fanoutSettings.sockets} staff sockets at ${fanoutSettings.rate}/s for ` +
        `${fanoutSettings.seconds} s; Suara's memory at ${fanoutSettings.idleSockets} sockets`,
    );
    const server = await target('suara', mongodbUri);
    fanout = await runFanout({
      url: server.url,
      pid: server.pid,
      mongodbUri,
      databasePid: database.pid,
      logFile: path.join(workDir, 'suara.log'),
      accounts: demo.accounts,
      settings: fanoutSettings,
      say,
    });
    say(
      `  p50 ${fanout.deliveries.latencyMs.p50} ms, p99 ${fanout.deliveries.latencyMs.p99} ms, ` +
        `lost ${fanout.deliveries.lost} of ${fanout.deliveries.expected}`,
    );
    // An overloaded Suara is still working off its backlog: the pages are weighed on a fresh one.
    await running.get('suara')?.stop();
    running.delete('suara');
  }

  const attachments =
    !settings.only || settings.only.includes(ATTACHMENTS_BENCH_NAME)
      ? await runAttachmentsBench({ mongodbUri, workDir, settings, say })
      : undefined;

  say('Weighing pages…');
  const suara = await target('suara', mongodbUri);
  const weights: PageWeight[] = [];
  for (const page of pages) weights.push(await weighPage(suara.url, page, PAGE_BUDGET_BYTES));

  await cleanUp();
  // Its own Suara and database, once everything above has stopped (soak.ts).
  const soak = !settings.only || settings.only.includes('soak') ? await runSoak(say) : undefined;
  // nginx, Redis and two Suara processes of its own (cluster-fanout.ts, scripts/cluster.ts).
  const clusterFanout =
    !settings.only || settings.only.includes(CLUSTER_FANOUT_NAME) ? await runClusterFanout(say) : undefined;
  const report: BenchResults & {
    fanout?: FanoutResult;
    load?: LoadBenchResult;
    text?: TextBenchResult;
    soak?: SoakResult;
    clusterFanout?: ClusterFanoutResult;
    attachments?: Awaited<ReturnType<typeof runAttachmentsBench>>;
  } = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    elapsedSeconds: seconds(runStart),
    machine: { ...machine(), loadAverage: { atStart: loadAtStart, atEnd: os.loadavg()[0]! } },
    settings: { ...settings },
    database: { kind: 'embedded SecantusDB (separate process)', startSeconds, seedSeconds },
    scenarios: results,
    pages: weights,
    fanout,
    load,
    text,
    soak,
    clusterFanout,
    attachments,
  };
  await writeResults(RESULTS_FILE, report);
  process.stdout.write('\n' + formatResults(report) + '\n');
  if (fanout) process.stdout.write('\n' + formatFanout(fanout) + '\n');
  if (load) process.stdout.write('\n' + formatLoad(load) + '\n');
  if (text) process.stdout.write('\n' + formatTextBench(text) + '\n');
  if (soak) process.stdout.write('\n' + formatSoak(soak) + '\n');
  if (clusterFanout) process.stdout.write('\n' + formatClusterFanout(clusterFanout) + '\n');
  if (attachments) process.stdout.write('\n' + formatAttachmentsBench(attachments) + '\n');
  say(`\nResults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    if (interrupted) return; // the signal handler is cleaning up and will exit
    say(`Bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanUp();
    process.exit(1);
  },
);
