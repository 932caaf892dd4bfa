import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { projectRoot } from './paths.js';

/**
 * SecantusDB, the MongoDB wire-protocol server we run when MONGODB_URI is unset (docs/operations.md#development-the-embedded-server).
 * It is GPL-2.0 and a beta: we install it from PyPI into a project-local virtual environment and run it as a
 * separate child process — never bundled, never linked, and never what production data should live on.
 */
export const SECANTUS_PACKAGE = 'SecantusDB==0.7.0b3';
const installDir = path.join(projectRoot, '.secantus');
const venvDir = path.join(installDir, 'venv');
const marker = path.join(venvDir, '.suara-installed');
const execFileAsync = promisify(execFile);

/** A problem the person starting Suara can fix; its message is the whole story, printed without a stack. */
export class EmbeddedDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDatabaseError';
  }
}

type Progress = (line: string) => void;

const noPython = (why: string) =>
  new EmbeddedDatabaseError(
    `The embedded database needs Python 3.10 or newer with the venv module (${why}). ` +
      'Install it (Debian/Ubuntu: apt-get install python3 python3-venv), point SECANTUS_PYTHON at one, ' +
      'or set MONGODB_URI to use your own MongoDB.',
  );

async function findPython(preferred?: string): Promise<string> {
  const candidates = preferred
    ? [preferred]
    : ['python3.13', 'python3.12', 'python3.11', 'python3.10', 'python3', 'python'];
  let lastSeen = 'no python3 found on PATH';
  for (const candidate of candidates) {
    try {
      const { stdout } = await execFileAsync(candidate, [
        '-c',
        'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])',
      ]);
      const [major, minor] = stdout.trim().split('.').map(Number);
      if (major === 3 && minor! >= 10) return candidate;
      lastSeen = `${candidate} is ${stdout.trim()}`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') lastSeen = `${candidate} has no venv/ensurepip module`;
    }
  }
  throw noPython(lastSeen);
}

/** Serialises installs between processes (two test runs, or start and test at once) with an atomic mkdir. */
async function withInstallLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = path.join(installDir, 'install.lock');
  await mkdir(installDir, { recursive: true });
  for (let waited = 0; ; waited += 500) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 10 * 60_000) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Installs SecantusDB once (about 6 s); afterwards returns at once. Returns the venv's python. */
