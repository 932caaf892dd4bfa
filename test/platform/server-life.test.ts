import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/platform/embedded-db.js';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * The real server as a person runs it (`tsx src/server.ts`), on a throwaway DATA_DIR with its own embedded
 * SecantusDB: first start with the demo, a second start refused, Ctrl-C, the next start reusing the data, the
 * database dying under it, and a wrong setting. The steps run in order on one data folder, as a user's would.
 */
const DEMO_PASSWORD = 'demo-rahasia-123';
const ROLES = ['admin', 'unit_head', 'handler', 'coach', 'officer', 'viewer'];

interface Server {
  child: ChildProcess;
  dataDir: string;
  base: string;
  /** Everything it has written to the terminal (stderr) so far. */
  stderr: string;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

interface DemoAccount {
  email: string;
  password: string;
  role: string;
  unitCode: string | null;
}

const servers: Server[] = [];
const folders: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'suara-life-'));
  folders.push(dir);
  return dir;
}

function startServer(dataDir: string, port: number | string): Server {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DEMO_PASSWORD,
  };
  delete env.TEST_MONGODB_URI;
  // Empty counts as unset for Suara; unlike a deleted variable, dotenv will not fill it in from a developer's .env.
  env.MONGODB_URI = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const server: Server = { child, dataDir, base: `http://127.0.0.1:${port}`, stderr: '' };
  child.stderr!.on('data', (chunk: Buffer) => (server.stderr += chunk.toString()));
  child.once('exit', (code, signal) => (server.exit = { code, signal }));
  servers.push(server);
  return server;
}

