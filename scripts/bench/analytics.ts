/**
 * The dashboards and the coaching record at scale (docs/benchmarks.md#targets): Suara on a database
 * filled by `npm run generate:load` (a million tickets and a million survey answers by default), kept on disk so
 * that it is generated once, not per run.
 *
 * Scenarios (names for BENCH_ONLY; `dashboards` and `record` name their groups, `load` all of them):
 *   dashboards: ikm-province, trends-province (the JSON API, Jambi's subtree over the year 2025), ikm-page,
 *               trends-page, transparency-api, transparency-page: the same question from every connection, as when
 *               a province's coaches open one dashboard (Suara shares one computation between them); ikm-any-year,
 *               trends-any-year: every request a different year-long window of Jambi's subtree (start day and
 *               length vary, no two alike), so every answer is computed; then the IKM and trends questions
 *               answered by scanning the source collections (analytics-floor.ts), one request at a time, beside
 *               Suara's computed answers (different windows) one at a time: the speed-up of the rollups.
 *   record:     record-api, record-page for the generator's chosen officer (~2,000 feed items), two years, the same
 *               question from every connection (readers share a computed record while its version stands);
 *               record-any-period: the API, every request a different period (computed).
 * Memory: Suara's RSS (VmRSS) is sampled every 250 ms while it is measured.
 *
 * Settings: BENCH_RAW_SCAN (default `ikm,trends`: which raw-scan comparisons run; `none` for neither); BENCH_LOAD_DIR (default data/load: the generator's DATA_DIR, with its embedded database, encryption
 * key, demo accounts and load-info.json) or BENCH_LOAD_MONGODB_URI (then BENCH_LOAD_DIR still holds those files);
 * BENCH_LOAD_TICKETS / BENCH_LOAD_SURVEYS: the size to generate when the directory has no data yet (default 1
 * million each, which takes a long time on SecantusDB: see README.md).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/embedded-db.js';
import { measure, probe, type LoadFigures } from './load.js';
import type { ScenarioResult } from './report.js';
import type { ScenarioRequest } from './scenarios.js';
import type { Settings } from './settings.js';
import { projectRoot, startTarget, type RunningTarget, type TargetSpec } from './targets.js';

type Say = (line: string) => void;

export const loadGroups = {
  dashboards: [
    'ikm-province',
    'trends-province',
    'ikm-any-year',
    'trends-any-year',
    'ikm-page',
    'trends-page',
    'transparency-api',
    'transparency-page',
  ],
  record: ['record-api', 'record-page', 'record-any-period'],
} as const;
const allLoadNames = [...loadGroups.dashboards, ...loadGroups.record];
/** Every name BENCH_ONLY may use for this part. */
export const loadScenarioNames = new Set<string>(['load', 'dashboards', 'record', ...allLoadNames]);

/** The load scenarios BENCH_ONLY asks for (none when it names none; all when it is unset and the data exists). */
export function chosenLoadScenarios(only: string[] | undefined, loadDir = defaultLoadDir()): string[] {
  if (!only) return existsSync(path.join(loadDir, 'load-info.json')) ? allLoadNames : [];
  const names = new Set<string>();
  for (const name of only) {
    if (name === 'load') allLoadNames.forEach((n) => names.add(n));
    else if (name === 'dashboards' || name === 'record') loadGroups[name].forEach((n) => names.add(n));
    else if ((allLoadNames as string[]).includes(name)) names.add(name);
  }
  return allLoadNames.filter((name) => names.has(name));
}

function defaultLoadDir(): string {
  return path.resolve(projectRoot, process.env.BENCH_LOAD_DIR || 'data/load');
}

interface LoadInfo {
  chosen: { nip: string; name: string; unitCode: string };
  counts: { tickets: number; findings: number; surveys: number };
  officerItems: { total: number };
  from: string;
  until: string;
  generationSeconds?: number;
  generatedAt?: string;
  rebuilds?: { name: string; seconds: number | null; note: string }[];
}

interface Account {
  email: string;
  password: string;
  role: string;
  unitCode: string | null;
}

export interface MemorySample {
  scenario: string;
  rssMiB: { start: number; max: number; end: number };
}

export interface RawComparison {
  question: string;
  rollup: { p50: number; p99: number; requests: number };
  rawScan: { p50: number; p99: number; requests: number };
  /** Raw-scan p50 ÷ rollup p50, both one request at a time. */
  speedUp: number;
  /** Whether both gave the same answer (respondents and IKM; ticket count), or what differed. */
  sameAnswer: true | string;
}

