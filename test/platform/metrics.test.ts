import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { modules } from '../../src/modules/index.js';
import { registerModuleMetrics } from '../../src/platform/modules.js';
import { instrumentDatabase, startMetricsServer } from '../../src/platform/metrics.js';
import { Scheduler } from '../../src/platform/scheduler.js';
import { projectorsSettled } from '../../src/platform/event-log.js';
import { PASSWORD, seedDirectory, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

/**
 * `/metrics` as Prometheus reads it: scraped over HTTP, parsed as its text format, and read again after real
 * requests, a real scheduled run and real database writes. The token guards the public port; the internal port
 * answers only `/metrics`.
 */
const TOKEN = 'metrics-token-'.padEnd(40, 'z');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, as a scraper parses it: `# HELP`/`# TYPE` lines, then `name{label="v",…} value`. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = raw!.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, want]) => s.labels[key] === want))
    .reduce((sum, s) => sum + s.value, 0);

describe('Metrics for the operator: GET /metrics in the Prometheus text format', () => {
  useTestDatabase();
  let app: Express;

  before(async function () {
    this.timeout(60_000);
    // As connectMongoose connects the server: with command monitoring, so round trips are counted.
    const dbName = mongoose.connection.name;
    await mongoose.disconnect();
    await mongoose.connect(process.env.TEST_MONGODB_URI!, { dbName, monitorCommands: true });
    instrumentDatabase();
    await resetRateLimits();
    await seedDirectory();
    app = await testApp({ METRICS_TOKEN: TOKEN });
    registerModuleMetrics(modules);
  });

  const scrapeApp = async () => {
    const response = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(response.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    return parse(response.text);
  };

  it('refuses a scrape without the token or with a wrong one (401), and has no /metrics without METRICS_TOKEN', async () => {
    const missing = await request(app).get('/metrics').expect(401);
    expect(missing.headers['www-authenticate']).to.equal('Bearer realm="metrics"');
    expect(missing.text).not.to.contain('suara_');
    await request(app)
      .get('/metrics')
      .set('Authorization', `Bearer ${TOKEN.slice(0, -1)}x`)
      .expect(401);
    await request(app).get('/metrics').set('Authorization', TOKEN).expect(401);
    await request(app).get('/metrics').set('Authorization', 'Bearer ').expect(401);
    const withoutToken = await testApp();
    await request(withoutToken).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
  });

  it('counts requests per route pattern and status class, with no tracking code or id in any label', async () => {
    const before = await scrapeApp();
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Antrean pendaftaran tidak bergerak selama dua jam pagi ini.',
        privacy: 'anonymous',
        consent: true,
      })
      .expect(201);
    const code = filed.body.code as string;
    await request(app).get(`/api/v1/tickets/${code}`).set('X-Access-Token', filed.body.accessToken).expect(200);
    await request(app).get(`/api/v1/tickets/${code}`).set('X-Access-Token', 'x'.repeat(32)).expect(404);
    await request(app).get(`/track/${code}?token=${filed.body.accessToken}`);
    // A form post answered by an error handler mounted on a path with a parameter (the survey form's).
    await request(app)
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ answers: 'x'.repeat(10) });
    const forgedId = new mongoose.Types.ObjectId().toHexString();
    await request(app).get(`/tidak-ada/${forgedId}`).expect(404);
    const head = request.agent(app);
    await head.post('/api/v1/auth/login').send({ email: 'kepala.kebunhandil@suara.test', password: PASSWORD });

    const after = await scrapeApp();
    const count = (samples: Sample[], labels: Record<string, string>) =>
      value(samples, 'suara_http_request_duration_seconds_count', labels);
    expect(count(after, { method: 'POST', route: '/api/v1/tickets', status: '2xx' })).to.equal(
      count(before, { method: 'POST', route: '/api/v1/tickets', status: '2xx' }) + 1,
    );
    expect(count(after, { method: 'GET', route: '/api/v1/tickets/:code', status: '2xx' })).to.be.greaterThan(0);
    expect(count(after, { method: 'GET', route: '/api/v1/tickets/:code', status: '4xx' })).to.be.greaterThan(0);
    expect(count(after, { method: 'GET', route: '(unmatched)', status: '4xx' })).to.be.greaterThan(0);
    expect(count(after, { method: 'POST', route: '/api/v1/auth/login', status: '2xx' })).to.be.greaterThan(0);

    const httpLabels = after
      .filter((s) => s.name.startsWith('suara_http_'))
      .flatMap((s) => Object.values(s.labels))
      .join(' ');
    expect(httpLabels).not.to.contain(code);
    expect(httpLabels).not.to.contain(forgedId);
    expect(httpLabels).not.to.contain('tidak-ada');
    expect(httpLabels).not.to.contain('UNIT-TIDAK-ADA');
    expect(count(after, { method: 'GET', route: '/track/:code' })).to.be.greaterThan(0);
    for (const route of new Set(after.filter((s) => s.labels.route).map((s) => s.labels.route!)))
      expect(route).to.match(/^(\(unmatched\)|(\/[A-Za-z0-9._:|*-]*)+)$/);
  });

  it('counts database round trips, and reads the projector backlog and its lag from the event log', async () => {
    const before = await scrapeApp();
    await request(app).post('/api/v1/tickets').send({
      kind: 'compliment',
      unitCode: 'PKM-KEBUNHANDIL',
      category: 'officer_conduct',
      description: 'Petugas loket sangat ramah dan menjelaskan dengan sabar.',
      privacy: 'anonymous',
      consent: true,
    });
    const after = await scrapeApp();
    expect(value(after, 'suara_db_commands_total', { outcome: 'ok' })).to.be.greaterThan(
      value(before, 'suara_db_commands_total', { outcome: 'ok' }),
    );
    expect(value(after, 'suara_db_commands_total', { command: 'insert' })).to.be.greaterThan(0);

    await projectorsSettled();
    expect(value(await scrapeApp(), 'suara_projector_backlog')).to.equal(0);
    // An event record waiting for a projector no process runs: it stays in the backlog, an hour old.
    const events = mongoose.connection.db!.collection('domain_events');
    const { insertedId } = await events.insertOne({
      name: 'ticket.filed',
      payload: {},
      at: new Date(Date.now() - 3600_000),
      pending: ['metrics.spec_only'],
      leases: {},
      doneAt: null,
    });
    try {
      const stuck = await scrapeApp();
      expect(value(stuck, 'suara_projector_backlog')).to.equal(1);
      expect(value(stuck, 'suara_projector_lag_seconds')).to.be.within(3600, 3600 + 600);
    } finally {
      await events.deleteOne({ _id: insertedId });
    }
  });

  it('reads the outbox backlog by status, contributed by the notifications module', async () => {
    await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'facilities',
        description: 'Kursi ruang tunggu rusak dan tidak diperbaiki sejak bulan lalu.',
        privacy: 'confidential',
        reporter: { name: 'Dewi Lestari', email: 'dewi@example.test' },
        consent: true,
      })
      .expect(201);
    await mongoose.connection.db!.collection('outbox').updateMany({}, { $set: { status: 'failed' } });
    const samples = await scrapeApp();
    const failed = await mongoose.connection.db!.collection('outbox').countDocuments({ status: 'failed' });
    expect(failed).to.be.greaterThan(0);
    expect(value(samples, 'suara_outbox_messages', { status: 'failed' })).to.equal(failed);
    expect(value(samples, 'suara_outbox_messages', { status: 'queued' })).to.equal(0);
    expect(samples.some((s) => s.name === 'suara_inbox_sockets')).to.equal(true);
    expect(JSON.stringify(samples)).not.to.contain('dewi');
  });

  it('counts scheduled runs per job and their failures', async () => {
    const scheduler = new Scheduler({ owner: 'metrics-spec' });
    scheduler.register({ name: 'metrics.spec_ok', everyMs: 3600_000, run: () => undefined });
    scheduler.register({
      name: 'metrics.spec_broken',
      everyMs: 3600_000,
      run: () => {
        throw new Error('the SMTP relay refused us');
      },
    });
    const before = await scrapeApp();
    await scheduler.tick();
    await scheduler.idle();
    const after = await scrapeApp();
    const runs = (samples: Sample[], job: string, outcome: string) =>
      value(samples, 'suara_scheduler_runs_total', { job, outcome });
    expect(runs(after, 'metrics.spec_ok', 'ok') - runs(before, 'metrics.spec_ok', 'ok')).to.equal(1);
    expect(runs(after, 'metrics.spec_broken', 'failed') - runs(before, 'metrics.spec_broken', 'failed')).to.equal(1);
    expect(runs(after, 'metrics.spec_broken', 'ok')).to.equal(0);
  });

  it('serves the default process metrics on the internal port, which answers /metrics and nothing else', async () => {
    let server: Server | undefined;
    try {
      server = await startMetricsServer({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const response = await fetch(`${base}/metrics`);
      expect(response.status).to.equal(200);
      const samples = parse(await response.text());
      expect(value(samples, 'suara_process_resident_memory_bytes')).to.be.greaterThan(0);
      expect(samples.some((s) => s.name === 'suara_nodejs_eventloop_lag_p99_seconds')).to.equal(true);
      expect((await fetch(`${base}/`)).status).to.equal(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).to.equal(404);
    } finally {
      server?.close();
    }
    try {
      server = await startMetricsServer({ port: 0, host: '127.0.0.1', token: TOKEN });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/metrics`)).status).to.equal(401);
      const ok = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).to.equal(200);
    } finally {
      server?.close();
    }
  });
});
