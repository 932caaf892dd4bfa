import express from 'express';
import type { Server } from 'node:http';
import { MongoClient, type Document, type ObjectId } from 'mongodb';
import { computeIkm, EQUAL_WEIGHTS } from '../../src/modules/surveys/ikm.js';

/**
 * The raw scan: the dashboard questions answered the way one would without rollups — an aggregation over the
 * source collections (survey_responses, tickets) per request, with the same filters (a unit's subtree, a period of
 * the agency's local days). Bare Express 5 + the raw `mongodb` driver, like floor-server.ts. The bench measures it
 * beside Suara's rollup-backed answers for the speed-up, and checks that both give the same IKM and respondents.
 *
 * GET /raw/ikm?unitCode=&from=&to=            → { respondents, elements: [9 means], ikm, grade, label }
 * GET /raw/trends?unitCode=&from=&to=&interval=month|week
 *     → tickets by bucket and kind, by category, waiting minutes and time to verify / resolve (median, p90), share
 *       verified within the legal limit, mean rating, reopenings.
 * Environment: FLOOR_MONGODB_URI (with the database name in its path), HOST, PORT.
 */
const uri = process.env.FLOOR_MONGODB_URI;
if (!uri) throw new Error('FLOOR_MONGODB_URI is not set');
const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
await client.connect();
const db = client.db();

const DAY_MS = 24 * 3600 * 1000;
interface UnitRow {
  _id: ObjectId;
  code: string;
  timeZone: string;
}
const offsets: Record<string, number> = { 'Asia/Jakarta': 7, 'Asia/Makassar': 8, 'Asia/Jayapura': 9 };

/** The unit and the instants bounding its local days [from, to] (inclusive). */
async function scope(query: Record<string, unknown>) {
  const unit = await db.collection<UnitRow>('units').findOne({ code: String(query.unitCode ?? '').toUpperCase() });
  if (!unit) return undefined;
  const offset = (offsets[unit.timeZone] ?? 7) * 3600 * 1000;
  const start = new Date(Date.parse(`${String(query.from)}T00:00:00Z`) - offset);
  const end = new Date(Date.parse(`${String(query.to)}T00:00:00Z`) + DAY_MS - offset);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return undefined;
  return { unit, start, end };
}

const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/raw/ikm', async (req, res) => {
  const found = await scope(req.query);
  if (!found) return void res.status(400).json({ error: { code: 'validation' } });
  const sums: Document = { _id: null, respondents: { $sum: 1 } };
  for (let element = 0; element < 9; element++) sums[`e${element}`] = { $sum: { $arrayElemAt: ['$answers', element] } };
  const [group] = await db
    .collection('survey_responses')
    .aggregate([
      { $match: { unitPath: found.unit._id, submittedAt: { $gte: found.start, $lt: found.end } } },
      { $group: sums },
    ])
    .toArray();
  const respondents = (group?.respondents as number | undefined) ?? 0;
  const totals = Array.from({ length: 9 }, (_, element) => (group?.[`e${element}`] as number | undefined) ?? 0);
  const result = computeIkm({ totals, respondents }, EQUAL_WEIGHTS);
  res.json({
    respondents: result.respondents,
    elements: result.elements.map((element) => element.mean),
    ikm: result.display,
    grade: result.grade,
    label: result.label,
  });
});

const percentiles = (field: string) => ({
  n: { $sum: 1 },
  median: { $median: { input: field, method: 'approximate' } },
  p90: { $percentile: { input: field, p: [0.9], method: 'approximate' } },
});

app.get('/raw/trends', async (req, res) => {
  const found = await scope(req.query);
  if (!found) return void res.status(400).json({ error: { code: 'validation' } });
  const timezone = found.unit.timeZone;
  const bucket =
    req.query.interval === 'week'
      ? { $dateToString: { format: '%G-W%V', date: '$createdAt', timezone } }
      : { $dateToString: { format: '%Y-%m', date: '$createdAt', timezone } };
  const verifiedAt = {
    $let: {
      vars: { entry: { $first: { $filter: { input: '$history', cond: { $eq: ['$$this.to', 'verified'] } } } } },
      in: '$$entry.at',
    },
  };
  const [facets] = await db
    .collection('tickets')
    .aggregate([
      { $match: { unitPath: found.unit._id, createdAt: { $gte: found.start, $lt: found.end } } },
      {
        $facet: {
          byBucket: [{ $group: { _id: { bucket, kind: '$kind' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
          byCategory: [{ $group: { _id: '$category', n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
          waiting: [
            { $match: { waitMinutes: { $ne: null } } },
            { $group: { _id: null, ...percentiles('$waitMinutes') } },
          ],
          verify: [
            {
              $project: {
                due: '$due.verify',
                minutes: { $divide: [{ $subtract: [verifiedAt, '$createdAt'] }, 60000] },
                at: verifiedAt,
              },
            },
            { $match: { at: { $ne: null } } },
            {
              $group: {
                _id: null,
                ...percentiles('$minutes'),
                withinLimit: { $sum: { $cond: [{ $lte: ['$at', '$due'] }, 1, 0] } },
              },
            },
          ],
          resolve: [
            { $match: { resolvedAt: { $ne: null } } },
            { $project: { minutes: { $divide: [{ $subtract: ['$resolvedAt', '$createdAt'] }, 60000] } } },
            { $group: { _id: null, ...percentiles('$minutes') } },
          ],
          rating: [
            { $match: { 'rating.score': { $ne: null } } },
            { $group: { _id: null, n: { $sum: 1 }, mean: { $avg: '$rating.score' } } },
          ],
          reopened: [{ $match: { 'history.action': 'reopened' } }, { $count: 'n' }],
        },
      },
    ])
    .toArray();
  res.json(facets);
});

const server: Server = await new Promise((resolve, reject) => {
  const listening = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', (error?: Error) =>
    error ? reject(error) : resolve(listening),
  );
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  void client.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