export interface LoadBenchResult {
  dataDir: string;
  data: LoadInfo;
  databaseStartSeconds: number;
  scenarios: ScenarioResult[];
  rawScan: RawComparison[];
  memory: MemorySample[];
  targets: { dashboardsP99Ms: number; recordP99Ms: number };
}

const started = new Set<{ stop(): Promise<void> }>();

/** Stops what the load bench started (servers, database); for Ctrl-C. */
export async function stopLoadBench(): Promise<void> {
  await Promise.allSettled([...started].map((thing) => thing.stop()));
  started.clear();
}

async function generate(dataDir: string, say: Say): Promise<void> {
  const tickets = process.env.BENCH_LOAD_TICKETS || '1000000';
  const surveys = process.env.BENCH_LOAD_SURVEYS || '1000000';
  say('');
  say('!'.repeat(100));
  say(`! No generated data in ${dataDir}: generating ${tickets} tickets and ${surveys} survey answers NOW.`);
  say('! This runs once and takes long (on SecantusDB about 300–1,500 documents a second, plus the rollup rebuild).');
  say('! Ctrl-C and run `npm run generate:load` yourself (or set BENCH_LOAD_TICKETS/BENCH_LOAD_SURVEYS) to choose.');
  say('!'.repeat(100));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(projectRoot, 'scripts/generate-load.ts'),
        '--tickets',
        tickets,
        '--surveys',
        surveys,
      ],
      {
        cwd: projectRoot,
        env: { ...process.env, DATA_DIR: dataDir, MONGODB_URI: process.env.BENCH_LOAD_MONGODB_URI ?? '' },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    started.add({ stop: async () => void child.kill('SIGTERM') });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`generate-load exited with ${code}`))));
  });
}

function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every 250 ms until stopped. */
function sampleMemory(pid: number) {
  const first = rssMiB(pid);
  let max = first;
  const timer = setInterval(() => {
    const value = rssMiB(pid);
    if (value > max) max = value;
  }, 250);
  return () => {
    clearInterval(timer);
    const end = rssMiB(pid);
    return { start: first, max: Math.max(max, end), end };
  };
}

