import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { projectRoot } from './paths.js';

/**
 * SecantusDB, the MongoDB wire-protocol server we run when MONGODB_URI is unset (DESIGN.md section 5).
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
  const candidates = preferred ? [preferred] : ['python3.13', 'python3.12', 'python3.11', 'python3.10', 'python3', 'python'];
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
  pid: number;
  storagePath: string;
  /** Stops the server and waits until it has exited and released the data (takes a few seconds). */
  stop(): Promise<void>;
}

export interface StartOptions {
  storagePath: string;
  python?: string;
  progress?: Progress;
  onLog?: (line: string) => void;
  /** Called when the server exits without stop() having been called. */
  onUnexpectedExit?: (code: number | null, lastLines: string[]) => void;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startEmbeddedDatabase(options: StartOptions): Promise<EmbeddedDatabase> {
  const venvPython = await ensureSecantusInstalled(options);
  const storagePath = path.resolve(options.storagePath);
  const lockPath = `${storagePath}.lock`;
  await mkdir(storagePath, { recursive: true });
  await acquireDataLock(lockPath, storagePath);

  const port = await freePort();
  const server = path.join(venvDir, 'bin', 'secantusd-py');
  const args = ['-c', parentDeathShim, server, '--host', '127.0.0.1', '--port', String(port)];
  args.push('--storage-path', storagePath, '--log-level', 'WARNING');
  const child = spawn(venvPython, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lastLines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lastLines.push(line);
      if (lastLines.length > 40) lastLines.shift();
      options.onLog?.(line);
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let stopping = false;
  child.once('exit', (code) => {
    if (!stopping) options.onUnexpectedExit?.(code, lastLines);
  });
  await writeFile(
    lockPath,
    JSON.stringify({ pid: process.pid, dbPid: child.pid, port, startedAt: new Date().toISOString() } satisfies LockInfo),
  );

  const stop = async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 30_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    await rm(lockPath, { force: true });
  };

  const uri = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  const deadline = Date.now() + 60_000;
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await rm(lockPath, { force: true });
      const tail = lastLines.slice(-3).join(' ');
      if (/resource busy|WiredTiger.lock/i.test(tail))
        throw new EmbeddedDatabaseError(`The data in ${storagePath} is in use by another database server. Stop it first, or use another DATA_DIR.`);
      throw new EmbeddedDatabaseError(`The embedded database exited at start (code ${child.exitCode}): ${tail}`);
    }
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 300, connectTimeoutMS: 300 });
    try {
      await client.db('admin').command({ ping: 1 });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new EmbeddedDatabaseError(`The embedded database did not answer on port ${port} within 60 s.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    } finally {
      await client.close();
    }
  }
  return { uri, port, pid: child.pid!, storagePath, stop };
}
