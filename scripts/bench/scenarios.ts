import { randomBytes } from 'node:crypto';
import type { Request as LoadRequest } from 'autocannon';
import type { DemoAccount } from '../../src/demo/seed.js';
import type { Settings } from './settings.js';
import type { TargetSpec } from './targets.js';

/**
 * What `npm run bench` measures. To add a measurement, add a scenario (and, when it has a floor, the floor's route
 * in floor-server.ts); to add a page to weigh, add it to `pages`. The runner does the rest: starts the targets it
 * needs, warms up, measures, checks the floor answers like Suara, prints and writes the results.
 */

// ─── Servers under test ────────────────────────────────────────────────────────────────────────────────────────

/**
 * One key for the whole run, shared by the demo's seed (in the bench's process: the demo files tickets with contact
 * details) and every Suara the bench starts, so that what the seed sealed and hashed Suara can read.
 */
export const DATA_ENCRYPTION_KEY = randomBytes(32).toString('hex');

export const targets = {
  /**
   * Suara as deployed: src/server.ts (the same entry as `npm start`, with socket.io attached), in production mode,
   * on the bench's database through MONGODB_URI — so it neither starts its own database nor loads the demo.
   * TRUST_PROXY=1 only so that the login scenario can come from many addresses (X-Forwarded-For); no other
   * scenario sends that header, so for them the setting changes nothing.
   */
  suara: {
    name: 'suara',
    entry: 'src/server.ts',
    readyPath: '/readyz',
    env: ({ mongodbUri, workDir, port, settings }) => ({
      NODE_ENV: 'production',
      MONGODB_URI: mongodbUri,
      DATA_DIR: `${workDir}/suara-data`,
      // Production requires its secrets; a new one per run (a production variable added later goes here too).
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_ENCRYPTION_KEY,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TRUST_PROXY: '1',
      LOG_LEVEL: settings.logLevel,
    }),
  },
  /** The floor: bare Express 5 + the raw mongodb driver (floor-server.ts). */
  floor: {
    name: 'floor',
    entry: 'scripts/bench/floor-server.ts',
    readyPath: '/healthz',
    env: ({ mongodbUri }) => ({ NODE_ENV: 'production', FLOOR_MONGODB_URI: mongodbUri }),
  },
} satisfies Record<string, TargetSpec>;

export type TargetName = keyof typeof targets;

// ─── Scenarios ─────────────────────────────────────────────────────────────────────────────────────────────────

/** One autocannon request: sent as is, or rebuilt before every request by `setupRequest`. */
export type ScenarioRequest = Required<Pick<LoadRequest, 'method' | 'path'>> & LoadRequest;

export interface ScenarioContext {
  settings: Settings;
  /** The demo's sign-in accounts (one per role, a head per unit), as seedDemo wrote them. */
  accounts: DemoAccount[];
}

/** A probe's answer, for comparing Suara with its floor before measuring. */
export interface ProbeAnswer {
  status: number;
  body: unknown;
}

export interface Scenario {
  name: string;
  description: string;
  /** Which server answers (default suara). */
  target?: TargetName;
  /** Concurrent connections (default settings.connections). */
  connections?(settings: Settings): number;
  request(context: ScenarioContext): ScenarioRequest;
  /**
   * Measure the same thing on the floor server right after, and report Suara's req/s as a share of the floor's.
   * The floor gets the same request unless `request` is given; before measuring, one probe request to each must
   * pass `equivalent` (default: same status and the same JSON body).
   */
  floor?: {
    request?(context: ScenarioContext): ScenarioRequest;
    equivalent?(suara: ProbeAnswer, floor: ProbeAnswer): string | undefined;
  };
  /** What a reader should know to read the figures (printed under the table and kept in the JSON). */
  note?(context: ScenarioContext): string;
}

/** The demo admin's sign-in as a JSON body. */
function loginBody(context: ScenarioContext): { headers: Record<string, string>; body: string } {
  const admin = context.accounts.find((account) => account.role === 'admin');
  if (!admin) throw new Error('the demo has no admin account');
  return {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  };
}