/** Sequential requests (one connection) for about `seconds`, at least `minimum` of them, each timed. */
async function sequential(
  url: string,
  requestOrNext: ScenarioRequest | (() => ScenarioRequest),
  seconds: number,
  warmUp: boolean,
  minimum = 3,
) {
  const next = typeof requestOrNext === 'function' ? requestOrNext : () => requestOrNext;
  // A raw scan at a million documents takes long enough that its first request is measured like the rest.
  if (warmUp) {
    const request = next();
    await fetch(url + request.path, { headers: request.headers as Record<string, string> }).then((r) =>
      r.arrayBuffer(),
    );
  }
  const latencies: number[] = [];
  let last: { status: number; body: unknown } | undefined;
  const began = performance.now();
  while ((performance.now() - began < seconds * 1000 || latencies.length < minimum) && latencies.length < 500) {
    const request = next();
    const at = performance.now();
    const response = await fetch(url + request.path, { headers: request.headers as Record<string, string> });
    const text = await response.text();
    latencies.push(performance.now() - at);
    last = { status: response.status, body: text };
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  const round1 = (value: number) => Math.round(value * 10) / 10;
  const elapsed = (performance.now() - began) / 1000;
  const figures: LoadFigures = {
    connections: 1,
    seconds: round1(elapsed),
    rounds: 1,
    requests: latencies.length,
    reqPerSec: round1(latencies.length / elapsed),
    okPerSec: round1(last?.status === 200 ? latencies.length / elapsed : 0),
    latencyMs: {
      p50: round1(at(0.5)),
      p90: round1(at(0.9)),
      p99: round1(at(0.99)),
      mean: round1(latencies.reduce((a, b) => a + b, 0) / latencies.length),
      max: round1(latencies[latencies.length - 1]!),
    },
    bytesPerResponse: 0,
    errors: 0,
    timeouts: 0,
    non2xx: last?.status === 200 ? 0 : latencies.length,
    statusCodes: { [String(last?.status ?? 0)]: latencies.length },
  };
  return { figures, last };
}

/**
 * Waits until Suara's clock jobs have run once: on data generated days ago their first runs close and escalate
 * every ticket that fell due since (about 10,000 auto-closes on the million-ticket data, each with its events), which
 * would otherwise weigh on the first scenarios. Says how long that took; stops waiting after 3 minutes and says so (on
 * the million-ticket data 12 days after generation, escalating the overdue tickets took longer: about one a second).
 */
async function clocksCaughtUp(uri: string, since: Date, say: Say): Promise<void> {
  const jobs = ['feedback.auto_close', 'feedback.escalate_breaches'];
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  const began = performance.now();
  try {
    await client.connect();
    const leases = client
      .db()
      .collection<{ _id: string; startedAt: Date | null; finishedAt: Date | null }>('job_leases');
    say(`  waiting for Suara's clock jobs to catch up (${jobs.join(', ')})…`);
    for (;;) {
      const done = await leases.countDocuments({
        _id: { $in: jobs },
        startedAt: { $gte: since },
        finishedAt: { $gte: since },
      });
      if (done === jobs.length) break;
      if (performance.now() - began > 3 * 60_000) {
        say('  ! the clock jobs had not finished after 3 minutes; measuring while they go on');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    say(`  clock jobs done after ${((performance.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    await client.close();
  }
}

async function signIn(url: string, account: Account): Promise<string> {
  const response = await fetch(url + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  if (response.status !== 200) throw new Error(`sign-in as ${account.email} answered ${response.status}`);
  // The headers (and the cookie) arrive before the session is stored; the body only after. A request sent with the
  // cookie before that was refused with 401 on a busy database.
  await response.text();
  const cookies = response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]);
  return cookies.join('; ');
}

export async function runLoadBench(options: {
  settings: Settings;
  names: string[];
  workDir: string;
  say: Say;
}): Promise<LoadBenchResult> {
  const { settings, say, workDir } = options;
  const dataDir = defaultLoadDir();
  const external = process.env.BENCH_LOAD_MONGODB_URI;
  if (!existsSync(path.join(dataDir, 'load-info.json'))) await generate(dataDir, say);
  const info = JSON.parse(await readFile(path.join(dataDir, 'load-info.json'), 'utf8')) as LoadInfo;
  const accounts = JSON.parse(await readFile(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as Account[];
  const key = (await readFile(path.join(dataDir, 'encryption-key'), 'utf8')).trim();
  say(
    `Load data in ${path.relative(projectRoot, dataDir) || dataDir}: ${info.counts.tickets.toLocaleString('en-US')} tickets, ` +
      `${info.counts.surveys.toLocaleString('en-US')} survey answers, ${info.counts.findings.toLocaleString('en-US')} ` +
      `findings; officer ${info.chosen.nip} with ${info.officerItems.total} record items`,
  );
  const missingRebuild = info.rebuilds?.filter((rebuild) => rebuild.seconds === null).map((rebuild) => rebuild.name);
  if (!info.rebuilds || missingRebuild?.length)
    say(
      `  ! the rollups/records were not rebuilt after generation (${missingRebuild?.join(', ') || 'no rebuild ran'}): ` +
        'run `DATA_DIR=… npm run generate:load -- --rebuild-only` first, or the dashboards answer from empty rollups',
    );

  let uri = external;
  let databaseStartSeconds = 0;
  if (!uri) {
    const began = performance.now();
    say('  starting the load database…');
    const database: EmbeddedDatabase = await startEmbeddedDatabase({
      storagePath: path.join(dataDir, 'db'),
      // A million tickets and answers outgrow the default 1G cache (EMBEDDED_DB_CACHE, .env.example).
      cacheSize: process.env.EMBEDDED_DB_CACHE || '4G',
      progress: say,
    });
    started.add(database);
    databaseStartSeconds = (performance.now() - began) / 1000;
    uri = `mongodb://127.0.0.1:${database.port}/suara?directConnection=true`;
  }

  const suaraSpec: TargetSpec = {
    name: 'suara-load',
    entry: 'src/server.ts',
    readyPath: '/readyz',
    env: ({ mongodbUri, workDir: dir, port, settings: s }) => ({
      NODE_ENV: 'production',
      MONGODB_URI: mongodbUri,
      DATA_DIR: `${dir}/suara-load-data`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_ENCRYPTION_KEY: key, // the generator sealed contact data with the load directory's key
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: s.logLevel,
    }),
  };
  const floorSpec: TargetSpec = {
    name: 'raw-scan',
    entry: 'scripts/bench/analytics-floor.ts',
    readyPath: '/healthz',
    env: ({ mongodbUri }) => ({ NODE_ENV: 'production', FLOOR_MONGODB_URI: mongodbUri }),
  };
  const suaraStarted = new Date();
  const suara: RunningTarget = await startTarget(suaraSpec, { mongodbUri: uri, workDir, settings });
  started.add(suara);
  say(`  suara-load serving on ${suara.url} (pid ${suara.pid})`);
  await clocksCaughtUp(uri, suaraStarted, say);

  const coach = accounts.find((account) => account.role === 'coach') ?? accounts.find((a) => a.role === 'admin');
  if (!coach) throw new Error('the load directory has no coach or admin account');
  const cookie = await signIn(suara.url, coach);
  const headers = { cookie };
  const year = { from: '2025-01-01', to: '2025-12-31' };
  const agency = 'JAMBI';
  const ikmQuery = `unitCode=${agency}&from=${year.from}&to=${year.to}`;
  const trendsQuery = `${ikmQuery}&interval=month`;
  const recordQuery = `from=${info.from}&to=${info.until}`;
  /**
   * A different year-long window of the agency's subtree for each call (start day and length both vary, so no
   * question repeats within 24,000 calls): answers no request can share, for the cost of a computed one.
   */
  const anyYear = (api: 'ikm' | 'trends') => {
    let call = 0;
    const firstStart = Date.parse(`${info.from}T00:00:00Z`) + 86_400_000; // the data's first whole day
    return () => {
      const start = firstStart + (call % 365) * 86_400_000;
      const days = 300 + (Math.floor(call / 365) % 66);
      call++;
      const from = new Date(start).toISOString().slice(0, 10);
      const to = new Date(start + (days - 1) * 86_400_000).toISOString().slice(0, 10);
      const interval = api === 'trends' ? '&interval=month' : '';
      return { from, to, path: `/api/v1/analytics/${api}?unitCode=${agency}&from=${from}&to=${to}${interval}` };
    };
  };
  const varying = (api: 'ikm' | 'trends'): ScenarioRequest => {
    const next = anyYear(api);
    const request: ScenarioRequest = {
      method: 'GET',
      path: next().path,
      headers,
      setupRequest: (req) => ({ ...req, path: next().path }),
    };
    return request;
  };
  /** The record over a different period each call: from a day of the data's first year to its last day. */
  const varyingRecord = (): ScenarioRequest => {
    let call = 0;
    const firstDay = Date.parse(`${info.from}T00:00:00Z`);
    const next = () => {
      const from = new Date(firstDay + (call++ % 700) * 86_400_000).toISOString().slice(0, 10);
      return `/api/v1/officers/${info.chosen.nip}/record?from=${from}&to=${info.until}&limit=${20 + Math.floor(call / 700)}`;
    };
    return { method: 'GET', path: next(), headers, setupRequest: (req) => ({ ...req, path: next() }) };
  };
  const requests: Record<string, { description: string; request: ScenarioRequest; target: number }> = {
    'ikm-province': {
      description: `GET /api/v1/analytics/ikm: ${agency} and its subtree, year 2025 (rollups)`,
      request: { method: 'GET', path: `/api/v1/analytics/ikm?${ikmQuery}`, headers },
      target: 300,
    },
    'trends-province': {
      description: `GET /api/v1/analytics/trends: ${agency} subtree, 2025 by month (rollups)`,
      request: { method: 'GET', path: `/api/v1/analytics/trends?${trendsQuery}`, headers },
      target: 300,
    },
    'ikm-any-year': {
      description: `GET /api/v1/analytics/ikm: ${agency} subtree, a different year-long window per request (computed)`,
      request: varying('ikm'),
      target: 300,
    },
    'trends-any-year': {
      description: `GET /api/v1/analytics/trends: ${agency} subtree by month, a different year-long window per request (computed)`,
      request: varying('trends'),
      target: 300,
    },
    'ikm-page': {
      description: `GET /analytics/ikm: the IKM report page, ${agency} subtree, 2025`,
      request: { method: 'GET', path: `/analytics/ikm?${ikmQuery}`, headers },
      target: 300,
    },
    'trends-page': {
      description: `GET /analytics/trends: the trends page, ${agency} subtree, 2025 by month`,
      request: { method: 'GET', path: `/analytics/trends?${trendsQuery}`, headers },
      target: 300,
    },
    'transparency-api': {
      description: 'GET /api/v1/transparency: public figures of every unit (no sign-in)',
      request: { method: 'GET', path: '/api/v1/transparency' },
      target: 300,
    },
    'transparency-page': {
      description: 'GET /transparansi: the public transparency page (no sign-in)',
      request: { method: 'GET', path: '/transparansi' },
      target: 300,
    },
    'record-api': {
      description: `GET /api/v1/officers/:nip/record: officer ${info.chosen.nip} (${info.officerItems.total} items), two years`,
      request: { method: 'GET', path: `/api/v1/officers/${info.chosen.nip}/record?${recordQuery}`, headers },
      target: 150,
    },
    'record-any-period': {
      description: `GET /api/v1/officers/:nip/record: officer ${info.chosen.nip}, a different period per request (computed)`,
      request: varyingRecord(),
      target: 150,
    },
    'record-page': {
      description: `GET /coaching/officers/:nip: the record page of officer ${info.chosen.nip}`,
      request: { method: 'GET', path: `/coaching/officers/${info.chosen.nip}?${recordQuery}`, headers },
      target: 150,
    },
  };

  const scenarios: ScenarioResult[] = [];
  const memory: MemorySample[] = [];
  for (const name of options.names) {
    const { description, request, target } = requests[name]!;
    say(`${name}: ${description}`);
    let answer: { status: number; body: unknown };
    try {
      answer = await probe(suara.url, request);
    } catch (error) {
      answer = { status: 0, body: (error as Error).message };
    }
    if (answer.status !== 200) say(`  ! answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
    const stopSampling = sampleMemory(suara.pid);
    let figures = await measure(
      { url: suara.url, request },
      {
        connections: settings.connections,
        rate: settings.rate,
        seconds: settings.seconds,
        warmupSeconds: settings.warmupSeconds,
      },
    );
    let how = settings.rate ? `${settings.rate} req/s offered, open loop` : `${settings.connections} connections`;
    if (!Number.isFinite(figures.latencyMs.p50) || figures.okPerSec === 0) {
      // Every request timed out (autocannon gives up at 10 s): one request at a time says how long one takes.
      say(`  ! no answer within 10 s at ${settings.connections} connections; measuring one request at a time`);
      await new Promise((resolve) => setTimeout(resolve, 5000)); // let Suara work off what is queued
      figures = (await sequential(suara.url, request, settings.seconds, false)).figures;
      how = `one request at a time, after all ${settings.connections}-connection requests timed out at 10 s`;
    }
    const rss = stopSampling();
    memory.push({ scenario: name, rssMiB: rss });
    say(
      `  ${figures.reqPerSec.toFixed(1)} req/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms ` +
        `(target p99 < ${target} ms; ${how}); Suara RSS ${rss.start} → max ${rss.max} MiB`,
    );
    scenarios.push({
      name,
      description,
      target: 'suara',
      method: 'GET',
      path: request.path,
      figures,
      note:
        `${name}: target p99 < ${target} ms — ${figures.latencyMs.p99 < target ? 'met' : 'NOT met'} ` +
        `(${how}); answered ${answer.status}; Suara RSS max ${rss.max} MiB.`,
    });
  }

  // The same questions by scanning the source collections, one request at a time on both sides.
  const rawScan: RawComparison[] = [];
  // BENCH_RAW_SCAN=ikm (or trends, or none) limits the comparison: the trends scan of a million tickets takes
  // SecantusDB past 15 GB of memory.
  const rawScans = (process.env.BENCH_RAW_SCAN ?? 'ikm,trends').split(',').map((name) => `${name.trim()}-province`);
  const compare = options.names.filter(
    (name) => (name === 'ikm-province' || name === 'trends-province') && rawScans.includes(name),
  );
  if (compare.length) {
    const floor = await startTarget(floorSpec, { mongodbUri: uri, workDir, settings });
    started.add(floor);
    say(`  raw-scan serving on ${floor.url} (pid ${floor.pid})`);
    for (const name of compare) {
      const ikm = name === 'ikm-province';
      const rollupRequest = requests[name]!.request;
      const rawRequest: ScenarioRequest = {
        method: 'GET',
        path: ikm ? `/raw/ikm?${ikmQuery}` : `/raw/trends?${trendsQuery}`,
      };
      say(`${name}: one request at a time, rollups vs raw scan of ${ikm ? 'survey_responses' : 'tickets'}…`);
      // Timed on questions no earlier request asked (shared answers would make this a comparison with a lookup),
      // then the year 2025 once more for the answer check against the raw scan.
      const windows = anyYear(ikm ? 'ikm' : 'trends');
      const skip = 100_000; // far from the windows the *-any-year scenarios used
      for (let k = 0; k < skip; k++) windows();
      const rollup = await sequential(
        suara.url,
        () => ({ method: 'GET', path: windows().path, headers }),
        Math.min(settings.seconds, 10),
        true,
      );
      rollup.last = await probe(suara.url, rollupRequest).then((a) => ({
        status: a.status,
        body: JSON.stringify(a.body),
      }));
      const raw = await sequential(floor.url, rawRequest, Math.min(settings.seconds, 20), false);
      // The IKM answers must agree exactly; trends answers differ in shape (histograms vs exact percentiles).
      let sameAnswer: true | string = ikm ? true : 'not compared (different shapes)';
      try {
        const a = JSON.parse(String(rollup.last?.body)) as Record<string, unknown>;
        const b = JSON.parse(String(raw.last?.body)) as Record<string, unknown>;
        if (ikm) {
          if (a.respondents !== b.respondents || a.ikm !== b.ikm || a.grade !== b.grade)
            sameAnswer = `rollups ${a.respondents} respondents, IKM ${a.ikm} ${a.grade}; raw ${b.respondents}, ${b.ikm} ${b.grade}`;
        }
      } catch (error) {
        sameAnswer = `could not compare: ${(error as Error).message}`;
      }
      const comparison: RawComparison = {
        question: name,
        rollup: {
          p50: rollup.figures.latencyMs.p50,
          p99: rollup.figures.latencyMs.p99,
          requests: rollup.figures.requests,
        },
        rawScan: { p50: raw.figures.latencyMs.p50, p99: raw.figures.latencyMs.p99, requests: raw.figures.requests },
        speedUp: raw.figures.latencyMs.p50 / rollup.figures.latencyMs.p50,
        sameAnswer,
      };
      rawScan.push(comparison);
      say(
        `  rollups p50 ${comparison.rollup.p50} ms / p99 ${comparison.rollup.p99} ms; raw scan p50 ` +
          `${comparison.rawScan.p50} ms / p99 ${comparison.rawScan.p99} ms (${raw.figures.requests} requests): ` +
          `${comparison.speedUp.toFixed(1)}× faster; same answer: ${sameAnswer === true ? 'yes' : sameAnswer}`,
      );
      scenarios.push({
        name: `${name}-raw-scan`,
        description: `${rawRequest.path.split('?')[0]}: the same question by aggregating the source collection`,
        target: 'raw-scan',
        method: 'GET',
        path: rawRequest.path,
        figures: raw.figures,
        note:
          `${name}-raw-scan: one request at a time (Suara one at a time: p50 ${comparison.rollup.p50} ms); ` +
          `rollups are ${comparison.speedUp.toFixed(1)}× faster at p50; same answer: ${sameAnswer === true ? 'yes' : sameAnswer}.`,
      });
    }
  }
  await stopLoadBench();
  return {
    dataDir: path.relative(projectRoot, dataDir) || dataDir,
    data: info,
    databaseStartSeconds,
    scenarios,
    rawScan,
    memory,
    targets: { dashboardsP99Ms: 300, recordP99Ms: 150 },
  };
}

/** Lines under the bench's table: the data, memory and the raw-scan comparison. */
export function formatLoad(result: LoadBenchResult): string {
  const lines = [
    `Load data (${result.dataDir}): ${result.data.counts.tickets.toLocaleString('en-US')} tickets, ` +
      `${result.data.counts.surveys.toLocaleString('en-US')} survey answers, ${result.data.counts.findings.toLocaleString('en-US')} findings ` +
      `(${result.data.from} … ${result.data.until}); officer ${result.data.chosen.nip} with ${result.data.officerItems.total} record items.`,
  ];
  if (result.memory.length)
    lines.push(
      `Suara RSS during the load scenarios: ${Math.min(...result.memory.map((m) => m.rssMiB.start))} MiB at the start, ` +
        `max ${Math.max(...result.memory.map((m) => m.rssMiB.max))} MiB.`,
    );
  for (const c of result.rawScan)
    lines.push(
      `${c.question}: rollups p50 ${c.rollup.p50} / p99 ${c.rollup.p99} ms vs raw scan p50 ${c.rawScan.p50} / p99 ` +
        `${c.rawScan.p99} ms (one request at a time) → ${c.speedUp.toFixed(1)}× faster; same answer: ` +
        `${c.sameAnswer === true ? 'yes' : c.sameAnswer}`,
    );
  return lines.join('\n');
}
