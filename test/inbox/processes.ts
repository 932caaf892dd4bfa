import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/platform/embedded-db.js';
import { projectRoot } from '../../src/platform/paths.js';
import { until } from './live.js';

/** Debian's redis-server (never a test tool's own download). CI installs it; see .ci/run. */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

/**
 * Real processes for the specs that need more than one: Debian's Redis, and Suara itself started as a person
 * starts it (`node --import tsx src/server.ts`). Each keeps what it printed, for the failure message; `stopAll`
 * ends them (SIGTERM, then SIGKILL after a few seconds) and removes their folders.
 */
export interface Child {
  name: string;
  process: ChildProcess;
  output: string;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

const children: Child[] = [];
const folders: string[] = [];

function track(name: string, child: ChildProcess): Child {
  const tracked: Child = { name, process: child, output: '' };
  const keep = (chunk: Buffer) => (tracked.output = (tracked.output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => (tracked.exit = { code, signal }));
  children.push(tracked);
  return tracked;
}

export const said = (child: Child) => `\n--- ${child.name} said:\n${child.output.slice(-4000)}`;

/** Skips the calling suite with a visible reason when redis-server is missing — except under CI, where it fails. */
export function requireRedisServer(context: Mocha.Context): void {
  if (existsSync(REDIS_SERVER)) return;
  if (process.env.CI)
    throw new Error(`redis-server not found at ${REDIS_SERVER}: .ci/run installs Debian's redis-server`);
  process.stderr.write(
    `  (two-process specs skipped: no redis-server at ${REDIS_SERVER}; apt-get install redis-server)\n`,
  );
  context.skip();
}

/** Answers PING with PONG? */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** A throwaway Redis: no persistence, on a free port (or on the given one, to restart it where it was). */
export async function startRedis(onPort?: number): Promise<{ url: string; port: number; child: Child }> {
  const port = onPort ?? (await freePort());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'suara-redis-'));
  folders.push(dir);
  const child = track(
    'redis-server',
    spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  await waitUntil(`redis-server to answer on port ${port}`, 10_000, child, async () =>
    (await pong(port)) ? true : undefined,
  );
  return { url: `redis://127.0.0.1:${port}`, port, child };
}

/** Like `until`, polling every 100 ms, but failing at once (with what it said) if the child has exited. */
export async function waitUntil<T>(what: string, ms: number, child: Child, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exit)
      throw new Error(`${child.name} exited (${JSON.stringify(child.exit)}) before ${what}.${said(child)}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${ms / 1000} s for ${what}.${said(child)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface SuaraProcess {
  child: Child;
  baseUrl: string;
}

/** Suara as a person runs it, on a database and Redis shared with its siblings (one inbox, several processes). */
export async function startSuara(name: string, env: Record<string, string>): Promise<SuaraProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-process-'));
  folders.push(dataDir);
  const child = track(
    name,
    spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: String(port), DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(`${name} to be ready`, 60_000, child, async () => {
    const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return response?.status === 200 ? true : undefined;
  });
  return { child, baseUrl };
}

export async function stopAll(): Promise<void> {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exit) return;
      child.process.kill('SIGTERM');
      await until(`${child.name} to stop`, 10_000, () => child.exit).catch(() => {
        child.process.kill('SIGKILL');
      });
    }),
  );
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}
