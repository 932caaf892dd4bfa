import autocannon from 'autocannon';
import http from 'node:http';
import type { ScenarioRequest } from './scenarios.js';

/** The figures kept for one measurement. Latencies in milliseconds. */
export interface LoadFigures {
  connections: number;
  /** Requests per second offered in an open loop (BENCH_RATE); absent: `connections` sent as fast as answered. */
  offeredRate?: number;
  /** Measured seconds (summed over rounds). */
  seconds: number;
  /** Measured stretches; a scenario with a floor alternates with it (ABBA) so that drift hits both alike. */
  rounds: number;
  requests: number;
  /** Completed requests per second over the measured time (any status). */
  reqPerSec: number;
  /** 2xx responses per second. */
  okPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  /** Mean bytes per response, headers included. */
  bytesPerResponse: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface LoadTarget {
  url: string;
  request: ScenarioRequest;
}

export interface LoadOptions {
  connections: number;
  /** Requests per second in an open loop (`connections` then does not apply); none: each connection sends again as soon as it is answered. */
  rate?: number;
  seconds: number;
  warmupSeconds: number;
}

/** What one autocannon run gave, with every latency kept (autocannon's own histogram rounds to whole ms). */
interface Stretch {
  seconds: number;
  requests: number;
  ok: number;
  bytes: number;
  latencies: number[];
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

let current: ReturnType<typeof autocannon> | undefined;
let stopped = false;

/** Stops a measurement under way and any that would follow (on Ctrl-C). */
export function stopLoad(): void {
  stopped = true;
  current?.stop();
}

async function stretch(target: LoadTarget, connections: number, seconds: number, rate?: number): Promise<Stretch> {
  if (stopped) throw new Error('interrupted');
  if (rate) return openStretch(target, rate, seconds);
  const latencies: number[] = [];
  current = autocannon({
    url: target.url,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests: [target.request],
  });
  current.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  try {
    const result = await current;
    return {
      seconds: result.duration || seconds,
      requests: result.requests.total,
      ok: result['2xx'],
      bytes: result.throughput.total,
      latencies,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    };
  } finally {
    current = undefined;
  }
}

/**
 * An open loop: `rate` requests a second at evenly spaced planned times, each sent at its time whatever the earlier
 * answers do (on as many keep-alive sockets as that needs), and each latency counted from its planned time, so a
 * server that falls behind shows it in full. (autocannon's `overallRate` releases each second's requests in one
 * burst on the connections it has: a latency under a burst of twenty, not under a steady load.)
 */
async function openStretch(target: LoadTarget, rate: number, seconds: number): Promise<Stretch> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1_000 });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let bytes = 0;
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total && !stopped; index++) {
    const planned = started + (index * 1000) / rate;
    const wait = planned - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const built = target.request.setupRequest
      ? { ...target.request, ...target.request.setupRequest({ ...target.request }, {}) }
      : target.request;
    pending.push(
      new Promise<void>((resolve) => {
        const sending = http.request(
          new URL(built.path ?? target.request.path, target.url),
          { method: built.method ?? target.request.method, headers: built.headers, agent, timeout: 10_000 },
          (response) => {
            response.on('data', (chunk: Buffer) => (bytes += chunk.length));
            response.on('end', () => {
              const status = response.statusCode ?? 0;
              latencies.push(performance.now() - planned);
              statusCodes[status] = (statusCodes[status] ?? 0) + 1;
              if (status >= 200 && status < 300) ok++;
              else non2xx++;
              resolve();
            });
            response.on('error', () => (errors++, resolve()));
          },
        );
        sending.on('timeout', () => (timeouts++, sending.destroy(new Error('timeout'))));
        sending.on('error', () => (errors++, resolve()));
        sending.end(built.body);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return {
    seconds: (performance.now() - started) / 1000,
    requests: latencies.length,
    ok,
    bytes,
    latencies,
    errors,
    timeouts,
    non2xx,
    statusCodes,
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;

function summarise(stretches: Stretch[], connections: number): LoadFigures {
  const sum = (pick: (s: Stretch) => number) => stretches.reduce((total, s) => total + pick(s), 0);
  const seconds = sum((s) => s.seconds);
  const requests = sum((s) => s.requests);
  const latencies = Float64Array.from(stretches.flatMap((s) => s.latencies)).sort();
  const at = (quantile: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))]! : NaN;
  const statusCodes: Record<string, number> = {};
  for (const s of stretches)
    for (const [code, count] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    connections,
    seconds: round1(seconds),
    rounds: stretches.length,
    requests,
    reqPerSec: round1(requests / seconds),
    okPerSec: round1(sum((s) => s.ok) / seconds),
    latencyMs: {
      p50: round1(at(0.5)),
      p90: round1(at(0.9)),
      p99: round1(at(0.99)),
      mean: round1(latencies.reduce((total, value) => total + value, 0) / (latencies.length || 1)),
      max: round1(latencies.length ? latencies[latencies.length - 1]! : NaN),
    },
    bytesPerResponse: requests ? Math.round(sum((s) => s.bytes) / requests) : 0,
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    non2xx: sum((s) => s.non2xx),
    statusCodes,
  };
}

/** Warm-up (discarded), then `seconds` of measurement. */
export async function measure(target: LoadTarget, options: LoadOptions): Promise<LoadFigures> {
  if (options.warmupSeconds > 0) await stretch(target, options.connections, options.warmupSeconds, options.rate);
  const figures = summarise(
    [await stretch(target, options.connections, options.seconds, options.rate)],
    options.connections,
  );
  return options.rate ? { ...figures, offeredRate: options.rate } : figures;
}

/**
 * Suara and its floor, each warmed up, then measured in alternating stretches — A B B A A B … — `rounds` each,
 * `seconds` in all per side, so that whatever else the machine does during the run weighs on both alike.
 */
export async function measurePair(
  subject: LoadTarget,
  floor: LoadTarget,
  options: LoadOptions & { rounds: number },
): Promise<[LoadFigures, LoadFigures]> {
  if (options.warmupSeconds > 0) {
    await stretch(subject, options.connections, options.warmupSeconds);
    await stretch(floor, options.connections, options.warmupSeconds);
  }
  const each = options.seconds / options.rounds;
  const a: Stretch[] = [];
  const b: Stretch[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      a.push(await stretch(subject, options.connections, each));
      b.push(await stretch(floor, options.connections, each));
    } else {
      b.push(await stretch(floor, options.connections, each));
      a.push(await stretch(subject, options.connections, each));
    }
  }
  return [summarise(a, options.connections), summarise(b, options.connections)];
}

/** One request outside the load, to compare what two servers answer. */
export function probe(baseUrl: string, request: ScenarioRequest): Promise<{ status: number; body: unknown }> {
  const built = request.setupRequest ? { ...request, ...request.setupRequest({ ...request }, {}) } : request;
  return new Promise((resolve, reject) => {
    const url = new URL(built.path ?? request.path, baseUrl);
    const sending = http.request(
      url,
      { method: built.method ?? request.method, headers: built.headers, timeout: 10_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: compared as text
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
        response.on('error', reject);
      },
    );
    sending.on('timeout', () => sending.destroy(new Error(`timeout probing ${url.href}`)));
    sending.on('error', reject);
    sending.end(built.body);
  });
}
