import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { rollupModels } from '../../src/modules/analytics/rollups/model.js';
import { eventsSettled } from '../../src/platform/events.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { resetRateLimits } from '../helpers/db.js';

/** Shared steps of the analytics rollup specs: citizens and staff through the real API, and rollup snapshots. */

export const PROFILE = { gender: 'female', ageBand: '30_39', education: 'sma', occupation: 'self_employed' };

/** Rows of 9 answers (3 or 4) whose element totals are exactly `totals` for `respondents` people. */
export function rowsFor(totals: number[], respondents: number): number[][] {
  const fours = totals.map((total) => total - 3 * respondents);
  for (const count of fours) if (count < 0 || count > respondents) throw new RangeError('totals need 3s and 4s only');
  return Array.from({ length: respondents }, (_, row) => fours.map((count) => (row < count ? 4 : 3)));
}

/** Posts survey answers through the public API (each from a new device), then waits for the rollups. */
export async function postSurveys(app: Express, rows: number[][], extra: Record<string, unknown> = {}): Promise<void> {
  for (let index = 0; index < rows.length; index++) {
    if (index % 25 === 0) await resetRateLimits();
    await request(app)
      .post('/api/v1/surveys')
      .send({ unitCode: 'PKM-KEBUNHANDIL', answers: rows[index], respondent: PROFILE, ...extra })
      .expect(201);
  }
  await resetRateLimits();
  await eventsSettled();
}

/** Files a ticket through the public API; returns its code and access token. */
export async function fileTicket(app: Express, extra: Record<string, unknown> = {}) {
  const { body } = await request(app)
    .post('/api/v1/tickets')
    .send({
      kind: 'complaint',
      unitCode: 'PKM-KEBUNHANDIL',
      category: 'waiting_time',
      description: 'Antrean di loket pendaftaran sangat lama, lebih dari dua jam tanpa kejelasan.',
      reporter: { name: 'Rahmat Hidayat' },
      privacy: 'public',
      consent: true,
      ...extra,
    })
    .expect(201);
  return body as { code: string; accessToken: string };
}

type Doc = Record<string, unknown>;

/** Drops zero counters and empty objects: a live path that added and took away leaves zeros a rebuild never writes. */
function normalise(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || Array.isArray(value)) {
    if (Array.isArray(value)) return value.map(String);
    return value;
  }
  if (typeof (value as { toHexString?: unknown }).toHexString === 'function') return String(value);
  const out: Doc = {};
  for (const [key, inner] of Object.entries(value as Doc)) {
    const normal = normalise(inner);
    if (normal === 0) continue;
    if (normal && typeof normal === 'object' && !(normal instanceof Date) && !Array.isArray(normal)) {
      if (Object.keys(normal).length === 0) continue;
    }
    out[key] = normal;
  }
  return out;
}

const COUNTERS = [
  'n',
  'h',
  'clock',
  'rating',
  'waitSum',
  'waitCount',
  'respondents',
  'sums',
  'profile',
  'flagged',
  'flags',
  'kinds',
  'categories',
  'services',
];

/** Every rollup document, normalised and sorted; documents with no counter left are dropped. */
export async function snapshotRollups(): Promise<Record<string, Doc[]>> {
  await eventsSettled();
  const read = async (model: (typeof rollupModels)[keyof typeof rollupModels]) =>
    ((await model.collection.find({}).sort({ _id: 1 }).toArray()) as Doc[])
      .map((doc) => normalise(doc) as Doc)
      .filter((doc) => COUNTERS.some((key) => key in doc));
  const snapshot: Record<string, Doc[]> = {};
  for (const [target, model] of Object.entries(rollupModels)) snapshot[target] = await read(model);
  return snapshot;
}

export function expectSameRollups(actual: Record<string, Doc[]>, expected: Record<string, Doc[]>): void {
  for (const key of Object.keys(expected)) expect(actual[key], key).to.deep.equal(expected[key]);
}

/** `respondents` rows of 9 answers (1–4) whose points add up to `points`, spread as evenly as possible. */
export function rowsWithPoints(respondents: number, points: number): number[][] {
  const cells = respondents * 9;
  const base = Math.floor(points / cells);
  let extra = points - base * cells;
  return Array.from({ length: respondents }, () =>
    Array.from({ length: 9 }, () => {
      const answer = base + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      return answer;
    }),
  );
}

/** Survey answers written straight into the collection (large or back-dated fixtures; follow with a rebuild). */
export async function insertSurveys(
  unit: { _id: unknown; code: string; path: unknown[]; agencyCode: string },
  rows: number[][],
  submittedAt: Date,
  extra: Record<string, unknown> = {},
): Promise<void> {
  if (rows.length === 0) return;
  await SurveyResponse.collection.insertMany(
    rows.map((answers) => ({
      unitId: unit._id,
      unitCode: unit.code,
      unitPath: unit.path,
      agencyCode: unit.agencyCode,
      serviceCode: null,
      counterCode: null,
      officerId: null,
      answers,
      respondent: PROFILE,
      comment: null,
      channel: 'api',
      submittedAt,
      idempotencyKey: null,
      integrity: {
        localHour: 10,
        localWeekday: 1,
        allTop: false,
        unitBurst: 0,
        sameNetwork: 0,
        sameDevice: 0,
        flags: [],
      },
      ...extra,
    })) as never[],
  );
}
