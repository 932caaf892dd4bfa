import { fork } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/platform/embedded-db.js';
import type { Settings } from './settings.js';
import { exited, waitForExit } from '../cluster.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '../..');

/**
 * A server under test. Each runs in a child process of its own so that autocannon (in the bench's process) does
 * not share an event loop with it; only one is loaded at a time, the others sit idle.
 */
export interface TargetSpec {
  name: string;
  /** The server module to run, relative to the project root. */
  entry: string;
  /** Answers 200 once the server can serve (database connected). */
  readyPath: string;
  env(context: TargetContext): Record<string, string>;
}

export interface TargetContext {
  /** URI of the bench's database, with the database name in its path. */
  mongodbUri: string;
  workDir: string;
  port: number;
  settings: Settings;
}

export interface RunningTarget {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

export async function startTarget(spec: TargetSpec, context: Omit<TargetContext, 'port'>): Promise<RunningTarget> {
  const port = await freePort();
  // The child's output goes to a file, not through this process: logging per request must not load the load
  // generator. The file is shown when the server fails to start.
  const logFile = path.join(context.workDir, `${spec.name}.log`);
  const out = openSync(logFile, 'a');
  const child = fork(path.join(here, 'child.ts'), [path.join(projectRoot, spec.entry)], {
    cwd: context.workDir, // no project .env is picked up by dotenv: the bench sets every variable itself
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...spec.env({ ...context, port }),
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    // BENCH_NODE_FLAGS: extra Node flags for the servers measured (for example `--trace-gc` to see collections in
    // the server's log, or a heap setting to compare).
    execArgv: [
      '--import',
      import.meta.resolve('tsx'),
      ...(process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
    ],
    stdio: ['ignore', out, out, 'ipc'],
  });
  closeSync(out);

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited(child)) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 20_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
  };

  const deadline = Date.now() + 60_000;
  while (true) {
    if (exited(child)) throw new Error(`${spec.name} exited at start (code ${child.exitCode}):\n${tail(logFile)}`);
    try {
      const response = await fetch(url + spec.readyPath, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${spec.name} was not ready within 60 s:\n${tail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { name: spec.name, url, pid: child.pid!, stop };
}
