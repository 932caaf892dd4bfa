/**
 * The soak scenario of `npm run bench` (`BENCH_ONLY=soak` runs it alone): Suara as `npm start` runs it, on a
 * throwaway DATA_DIR with its own embedded database and the demo, while BENCH_SOAK_CITIZENS (default 40) citizens
 * file complaints (and now and then a survey answer) for BENCH_SOAK_SECONDS (default 60). Each complaint gives an
 * e-mail address, so each queues a receipt, sent to a real SMTP server (`smtp-server`) on a loopback port. A third of
 * the way in, the embedded database is killed with SIGKILL; Suara restarts it. In the middle of the run the SMTP
 * server is down for BENCH_SOAK_SMTP_DOWN (default 20 seconds): its port closed, then opened again. A citizen whose
 * POST failed tries again with the same Idempotency-Key, as the form and a careful client do.
 *
 * Afterwards: every acknowledged ticket is looked up in the database, the projectors are waited for, and the
 * rollups and the coaching feed are compared with a recomputation from the sources (src/drift.ts, as `npm run
 * verify`); then the outbox is waited for (at most BENCH_SOAK_MAIL_WAIT, default 180 seconds: a mail that failed
 * while SMTP was down is tried again 30 s later) and every queued mail is looked for at the SMTP server. Reported:
 * tickets acknowledged and readable, 503s and other failures, differences per collection, the POST latency p50/p99,
 * and mails queued, delivered (after SMTP returned, and in all) and lost.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { checkDrift } from '../../src/drift.js';
import { connectMongoose } from '../../src/platform/db.js';
import { freePort } from '../../src/platform/embedded-db.js';
import { projectorBacklog } from '../../src/platform/event-log.js';
import { SMTPServer } from 'smtp-server';
import { projectRoot } from './targets.js';

export interface SoakResult {
  citizens: number;
  seconds: number;
  acknowledged: number;
  readable: number;
  surveys: number;
  unavailable503: number;
  otherFailures: number;
  databaseKilledAtSecond: number;
  postLatencyMs: { p50: number; p99: number };
  differences: Record<string, number>;
  mail: SoakMail;
}

export interface SoakMail {
  /** When the SMTP server closed its port and when it listened again, in seconds from the start. */
  downFromSecond: number;
  downToSecond: number;
  /** Receipts in the outbox (one per acknowledged ticket with an address). */
  queued: number;
  /** Distinct queued mails the SMTP server received (by Message-ID), and of those, first received after it returned. */
  delivered: number;
  deliveredAfterReturn: number;
  /** Mails received more than once (delivery is at least once: a retry after an unclear answer). */
  duplicates: number;
  /** Outbox entries that failed for good, and those still waiting when the wait ran out. */
  failed: number;
  waiting: number;
  /** Seconds from the SMTP server's return to the last mail delivered. */
  drainedSecondsAfterReturn: number;
}

/**
 * A real SMTP server on a loopback port that records the Message-ID of each mail and when it came, and can be taken
 * down (its port closed: a send is refused at once) and brought back on the same port.
 */