/** Polls check() every 100 ms until it returns something other than undefined; fails after ms, saying what. */
async function until<T>(what: string, ms: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${ms / 1000} s for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const said = (server: Server) => `\n--- it said:\n${server.stderr}`;

/** Waits for a line on the server's stderr; fails at once if the server exits first. */
function waitForLine(server: Server, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  return until(`a line matching ${pattern}`, ms, () => {
    const match = server.stderr.match(pattern);
    if (match) return match;
    if (server.exit)
      throw new Error(`The server exited (${JSON.stringify(server.exit)}) before ${pattern}.${said(server)}`);
    return undefined;
  });
}

function waitForExit(server: Server, ms: number): Promise<NonNullable<Server['exit']>> {
  return until(`the server to exit${said(server)}`, ms, () => server.exit);
}

/** Polls url until it answers with status; returns that response. A failure says what it answered last. */
async function waitFor(url: string, status: number, ms: number): Promise<Response> {
  let last = 'nothing yet';
  return until(`${url} to answer ${status}`, ms, async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch((error: Error) => {
      last = error.message;
    });
    if (!response) return undefined;
    if (response.status === status) return response;
    last = `${response.status} ${await response.text()}`;
    return undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message} Last answer: ${last.slice(0, 300)}`);
  });
}

const json = async <T>(response: Response) => (await response.json()) as T;

async function signIn(server: Server, email: string, password: string): Promise<Response> {
  return fetch(`${server.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

/** One demo account per role, each signing in with the demo password. */
async function expectEachRoleSignsIn(server: Server, accounts: DemoAccount[]): Promise<void> {
  for (const role of ROLES) {
    const account = accounts.find((candidate) => candidate.role === role);
    expect(account, `a demo account with role ${role}`).to.not.equal(undefined);
    expect(account!.password).to.equal(DEMO_PASSWORD);
    const response = await signIn(server, account!.email, account!.password);
    expect(response.status, `${role} ${account!.email} signs in`).to.equal(200);
    expect((await json<{ csrfToken: unknown }>(response)).csrfToken).to.be.a('string').that.is.not.empty;
  }
}

async function unitCount(server: Server): Promise<number> {
  const response = await fetch(`${server.base}/api/v1/units`);
  expect(response.status).to.equal(200);
  return (await json<unknown[]>(response)).length;
}

const readLock = async (dataDir: string) =>
  JSON.parse(await readFile(path.join(dataDir, 'db.lock'), 'utf8')) as { pid: number; dbPid: number; port: number };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Listens on port (once whoever had it is gone), dropping every connection, so that nothing else can serve there. */
async function holdPort(port: number): Promise<net.Server> {
  const squatter = net.createServer((socket) => socket.destroy());
  await until(
    `port ${port} to be free`,
    5_000,
    () =>
      new Promise<true | undefined>((resolve) => {
        squatter.once('error', () => resolve(undefined));
        squatter.listen(port, '127.0.0.1', () => resolve(true));
      }),
  );
  squatter.removeAllListeners('error');
  return squatter;
}

/** Ctrl-C, then SIGKILL if it hangs; then waits for its database to be gone so its folder can be removed. */
async function stopForGood(server: Server): Promise<void> {
  if (server.exit) return;
  const dbPid = await readLock(server.dataDir).then(
    (lock) => lock.dbPid,
    () => undefined,
  );
  server.child.kill('SIGINT');
  await waitForExit(server, 20_000).catch(() => {
    server.child.kill('SIGKILL');
    return waitForExit(server, 5_000);
  });
  // After a SIGKILL of the server its database gets SIGTERM from the kernel (parent-death signal) and needs a moment.
  if (dbPid) await until('the database to exit', 15_000, () => (isAlive(dbPid) ? undefined : true)).catch(() => {});
}

describe('the server’s life on one data folder', function () {
  let dataDir: string;
  let first: Server;
  let demoAccounts: DemoAccount[];
  let units: number;

  before(async () => {
    dataDir = await tempDir();
  });

  after(async function () {
    this.timeout(90_000);
    await Promise.all(servers.map(stopForGood));
    await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
  });

  it('first start: serves /healthz and /readyz, loads the demo and writes accounts that sign in', async function () {
    this.timeout(180_000);
    first = startServer(dataDir, await freePort());
    await waitForLine(first, /Suara is serving on http:\/\/localhost:\d+/, 150_000);
    expect(first.stderr).to.match(/Demo data loaded/);

    const health = await fetch(`${first.base}/healthz`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ status: 'ok' });
    const ready = await fetch(`${first.base}/readyz`);
    expect(ready.status).to.equal(200);
    expect((await json<{ status: string }>(ready)).status).to.equal('ok');

    demoAccounts = JSON.parse(await readFile(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as DemoAccount[];
    expect(new Set(demoAccounts.map((account) => account.role))).to.include.all.keys(ROLES);
    await expectEachRoleSignsIn(first, demoAccounts);
    expect((await signIn(first, demoAccounts[0]!.email, 'not-the-password')).status).to.equal(401);
    units = await unitCount(first);
    expect(units).to.be.greaterThan(0);
  });

  it('refuses a second start on the same data, saying it is in use, while the first keeps serving', async function () {
    this.timeout(60_000);
    const second = startServer(dataDir, await freePort());
    const exit = await waitForExit(second, 45_000);
    expect(exit.code, said(second)).to.be.a('number').and.not.equal(0);
    expect(second.stderr)
      .to.match(/is in use by another Suara/)
      .and.include(dataDir);

    expect(first.exit).to.equal(undefined);
    expect((await fetch(`${first.base}/readyz`)).status).to.equal(200);
    expect((await readLock(dataDir)).pid).to.equal(first.child.pid);
  });

  it('stops on Ctrl-C: exits 0, its database process is gone and the lock is released', async function () {
    this.timeout(60_000);
    const { dbPid } = await readLock(dataDir);
    expect(isAlive(dbPid)).to.equal(true);
    first.child.kill('SIGINT');
    const exit = await waitForExit(first, 45_000);
    expect(exit, said(first)).to.deep.equal({ code: 0, signal: null });
    expect(isAlive(dbPid), 'secantusd still running').to.equal(false);
    expect(existsSync(path.join(dataDir, 'db.lock'))).to.equal(false);
  });

  let again: Server;
  it('reuses the data on the next start: no second demo, the same accounts and units', async function () {
    this.timeout(120_000);
    again = startServer(dataDir, await freePort());
    await waitForLine(again, /Suara is serving on/, 90_000);
    expect(again.stderr).not.to.match(/Demo data loaded/);
    await expectEachRoleSignsIn(again, demoAccounts);
    expect(await unitCount(again)).to.equal(units);
  });

  it('answers 503 while its database is down after a kill -9, and recovers by itself', async function () {
    this.timeout(60_000);
    const { dbPid, port: dbPort } = await readLock(dataDir);
    process.kill(dbPid, 'SIGKILL');
    // The automatic restart can be back within a second; holding its port keeps the database down (restart
    // attempts fail and back off) until the outage has been seen, however slow this machine is.
    const squatter = await holdPort(dbPort);
    try {
      const [, down] = await Promise.all([
        waitFor(`${again.base}/readyz`, 503, 10_000),
        waitFor(`${again.base}/api/v1/units`, 503, 10_000),
      ]);
      expect((await json<{ error: { code: string } }>(down)).error.code).to.equal('unavailable');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }

    await waitFor(`${again.base}/readyz`, 200, 30_000);
    expect(again.exit, 'the app itself kept running').to.equal(undefined);
    const lock = await readLock(dataDir);
    expect(lock.dbPid).to.not.equal(dbPid);
    expect(isAlive(lock.dbPid)).to.equal(true);
    expect(await unitCount(again)).to.equal(units);
  });

  it('exits 1 at once with one line naming PORT when PORT is wrong', async function () {
    this.timeout(30_000);
    const wrong = startServer(await tempDir(), 'abc');
    const exit = await waitForExit(wrong, 20_000);
    expect(exit.code, said(wrong)).to.equal(1);
    const lines = wrong.stderr.split('\n').filter((line) => line.trim());
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('PORT');
  });
});
