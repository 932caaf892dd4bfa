/**
 * `npm run cluster`: Suara as it is deployed, on this machine, all on loopback with free ports:
 *
 *   nginx (deploy/nginx/suara.conf.template) ──┬── Suara A ──┬── database (embedded SecantusDB, or CLUSTER_MONGODB_URI)
 *                                              └── Suara B ──┴── Redis (the Socket.IO adapter)
 *
 * Each Suara is `src/server.ts` in production mode in a child process of its own (via tsx), with its own DATA_DIR,
 * METRICS_PORT and log file, sharing the database, Redis, SESSION_SECRET and DATA_ENCRYPTION_KEY. Redis is Debian's
 * `redis-server` and nginx Debian's `/usr/sbin/nginx`, each in the throwaway directory. Ctrl-C stops them all, in
 * order: nginx, the apps (gracefully), Redis, the database; the directory is removed.
 *
 * The specs (test/platform/cluster.test.ts) and the bench (scripts/bench/cluster-fanout.ts) import `startCluster`.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { freePort, startEmbeddedDatabase, type EmbeddedDatabase } from '../src/platform/embedded-db.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '..');
export const NGINX_TEMPLATE = path.join(projectRoot, 'deploy/nginx/suara.conf.template');
// tsx's loader for the children (import.meta.resolve is not there when mocha loads this file as CommonJS).
const TSX_LOADER = pathToFileURL(
  path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;
const NGINX = process.env.CLUSTER_NGINX ?? '/usr/sbin/nginx';
const REDIS = process.env.CLUSTER_REDIS ?? 'redis-server';

export interface ClusterOptions {
  /** A database to use (with its name in the path); an embedded one is started in the throwaway directory if not. */
  mongodbUri?: string;
  /** How many Suara processes (2). */
  processes?: number;
  /** Extra environment for every Suara process (TRUST_PROXY, BACKPRESSURE_*, LOG_LEVEL, …). */
  env?: Record<string, string>;
  /** The key the processes seal personal data with; a random one when not given. */
  dataEncryptionKey?: string;
  /** Progress lines. */
  say?: (line: string) => void;
}

export interface AppProcess {
  name: string;
  /** Its own address, bypassing nginx. */
  url: string;
  metricsUrl: string;
  pid: number;
  dataDir: string;
  logFile: string;
  /** SIGKILL: the process dies on the spot, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  stop(): Promise<void>;
  exited(): boolean;
}

export interface Cluster {
  /** nginx: the address people use (PUBLIC_URL). */
  url: string;
  apps: AppProcess[];
  mongodbUri: string;
  redisUrl: string;
  dataEncryptionKey: string;
  workDir: string;
  stop(): Promise<void>;
}

/** What the cluster needs from the machine; the names missing, or an empty list. */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (!existsSync(NGINX)) missing.push(`nginx (${NGINX})`);
  if (spawnSync(REDIS, ['--version'], { stdio: 'ignore' }).status !== 0) missing.push(`redis-server (${REDIS})`);
  return missing;
}

/** The shared template with the two names filled in; nginx's own `$variables` are left alone. */
export async function nginxServerBlock(upstreams: string[], listen: string): Promise<string> {
  const template = await readFile(NGINX_TEMPLATE, 'utf8');
  return template
    .replaceAll(
      '${SUARA_UPSTREAM}',
      upstreams.map((address) => `server ${address} max_fails=1 fail_timeout=5s;`).join(' '),
    )
    .replaceAll('${SUARA_LISTEN}', listen);
}

/** Whether a child process has ended (by itself or by a signal). */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once the child has ended, or false after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
  if (exited(child)) return;
  child.kill(signal);
  if (!(await waitForExit(child, graceMs))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5000);
  }
}

const tail = (file: string, lines = 20) => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
};