class SoakMailServer {
  readonly arrivals: { messageId: string; at: number }[] = [];
  port = 0;
  private server: SMTPServer | undefined;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // Down means down: a connection still open is cut after a second rather than waited for.
      closeTimeout: 1000,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 8192) head += chunk.toString('utf8');
        });
        stream.on('end', () => {
          const messageId = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? `(none ${this.arrivals.length})`;
          this.arrivals.push({ messageId, at: Date.now() });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const address = server.server.address();
    if (typeof address === 'object' && address) this.port = address.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!) : 0;

export async function runSoak(say: (line: string) => void): Promise<SoakResult> {
  const citizens = Number(process.env.BENCH_SOAK_CITIZENS ?? 40);
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
  const smtpDownSeconds = Number(process.env.BENCH_SOAK_SMTP_DOWN ?? 20);
  const mailWaitSeconds = Number(process.env.BENCH_SOAK_MAIL_WAIT ?? 180);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-soak-'));
  const smtp = new SoakMailServer();
  await smtp.start();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      MONGODB_URI: '',
      TRUST_PROXY: '1',
      LOG_LEVEL: 'error',
      DEMO_PASSWORD: 'soak-rahasia-123',
      NODE_ENV: 'development',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    for (const started = Date.now(); !/Suara is serving on/.test(stderr); await sleep(200))
      if (Date.now() - started > 240_000 || child.exitCode !== null)
        throw new Error(`soak: Suara did not start\n${stderr}`);
    const units = (await (await fetch(`${base}/api/v1/units`)).json()) as { code: string; parentCode: string | null }[];
    const unitCode = units.find((unit) => unit.parentCode)!.code;

    const latencies: number[] = [];
    const acknowledged: { code: string; accessToken: string }[] = [];
    let surveys = 0;
    let unavailable = 0;
    let other = 0;
    const started = Date.now();
    const until = started + seconds * 1000;
    const lock = async () =>
      JSON.parse(await readFile(path.join(dataDir, 'db.lock'), 'utf8')) as { dbPid: number; port: number };
    const killedAt = started + (seconds * 1000) / 3;
    const smtpDownAt = started + (seconds * 1000) / 2 - (smtpDownSeconds * 1000) / 2;
    let smtpBackAt = smtpDownAt + smtpDownSeconds * 1000;

    const post = async (url: string, body: unknown, headers: Record<string, string>) => {
      const at = performance.now();
      const response = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      }).catch(() => null);
      latencies.push(performance.now() - at);
      if (!response) other++;
      else if (response.status === 503) unavailable++;
      else if (response.status >= 400) other++;
      return response;
    };

    const citizen = async (client: number) => {
      for (let index = 0; Date.now() < until; index++) {
        const key = randomUUID();
        const from = `10.${client % 250}.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`;
        const ticket = {
          kind: 'complaint',
          unitCode,
          category: 'waiting_time',
          description: `Soak: warga ${client} menunggu lama di loket, pengaduan ke-${index + 1}.`,
          waitMinutes: 15 + (index % 90),
          reporter: { email: `warga${client}.${index + 1}@soak.example` },
          privacy: 'anonymous',
          consent: true,
        };
        // The same Idempotency-Key until it is acknowledged, or the soak ends.
        while (Date.now() < until + 30_000) {
          const response = await post('/api/v1/tickets', ticket, { 'Idempotency-Key': key, 'X-Forwarded-For': from });
          // 200: an earlier try with this key made the ticket and its answer was lost (the database went away).
          if (response?.status === 201 || response?.status === 200) {
            acknowledged.push((await response.json()) as { code: string; accessToken: string });
            break;
          }
          await sleep(Number(response?.headers.get('retry-after') ?? 0.5) * 1000);
        }
        if (index % 5 === 4) {
          const answered = await post(
            '/api/v1/surveys',
            {
              unitCode,
              answers: [4, 3, 3, 4, 3, 4, 4, 3, 3],
              respondent: { gender: 'female', ageBand: '30_39', education: 'sma', occupation: 'self_employed' },
            },
            { 'X-Forwarded-For': from, 'Idempotency-Key': randomUUID() },
          );
          if (answered?.status === 201) surveys++;
        }
      }
    };
    const killer = (async () => {
      await sleep(killedAt - Date.now());
      const { dbPid } = await lock();
      process.kill(dbPid, 'SIGKILL');
      say(`  soak: embedded database (pid ${dbPid}) killed at ${Math.round((Date.now() - started) / 1000)} s`);
    })();
    const smtpOutage = (async () => {
      await sleep(smtpDownAt - Date.now());
      await smtp.stop();
      say(`  soak: SMTP server down at ${Math.round((Date.now() - started) / 1000)} s`);
      await sleep(smtpDownAt + smtpDownSeconds * 1000 - Date.now());
      await smtp.start();
      smtpBackAt = Date.now();
      say(`  soak: SMTP server back at ${Math.round((smtpBackAt - started) / 1000)} s`);
    })();
    await Promise.all([killer, smtpOutage, ...Array.from({ length: citizens }, (_, client) => citizen(client))]);

    await connectMongoose(`mongodb://127.0.0.1:${(await lock()).port}/suara?directConnection=true`);
    // Read from the database itself: the tracking API allows one address 60 reads in 10 minutes, far fewer than
    // the tickets a soak acknowledges, and a refused read is not a lost ticket.
    const readable = await mongoose.connection
      .db!.collection('tickets')
      .countDocuments({ code: { $in: acknowledged.map((receipt) => receipt.code) } });
    for (const waiting = Date.now(); (await projectorBacklog()) > 0 && Date.now() - waiting < 180_000;)
      await sleep(500);
    const DAY_MS = 86_400_000;
    const drift = await checkDrift({ from: new Date(Date.now() - 2 * DAY_MS), to: new Date(Date.now() + DAY_MS) });
    const mail = await waitForMail(smtp, { started, smtpDownAt, smtpBackAt, waitSeconds: mailWaitSeconds });
    await mongoose.disconnect();
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      citizens,
      seconds,
      acknowledged: acknowledged.length,
      readable,
      surveys,
      unavailable503: unavailable,
      otherFailures: other,
      databaseKilledAtSecond: Math.round((killedAt - started) / 1000),
      postLatencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
      differences: Object.fromEntries(drift.collections.map((c) => [c.collection, c.differences])),
      mail,
    };
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    await smtp.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
}