/** 10.0.0.1, 10.0.0.2, …: a different client address for every request (Suara runs with TRUST_PROXY=1). */
let nextAddress = 0;
function distinctClient(request: LoadRequest): LoadRequest {
  nextAddress = (nextAddress + 1) % 0xfffffe;
  const n = nextAddress + 1;
  const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  return { ...request, headers: { ...request.headers, 'x-forwarded-for': address } };
}

export const scenarios: Scenario[] = [
  {
    name: 'healthz',
    description: 'GET /healthz: the framework floor (no database)',
    request: () => ({ method: 'GET', path: '/healthz' }),
    floor: {},
  },
  {
    name: 'units',
    description: 'GET /api/v1/units: the public list of units and services',
    request: () => ({ method: 'GET', path: '/api/v1/units' }),
    floor: {},
  },
  {
    name: 'intake',
    description: 'POST /api/v1/tickets: a citizen files a complaint (no e-mail), vs Express + raw driver insert',
    request: () => ({
      method: 'POST',
      path: '/api/v1/tickets',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'complaint',
        unitCode: 'JAMBI-PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Saya menunggu hampir dua jam di loket pendaftaran, nomor antrean tidak dipanggil berurutan.',
        waitMinutes: 110,
        privacy: 'anonymous',
        consent: true,
      }),
      // Citizens come from many addresses; one address would meet the intake limit (10 per 10 minutes).
      setupRequest: distinctClient,
    }),
    floor: {
      equivalent: (suara, floor) => {
        const keys = (answer: ProbeAnswer) =>
          Object.keys(answer.body as object)
            .sort()
            .join(',');
        if (suara.status !== 201 || floor.status !== 201) return `status ${suara.status} vs ${floor.status}`;
        return keys(suara) === keys(floor) ? undefined : `keys ${keys(suara)} vs ${keys(floor)}`;
      },
    },
    note: () =>
      'intake writes the ticket in a transaction (with the receipt mail when an address is given; none here), ' +
      'derives the token, computes the due time on working days, and tokenises the text; the floor inserts a ' +
      'ticket-shaped document and nothing else.',
  },
  {
    name: 'login',
    description: 'POST /api/v1/auth/login, a different client address each time (argon2id verify + session)',
    connections: (settings) => settings.loginConnections,
    request: (context) => ({
      method: 'POST',
      path: '/api/v1/auth/login',
      ...loginBody(context),
      setupRequest: distinctClient,
    }),
    note: () =>
      'login comes from a new X-Forwarded-For address per request (Suara runs with TRUST_PROXY=1), so the ' +
      'per-address limit of 20/min never trips and the figure is the cost of a sign-in itself.',
  },
  {
    name: 'login-one-ip',
    description: 'POST /api/v1/auth/login from one address: the 20/min limit answers 429',
    connections: (settings) => settings.loginConnections,
    request: (context) => ({ method: 'POST', path: '/api/v1/auth/login', ...loginBody(context) }),
    note: () =>
      'login-one-ip is what a benchmark from one machine sees: after 20 sign-ins in the minute every answer is a ' +
      '429 from the rate limiter (a database upsert per request), so its req/s measures the limiter, not sign-in.',
  },
];

// ─── Pages weighed ─────────────────────────────────────────────────────────────────────────────────────────────

export interface PageSpec {
  name: string;
  path: string;
}

/** Public pages: HTML plus the CSS, JS, images and fonts they reference, against the 60 KB budget. */
export const pages: PageSpec[] = [
  { name: 'landing', path: '/' },
  { name: 'sign-in', path: '/login' },
  { name: 'intake form', path: '/u/JAMBI-PKM-KEBUNHANDIL' },
  { name: 'survey form', path: '/survey/JAMBI-PKM-KEBUNHANDIL' },
  { name: 'track (find)', path: '/track' },
  { name: 'transparency', path: '/transparansi' },
  { name: 'hall display', path: '/display/JAMBI-PKM-KEBUNHANDIL' },
];

export const PAGE_BUDGET_BYTES = 60 * 1024;