export async function ensureSecantusInstalled(options: { python?: string; progress?: Progress } = {}): Promise<string> {
  const venvPython = path.join(venvDir, 'bin', 'python');
  const installed = async () => existsSync(marker) && (await readFile(marker, 'utf8')).trim() === SECANTUS_PACKAGE;
  if (await installed()) return venvPython;
  return withInstallLock(async () => {
    if (await installed()) return venvPython;
    const python = await findPython(options.python);
    const progress = options.progress ?? (() => {});
    const started = Date.now();
    progress(`Installing the embedded database (${SECANTUS_PACKAGE}) into .secantus/ — once only…`);
    await rm(venvDir, { recursive: true, force: true });
    try {
      await execFileAsync(python, ['-m', 'venv', venvDir]);
      progress('  virtual environment ready, downloading packages from PyPI…');
      await execFileAsync(
        venvPython,
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', SECANTUS_PACKAGE],
        { maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      await rm(venvDir, { recursive: true, force: true });
      const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
      throw new EmbeddedDatabaseError(
        `Could not install the embedded database (${SECANTUS_PACKAGE}): ${stderr.split('\n').slice(-3).join(' ')}. ` +
          'Check that PyPI is reachable, or set MONGODB_URI to use your own MongoDB.',
      );
    }
    await writeFile(marker, SECANTUS_PACKAGE + '\n');
    progress(`  embedded database installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return venvPython;
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockInfo {
  pid: number;
  dbPid?: number;
  port?: number;
  startedAt: string;
}

/**
 * One Suara per data folder: WiredTiger allows a single opener, and a second server on the same files would
 * fail with an obscure "resource busy". The lock file names the process that holds the data.
 */
async function acquireDataLock(lockPath: string, storagePath: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = JSON.parse(await readFile(lockPath, 'utf8').catch(() => '{}')) as Partial<LockInfo>;
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new EmbeddedDatabaseError(
          `The data in ${storagePath} is in use by another Suara (process ${holder.pid}` +
            (holder.port ? `, database on port ${holder.port}` : '') +
            '). Stop that one first, or start this one with another DATA_DIR.',
        );
      }
      // The holder died without cleaning up; its database child dies with it (parent-death signal), but make sure.
      if (holder.dbPid && isAlive(holder.dbPid)) {
        process.kill(holder.dbPid, 'SIGTERM');
        for (let i = 0; i < 100 && isAlive(holder.dbPid); i++) await new Promise((r) => setTimeout(r, 100));
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new EmbeddedDatabaseError(`Could not lock ${lockPath}.`);
}

// Asks the kernel to SIGTERM the database when Suara dies in any way (even kill -9), so no orphan holds the data.
const parentDeathShim = [
  'import ctypes, os, signal, sys',
  'try: ctypes.CDLL(None).prctl(1, signal.SIGTERM)',
  'except Exception: pass',
  'os.execv(sys.argv[1], sys.argv[1:])',
].join('\n');

export interface EmbeddedDatabase {
  uri: string;
  port: number;
  /** The server process now running; it changes when the server is restarted after a crash. */
  readonly pid: number;
  storagePath: string;
  /** Stops the server and waits until it has exited and released the data (takes a few seconds). */
  stop(): Promise<void>;
}

/** What the automatic restart after an unexpected exit is doing, for the caller to log. */
export type RestartEvent =
  | { state: 'scheduled'; attempt: number; delayMs: number }
  | { state: 'restarted'; attempt: number; pid: number }
  | { state: 'gave-up'; attempts: number };

export interface StartOptions {
  storagePath: string;
  /** Port to serve on; a free one when omitted. */
  port?: number;
  python?: string;
  /** WiredTiger cache size ('1G' when omitted, SecantusDB's default). */
  cacheSize?: string;
  progress?: Progress;
  onLog?: (line: string) => void;
  /** Called when the server exits without stop() having been called; it is then restarted (see onRestart). */
  onUnexpectedExit?: (code: number | null, lastLines: string[]) => void;
  /** Called as the server is restarted after an unexpected exit: when scheduled, when it answers, when given up. */
  onRestart?: (event: RestartEvent) => void;
}

// Opening a database of millions of documents takes SecantusDB a while before it answers (27 s for 2 million on an
// idle 2-core machine; more than 60 s on a busy one, after an unclean stop): a server that is still running is
// waited for this long, with a line every STILL_STARTING_EVERY_MS; one that exits fails at once.
const START_TIMEOUT_MS = 5 * 60_000;
const STILL_STARTING_EVERY_MS = 15_000;
// A crashed server is restarted after 1 s, 2 s, 4 s… up to RESTART_MAX_DELAY_MS. One that answered and then ran
// for RESTART_STABLE_MS counts as having recovered, so its next crash starts the backoff over; after
// RESTART_MAX_ATTEMPTS restarts in a row that died again sooner, something is wrong that retrying will not fix.
const RESTART_MAX_DELAY_MS = 16_000;
const RESTART_STABLE_MS = 10_000;
const RESTART_MAX_ATTEMPTS = 5;

/** One run of the server process. */
interface ServerRun {
  child: ChildProcess;
  startedAt: number;
  answered: boolean;
  /** Its last output lines, for the message when it fails. */
  lastLines: string[];
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * SIGTERM and wait: the server checkpoints and holds the WiredTiger lock until it exits. SIGKILL if it hangs — a
 * checkpoint of a large cache can take a minute, and a killed server makes the next start recover first.
 */
async function terminate(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 90_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
}

async function answersPing(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 300, connectTimeoutMS: 300 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** Resolves once the run answers a ping; throws when it exits first or stays silent past START_TIMEOUT_MS. */
async function waitUntilAnswering(
  run: ServerRun,
  uri: string,
  port: number,
  storagePath: string,
  progress: Progress = () => {},
): Promise<void> {
  const began = Date.now();
  const deadline = began + START_TIMEOUT_MS;
  let nextLine = began + STILL_STARTING_EVERY_MS;
  while (!(await answersPing(uri))) {
    if (!isRunning(run.child)) {
      const tail = run.lastLines.slice(-3).join(' ');
      if (/resource busy|WiredTiger.lock/i.test(tail))
        throw new EmbeddedDatabaseError(
          `The data in ${storagePath} is in use by another database server. Stop it first, or use another DATA_DIR.`,
        );
      throw new EmbeddedDatabaseError(`The embedded database exited at start (code ${run.child.exitCode}): ${tail}`);
    }
    if (Date.now() > deadline)
      throw new EmbeddedDatabaseError(
        `The embedded database did not answer on port ${port} within ${START_TIMEOUT_MS / 1000} s.`,
      );
    if (Date.now() >= nextLine) {
      nextLine += STILL_STARTING_EVERY_MS;
      progress(
        `  the embedded database is still opening ${storagePath} (${Math.round((Date.now() - began) / 1000)} s; ` +
          'a large database takes a while)…',
      );
    }
    await delay(150);
  }
  run.answered = true;
}

/**
 * Starts SecantusDB on storagePath and resolves once it answers. From then on it is supervised: if it dies
 * without stop() (killed, crashed), it is started again on the same port and files, so the app's driver, which
 * keeps retrying that address, reconnects by itself. stop() ends whichever run is current.
 */
export async function startEmbeddedDatabase(options: StartOptions): Promise<EmbeddedDatabase> {
  const venvPython = await ensureSecantusInstalled(options);
  const storagePath = path.resolve(options.storagePath);
  const lockPath = `${storagePath}.lock`;
  await mkdir(storagePath, { recursive: true });
  await acquireDataLock(lockPath, storagePath);

  const port = options.port ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  const args = ['-c', parentDeathShim, path.join(venvDir, 'bin', 'secantusd-py'), '--host', '127.0.0.1'];
  args.push('--port', String(port), '--storage-path', storagePath, '--log-level', 'WARNING');
  // Flush the log on every commit: an acknowledged write must survive kill -9 or a power cut (measured: without
  // it, a write acknowledged within ~100 ms of a kill was lost).
  args.push('--sync-on-commit');
  if (options.cacheSize) args.push('--cache-size', options.cacheSize);

  let current: ServerRun;
  let supervising = false; // only once the first run answered: a failure at start is reported to the caller
  let stopping = false;
  let attempts = 0; // restarts in a row whose server died again before it was stable
  let restartTimer: NodeJS.Timeout | undefined;
  let lockWritten = Promise.resolve();

  const launch = (): ServerRun => {
    const child = spawn(venvPython, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ServerRun = { child, startedAt: Date.now(), answered: false, lastLines: [] };
    const remember = (line: string) => {
      run.lastLines.push(line);
      if (run.lastLines.length > 40) run.lastLines.shift();
    };
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        remember(line);
        options.onLog?.(line);
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('error', (error) => remember(error.message));
    child.once('exit', (code) => {
      if (supervising && !stopping) onUnexpectedExit(run, code);
    });
    current = run;
    // The lock names the live server, so that a later start can clean up after a Suara that died with it running.
    lockWritten = writeFile(
      lockPath,
      JSON.stringify({
        pid: process.pid,
        dbPid: child.pid,
        port,
        startedAt: new Date().toISOString(),
      } satisfies LockInfo),
    );
    return run;
  };

  const onUnexpectedExit = (run: ServerRun, code: number | null) => {
    options.onUnexpectedExit?.(code, run.lastLines);
    const recovered = run.answered && Date.now() - run.startedAt >= RESTART_STABLE_MS;
    attempts = recovered ? 1 : attempts + 1;
    if (attempts > RESTART_MAX_ATTEMPTS) {
      options.onRestart?.({ state: 'gave-up', attempts: RESTART_MAX_ATTEMPTS });
      return;
    }
    const delayMs = Math.min(1000 * 2 ** (attempts - 1), RESTART_MAX_DELAY_MS);
    options.onRestart?.({ state: 'scheduled', attempt: attempts, delayMs });
    restartTimer = setTimeout(() => void restart(), delayMs);
  };

  const restart = async () => {
    if (stopping) return;
    const run = launch();
    try {
      await Promise.all([lockWritten, waitUntilAnswering(run, uri, port, storagePath, options.progress)]);
      options.onRestart?.({ state: 'restarted', attempt: attempts, pid: run.child.pid! });
    } catch {
      // If it exited, its exit handler has already scheduled the next attempt; if it hangs (or its lock could not
      // be written), killing it does so.
      if (isRunning(run.child)) run.child.kill('SIGKILL');
    }
  };

  const stop = async () => {
    stopping = true;
    clearTimeout(restartTimer);
    await terminate(current.child);
    await lockWritten.catch(() => {}); // so that a late lock write cannot recreate the file removed next
    await rm(lockPath, { force: true });
  };

  const first = launch();
  try {
    await Promise.all([lockWritten, waitUntilAnswering(first, uri, port, storagePath, options.progress)]);
  } catch (error) {
    await stop();
    throw error;
  }
  supervising = true;
  return {
    uri,
    port,
    get pid() {
      return current.child.pid!;
    },
    storagePath,
    stop,
  };
}