/**
 * Waits until the outbox has nothing left to send (bounded), then matches what it holds with what the SMTP server
 * received: a mail's Message-ID is its outbox id (notifications/transport.ts).
 */
async function waitForMail(
  smtp: SoakMailServer,
  times: { started: number; smtpDownAt: number; smtpBackAt: number; waitSeconds: number },
): Promise<SoakMail> {
  const outbox = mongoose.connection.db!.collection<{ status: string }>('outbox');
  const deadline = Date.now() + times.waitSeconds * 1000;
  while ((await outbox.countDocuments({ status: { $in: ['queued', 'retry'] } })) > 0 && Date.now() < deadline)
    await sleep(1000);
  const entries = await outbox.find({}, { projection: { _id: 1, status: 1 } }).toArray();
  const firstArrival = new Map<string, number>();
  let duplicates = 0;
  for (const arrival of smtp.arrivals) {
    if (firstArrival.has(arrival.messageId)) duplicates++;
    else firstArrival.set(arrival.messageId, arrival.at);
  }
  // `<outbox id>.outbox@<domain>`
  const idOf = (messageId: string) => messageId.replace(/^</, '').split('.outbox@')[0];
  const firstById = new Map([...firstArrival].map(([messageId, at]) => [idOf(messageId), at]));
  const arrivals = entries
    .map((entry) => firstById.get(String(entry._id)))
    .filter((at): at is number => at !== undefined);
  const seconds = (ms: number) => Math.round(ms / 1000);
  return {
    downFromSecond: seconds(times.smtpDownAt - times.started),
    downToSecond: seconds(times.smtpBackAt - times.started),
    queued: entries.length,
    delivered: arrivals.length,
    deliveredAfterReturn: arrivals.filter((at) => at >= times.smtpBackAt).length,
    duplicates,
    failed: entries.filter((entry) => entry.status === 'failed').length,
    waiting: entries.filter((entry) => entry.status === 'queued' || entry.status === 'retry').length,
    drainedSecondsAfterReturn: arrivals.length ? Math.max(0, seconds(Math.max(...arrivals) - times.smtpBackAt)) : 0,
  };
}

export function formatSoak(result: SoakResult): string {
  const lost = result.acknowledged - result.readable;
  const differences = Object.values(result.differences).reduce((sum, n) => sum + n, 0);
  return [
    `Soak: ${result.citizens} citizens for ${result.seconds} s, the embedded database killed (kill -9) at ${result.databaseKilledAtSecond} s`,
    `  tickets acknowledged ${result.acknowledged}, readable afterwards ${result.readable} (lost ${lost})`,
    `  survey answers ${result.surveys}; 503s sent ${result.unavailable503}; other failed POSTs ${result.otherFailures}`,
    `  POST latency p50 ${result.postLatencyMs.p50} ms, p99 ${result.postLatencyMs.p99} ms`,
    `  differences found by the verifier: ${differences} (${Object.entries(result.differences)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')})`,
    `  SMTP down from ${result.mail.downFromSecond} s to ${result.mail.downToSecond} s: mails queued ${result.mail.queued}, ` +
      `delivered ${result.mail.delivered} (${result.mail.deliveredAfterReturn} after SMTP returned, the last ` +
      `${result.mail.drainedSecondsAfterReturn} s after), lost ${result.mail.queued - result.mail.delivered} ` +
      `(failed ${result.mail.failed}, still waiting ${result.mail.waiting}); delivered twice ${result.mail.duplicates}`,
  ].join('\n');
}

// Run on its own: `npx tsx scripts/bench/soak.ts`.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(projectRoot, 'scripts/bench/soak.ts'))
  runSoak((line) => process.stderr.write(line + '\n')).then(
    (result) => {
      process.stdout.write(formatSoak(result) + '\n');
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`soak failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