/** Polls until `check` is true; throws with `what` and the log's tail after `ms`, or at once if `gone()`. */
async function waitUntil(what: string, ms: number, check: () => Promise<boolean>, gone: () => boolean, log: string) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (gone()) throw new Error(`${what}: the process exited at start:\n${tail(log)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms / 1000} s:\n${tail(log)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const answers = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const say = options.say ?? (() => undefined);
  const count = options.processes ?? 2;
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'suara-cluster-'));
  // nginx's workers run as `nobody` when started by root: they must reach their temp folders in here.
  await chmod(workDir, 0o755);
  const children: ChildProcess[] = [];
  let database: EmbeddedDatabase | undefined;
  let nginx: ChildProcess | undefined;
  let redis: ChildProcess | undefined;
  const apps: AppProcess[] = [];

  // If this process ends without stop() (an uncaught error, mocha's --exit after a failed hook), nginx and Redis
  // would outlive it: they get SIGTERM as it exits (nginx then takes its workers down). The apps end by themselves
  // (their IPC channel closes), and so does the embedded database (parent-death signal).
  const killLeftovers = () => {
    for (const child of [nginx, redis]) if (child && !exited(child)) child.kill('SIGTERM');
  };
  process.once('exit', killLeftovers);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (nginx) await stopChild(nginx, 'SIGQUIT', 10_000); // QUIT: finish the requests under way
      await Promise.allSettled(apps.map((app) => app.stop()));
      if (redis) await stopChild(redis);
      await Promise.allSettled(children.map((child) => stopChild(child)));
      await database?.stop().catch(() => undefined);
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
      process.removeListener('exit', killLeftovers);
    })());

  try {
    // ── The database ──
    let mongodbUri = options.mongodbUri;
    if (!mongodbUri) {
      say('Starting the embedded database…');
      database = await startEmbeddedDatabase({ storagePath: path.join(workDir, 'db'), progress: say });
      mongodbUri = `mongodb://127.0.0.1:${database.port}/suara?directConnection=true`;
    }

    // ── Redis: no persistence, a throwaway directory ──
    const redisPort = await freePort();
    const redisLog = path.join(workDir, 'redis.log');
    redis = spawn(
      REDIS,
      ['--bind', '127.0.0.1', '--port', String(redisPort), '--dir', workDir, '--save', '', '--appendonly', 'no'].concat(
        ['--logfile', redisLog],
      ),
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    await waitUntil(
      'Redis answering',
      15_000,
      async () =>
        spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG',
      () => exited(redis!),
      redisLog,
    );
    say(`Redis on ${redisUrl} (pid ${redis.pid})`);

    // ── The Suara processes ──
    const nginxPort = await freePort();
    const publicUrl = `http://127.0.0.1:${nginxPort}`;
    const shared = {
      NODE_ENV: 'production',
      MONGODB_URI: mongodbUri,
      REDIS_URL: redisUrl,
      PUBLIC_URL: publicUrl,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_ENCRYPTION_KEY: options.dataEncryptionKey ?? randomBytes(32).toString('hex'),
      TRUST_PROXY: '1',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      ...options.env,
    };
    const starting = [];
    for (let index = 0; index < count; index++) {
      const name = String.fromCharCode(65 + index); // A, B, …
      starting.push(startApp(name, workDir, shared).then((app) => (apps.push(app), app)));
    }
    for (const app of await Promise.all(starting)) say(`Suara ${app.name} on ${app.url} (pid ${app.pid})`);
    apps.sort((a, b) => a.name.localeCompare(b.name));

    // ── nginx in front ──
    const nginxDir = path.join(workDir, 'nginx');
    await mkdir(path.join(nginxDir, 'conf.d'), { recursive: true });
    const serverBlock = await nginxServerBlock(
      apps.map((app) => new URL(app.url).host),
      `127.0.0.1:${nginxPort}`,
    );
    await writeFile(path.join(nginxDir, 'conf.d', 'suara.conf'), serverBlock);
    const nginxLog = path.join(nginxDir, 'error.log');
    await writeFile(
      path.join(nginxDir, 'nginx.conf'),
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${nginxDir}/nginx.pid;`,
        `error_log ${nginxLog} warn;`,
        'events { worker_connections 1024; }',
        'http {',
        `  access_log ${nginxDir}/access.log;`,
        `  client_body_temp_path ${nginxDir}/body;`,
        `  proxy_temp_path ${nginxDir}/proxy;`,
        `  fastcgi_temp_path ${nginxDir}/fastcgi;`,
        `  uwsgi_temp_path ${nginxDir}/uwsgi;`,
        `  scgi_temp_path ${nginxDir}/scgi;`,
        `  include ${nginxDir}/conf.d/*.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    nginx = spawn(NGINX, ['-p', nginxDir, '-e', nginxLog, '-c', path.join(nginxDir, 'nginx.conf')], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    await waitUntil(
      'nginx serving',
      15_000,
      () => answers(`${publicUrl}/healthz`),
      () => exited(nginx!),
      nginxLog,
    );
    say(`nginx on ${publicUrl} (pid ${nginx.pid}), config in ${nginxDir}`);

    return { url: publicUrl, apps, mongodbUri, redisUrl, dataEncryptionKey: shared.DATA_ENCRYPTION_KEY, workDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One Suara: src/server.ts under tsx, forked through the bench's child.ts so that it ends when this process does. */
async function startApp(name: string, workDir: string, shared: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const dataDir = path.join(workDir, `app-${name}`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logFile = path.join(workDir, `app-${name}.log`);
  const out = openSync(logFile, 'a');
  const child = fork(path.join(projectRoot, 'scripts/bench/child.ts'), [path.join(projectRoot, 'src/server.ts')], {
    cwd: dataDir, // no project .env is read: every variable is set here
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...shared,
      PORT: String(port),
      DATA_DIR: dataDir,
      METRICS_PORT: String(metricsPort),
    },
    execArgv: ['--import', TSX_LOADER],
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      `Suara ${name} ready`,
      120_000,
      () => answers(`${url}/readyz`),
      () => exited(child),
      logFile,
    );
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    name,
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    pid: child.pid!,
    dataDir,
    logFile,
    exited: () => exited(child),
    async kill() {
      if (exited(child)) return;
      child.kill('SIGKILL');
      await waitForExit(child, 10_000);
    },
    stop: () => stopChild(child),
  };
}

// ── `npm run cluster` ──
async function main(): Promise<void> {
  const say = (line: string) => process.stderr.write(line + '\n');
  const missing = missingTools();
  if (missing.length) {
    say(`The cluster needs ${missing.join(' and ')}: apt-get install nginx-light redis-server`);
    process.exit(1);
  }
  const cluster = await startCluster({ mongodbUri: process.env.CLUSTER_MONGODB_URI, say });
  say(`\nSuara is serving through nginx on ${cluster.url}`);
  for (const app of cluster.apps) say(`  ${app.name}: ${app.url}  metrics ${app.metricsUrl}  log ${app.logFile}`);
  say('No demo data is loaded (the processes run on MONGODB_URI). To load it, in another terminal:');
  say(`  MONGODB_URI='${cluster.mongodbUri}' DATA_ENCRYPTION_KEY=${cluster.dataEncryptionKey} npm run seed:demo`);
  say('Ctrl-C stops everything.');
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say(`\n${signal}: stopping nginx, the Suara processes, Redis and the database…`);
      void cluster.stop().then(() => process.exit(0));
    });
  setInterval(() => undefined, 1 << 30);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
