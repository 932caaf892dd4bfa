import 'dotenv/config';
import { createServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './platform/db.js';
import { EmbeddedDatabaseError } from './platform/embedded-db.js';
import { logger, setLogLevel } from './platform/logger.js';
import { initEncryption } from './platform/crypto.js';
import { sessionSecret } from './platform/secrets.js';
import { sessionMiddleware } from './platform/session.js';
import { staffSocketOptions } from './modules/inbox/index.js';
import { loadDemoIfEmpty } from './demo/seed.js';
import { startScheduler, stopScheduler } from './platform/scheduler.js';
import { eventsSettled } from './platform/events.js';
import { backlogGauge, startProjectors, stopProjectors } from './platform/event-log.js';
import { registerPressureSource } from './platform/backpressure.js';
import { ensureReferenceData } from './reference-data.js';
import { modules } from './modules/index.js';
import {
  attachModuleGateways,
  installModules,
  registerModuleJobs,
  registerModuleSubscribers,
  startModules,
  stopModules,
  type Gateway,
} from './platform/modules.js';
import { useRedisAdapter, type RedisLink } from './platform/socket-adapter.js';
import { registerReconciliation } from './drift.js';
import { instrumentDatabase, registerGauge, startMetricsServer } from './platform/metrics.js';
import { registerModuleMetrics } from './platform/modules.js';

/** One line to the terminal for the person starting Suara (the structured log goes to stdout as JSON). */
const say = (line: string) => process.stderr.write(line + '\n');

async function main(config: Config): Promise<void> {
  setLogLevel(config.logLevel);
  await initEncryption(config);
  installModules(modules, config);
  const database: DatabaseHandle = await openDatabase(config, say);
  instrumentDatabase(); // round trips and failures for /metrics
  let shuttingDown = false;

  // From here on, whatever happens, the embedded database is stopped before the process ends.
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => process.exit(code || 1), 40_000);
    force.unref();
    await stopScheduler(); // lets running jobs finish (they are told to stop) before anything closes
    await stopModules(modules); // background work (the mail outbox worker)
    for (const gateway of gateways) await gateway.close();
    metricsServer?.close();
    await redis?.close();
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
  let gateways: Gateway[] = [];
  let redis: RedisLink | undefined;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
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
    registerModuleSubscribers(modules);
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
    // The adapter before any namespace exists: a namespace keeps the adapter it was created with.
    if (config.redisUrl) redis = useRedisAdapter(io, config.redisUrl);
    gateways = attachModuleGateways(modules, io, { config, sessionMiddleware: session });
    registerModuleMetrics(modules);
    const engine = io.engine;
    registerGauge({
      name: 'suara_socketio_connections',
      help: 'Socket.IO connections open on this process (every namespace)',
      collect: (set) => set(engine.clientsCount),
    });
    registerGauge({
      name: 'suara_socketio_redis_up',
      help: '1 while the Redis adapter carries broadcasts to the other processes, 0 when down or not configured',
      collect: (set) => set(redis?.isUp() ? 1 : 0),
    });
    if (config.metrics.port !== undefined) {
      metricsServer = await startMetricsServer({ ...config.metrics, port: config.metrics.port });
      const where = metricsServer.address();
      logger.info(
        { metrics: typeof where === 'object' && where ? where.port : config.metrics.port },
        'metrics serving',
      );
    }
    await new Promise<void>((resolve, reject) => {
      http!.once('error', reject);
      http!.listen(config.port, config.host, resolve);
    });
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port }, 'listening');
    // Mail and scheduled work start once the app serves; shutdown stops them first.
    startModules(modules, config);
    registerModuleJobs(modules, config);
    registerReconciliation(); // spans analytics and coaching: src/drift.ts

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
