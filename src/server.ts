import 'dotenv/config';
import { createServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './platform/db.js';
import { EmbeddedDatabaseError } from './platform/embedded-db.js';
import { logger, setLogLevel } from './platform/logger.js';
import { initEncryption } from './platform/crypto.js';
import { sessionSecret } from './platform/security.js';
import { sessionMiddleware } from './platform/session.js';
import { attachInboxGateway, staffSocketOptions, type InboxGateway } from './modules/inbox/gateway.js';
import { loadDemoIfEmpty } from './demo/seed.js';
import { startScheduler, stopScheduler } from './platform/scheduler.js';
import { eventsSettled } from './platform/events.js';
import { backlogGauge, startProjectors, stopProjectors } from './platform/event-log.js';
import { registerPressureSource } from './platform/backpressure.js';
import { startOutboxWorker, stopOutboxWorker } from './modules/notifications/worker.js';
import { ensureReferenceData } from './reference-data.js';
import { registerClockJobs } from './modules/feedback/clocks.js';
import { registerCoachingJobs } from './modules/coaching/reminders.js';
import { registerCoachingSubscribers } from './modules/coaching/events.js';
import { registerAnalyticsSubscribers } from './modules/analytics/index.js';
import { attachDisplayGateway } from './modules/analytics/index.js';
import { registerReconciliation } from './drift.js';

/** One line to the terminal for the person starting Suara (the structured log goes to stdout as JSON). */
const say = (line: string) => process.stderr.write(line + '\n');

async function main(config: Config): Promise<void> {
  setLogLevel(config.logLevel);
  await initEncryption(config);
  const database: DatabaseHandle = await openDatabase(config, say);
  let shuttingDown = false;

  // From here on, whatever happens, the embedded database is stopped before the process ends.
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => process.exit(code || 1), 40_000);
    force.unref();
    await stopScheduler(); // lets running jobs finish (they are told to stop) before anything closes
    await stopOutboxWorker();
    await gateway?.close();
    io?.close();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    http?.closeAllConnections();
    // Subscribers still updating records and rollups finish first (bounded: a stuck one must not block the exit).
    await Promise.race([eventsSettled(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]).catch(
      () => undefined,
    );
    // Events claimed and not yet done wait for their lease to run out, then any process applies them.
    await stopProjectors();
    await database.close().catch((error: unknown) => logger.error({ err: error }, 'closing the database failed'));
    logger.info('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    void shutdown('crash', 1);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void shutdown('crash', 1);
  });

  let http: ReturnType<typeof createServer> | undefined;
  let io: SocketServer | undefined;
  let gateway: InboxGateway | undefined;
  try {
    await ensureReferenceData();
    if (database.embedded) {
      const demo = await loadDemoIfEmpty(config);
      if (demo) {
        say(`Demo data loaded. Sign-in accounts (also in ${demo.file}):`);
        for (const account of demo.accounts)
          say(
            `  ${account.role.padEnd(10)} ${account.email.padEnd(40)} ${account.password}  ${account.unitCode ?? ''}`,
          );
      }
    }
    // Coaching records and analytics rollups follow the durable domain events from here on (event-log.ts).
    registerCoachingSubscribers();
    registerAnalyticsSubscribers();
    startProjectors();
    // Intake waits while the projectors are far behind: figures would lag further with every ticket taken.
    if (config.backpressure.maxProjectorBacklog > 0) {
      const backlog = backlogGauge();
      registerPressureSource('projector_backlog', () => backlog.value() > config.backpressure.maxProjectorBacklog);
    }
    const secret = await sessionSecret(config);
    // One session middleware for HTTP and for the Socket.IO handshake.
    const session = sessionMiddleware(config, secret);
    const app = createApp({ config, sessionSecret: secret, session });
    http = createServer(app);
    io = new SocketServer(http, { serveClient: false, ...staffSocketOptions });
    gateway = attachInboxGateway(io, {
      sessionMiddleware: session,
      redisUrl: config.redisUrl,
      publicUrl: config.publicUrl,
    });
    attachDisplayGateway(io, { clustered: Boolean(config.redisUrl) }); // hall screens (public /display namespace)
    await new Promise<void>((resolve, reject) => {
      http!.once('error', reject);
      http!.listen(config.port, config.host, resolve);
    });
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port }, 'listening');
    // Mail and scheduled work start once the app serves; shutdown stops them first.
    startOutboxWorker(config);
    registerClockJobs(config);
    registerCoachingJobs(config);
    registerReconciliation();
    startScheduler();
    say(
      `Suara is serving on http://localhost:${port}` +
        (database.embedded ? ` (embedded database, data in ${config.dataDir})` : ''),
    );
    say(
      config.smtpUrl
        ? 'E-mail goes out through SMTP_URL.'
        : `E-mail is not sent: each message is written to ${config.dataDir}/mail (set SMTP_URL to send).`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      say(`Port ${config.port} is already in use: stop what uses it, or set PORT to another number.`);
    else logger.fatal({ err: error }, 'start-up failed');
    await shutdown('start-up failed', 1);
  }
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  say(error.message);
  process.exit(1);
}
main(config).catch((error: unknown) => {
  if (error instanceof EmbeddedDatabaseError) say(error.message);
  else logger.fatal({ err: error }, 'start-up failed');
  process.exitCode = 1;
});
