import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import mongoose from 'mongoose';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { logger } from './logger.js';

/**
 * The process's metrics in the Prometheus text format (docs/operations.md#metrics). One registry per process: each
 * replica is scraped on its own. Platform code records what it sees (HTTP, database round trips, scheduler runs,
 * projector backlog); modules contribute gauges through their manifest's `metrics()` with `registerGauge`.
 *
 * Labels carry only bounded, non-personal values: a route's pattern (`/track/:code`), never a URL with a tracking
 * code or an id in it; a job's name; a database command's name.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'suara_' });

const httpDuration = new Histogram({
  name: 'suara_http_request_duration_seconds',
  help: 'HTTP requests by route pattern, method and status class, from arrival to the last byte sent',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const schedulerRuns = new Counter({
  name: 'suara_scheduler_runs_total',
  help: 'Scheduled job runs started on this process, by job and outcome (ok, failed)',
  labelNames: ['job', 'outcome'] as const,
  registers: [registry],
});

const schedulerDuration = new Histogram({
  name: 'suara_scheduler_run_duration_seconds',
  help: 'How long scheduled job runs took on this process',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [registry],
});

const dbCommands = new Counter({
  name: 'suara_db_commands_total',
  help: 'Database round trips of this process, by command and outcome (ok; duplicate_key, which lease and idempotency races expect; failed)',
  labelNames: ['command', 'outcome'] as const,
  registers: [registry],
});

const dbDuration = new Histogram({
  name: 'suara_db_command_duration_seconds',
  help: 'Database round-trip time by command',
  labelNames: ['command'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  registers: [registry],
});

const dbDisconnects = new Counter({
  name: 'suara_db_disconnections_total',
  help: 'Times this process lost its database connection',
  registers: [registry],
});

/**
 * A route pattern or one of the fixed names below: never anything taken from the URL itself. Module routers are
 * mounted at the root (platform/modules.ts), so a route's path is its whole pattern; `req.baseUrl` is not used, since
 * under a `use('/survey/:unitCode', …)` it holds the concrete path.
 */
function routeOf(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return route.path;
  if (route && Array.isArray(route.path)) return route.path.join('|');
  if (req.originalUrl.startsWith('/static/')) return '/static';
  if (req.originalUrl.startsWith('/socket.io/')) return '/socket.io';
  return '(unmatched)';
}

/** Times every request; the route is read when the answer is finished, after routing has named it. */
export const measureRequests: RequestHandler = (req, res, next) => {
  const end = httpDuration.startTimer();
  res.once('finish', () =>
    end({ method: req.method, route: routeOf(req), status: `${Math.floor(res.statusCode / 100)}xx` }),
  );
  next();
};

/** One scheduled run ended; `failed` when it threw. */
export function countJobRun(job: string, seconds: number, failed: boolean): void {
  schedulerRuns.inc({ job, outcome: failed ? 'failed' : 'ok' });
  schedulerDuration.observe({ job }, seconds);
}

/**
 * Counts database round trips of the current connection through the driver's command monitoring (reported when
 * connected with `monitorCommands`, as connectMongoose does). Safe to call again; a new client is followed too.
 */
const instrumented = new WeakSet<object>();
let followingDisconnects = false;
export function instrumentDatabase(): void {
  const client = mongoose.connection.getClient();
  if (instrumented.has(client)) return;
  instrumented.add(client);
  client.on('commandSucceeded', (event) => {
    dbCommands.inc({ command: event.commandName, outcome: 'ok' });
    dbDuration.observe({ command: event.commandName }, event.duration / 1000);
  });
  client.on('commandFailed', (event) => {
    const duplicate = (event.failure as { code?: number }).code === 11000;
    dbCommands.inc({ command: event.commandName, outcome: duplicate ? 'duplicate_key' : 'failed' });
    dbDuration.observe({ command: event.commandName }, event.duration / 1000);
  });
  if (followingDisconnects) return;
  followingDisconnects = true;
  mongoose.connection.on('disconnected', () => dbDisconnects.inc());
}

export interface GaugeSpec<L extends string = string> {
  /** `suara_<module>_<what>`; registering a name again replaces the earlier gauge (tests build the app often). */
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Read at every scrape; a failure leaves the gauge out of that scrape instead of failing it. */
  collect(set: (value: number, labels?: Partial<Record<L, string>>) => void): Promise<void> | void;
}

/** A gauge read at scrape time: backlogs and counts that live in the database or in a module. */
export function registerGauge<L extends string>(spec: GaugeSpec<L>): void {
  registry.removeSingleMetric(spec.name);
  new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        await spec.collect((value, labels) => (labels ? this.set(labels, value) : this.set(value)));
      } catch (error) {
        logger.debug({ err: error, metric: spec.name }, 'a gauge could not be read for this scrape');
      }
    },
  });
}

/** The text a scraper reads. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `GET /metrics` on the public port: only with a token (`Authorization: Bearer <METRICS_TOKEN>`), 401 without or
 * with a wrong one. Without METRICS_TOKEN the route does not exist there (404) and metrics are only on METRICS_PORT.
 */
export function metricsRoute(token: string): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!tokenMatches(req.get('authorization'), token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('Unauthorized\n');
      return;
    }
    try {
      const { contentType, body } = await scrape();
      res.set('Cache-Control', 'no-store').type(contentType).send(body);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The internal metrics port (METRICS_PORT on METRICS_HOST, loopback unless set): `GET /metrics` and nothing else.
 * With METRICS_TOKEN set it asks for the token here too.
 */
export async function startMetricsServer(options: { port: number; host: string; token?: string }): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
      return;
    }
    if (options.token && !tokenMatches(req.headers.authorization, options.token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer realm="metrics"' });
      res.end('Unauthorized\n');
      return;
    }
    scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics scrape failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Scrape failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return server;
}
