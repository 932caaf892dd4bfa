import express from 'express';
import { randomBytes, randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import { MongoClient, type Document, type ObjectId } from 'mongodb';

/**
 * The floor: what the same answers cost with nothing but Express 5 and the raw `mongodb` driver, on the same
 * database in the same run. Each route here is the simplest honest hand-written version of a Suara route — same
 * query, same JSON — and the bench checks that both answer the same body before it measures them.
 * No logging, sessions, helmet, i18n or validation: that is exactly the overhead the ratio shows.
 *
 * Add the floor of a new scenario here (for intake: POST /api/v1/tickets inserting the same document).
 * Environment: FLOOR_MONGODB_URI (with the database name in its path), HOST, PORT.
 */
const uri = process.env.FLOOR_MONGODB_URI;
if (!uri) throw new Error('FLOOR_MONGODB_URI is not set');
const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
await client.connect();
const db = client.db();

interface UnitRow {
  _id: ObjectId;
  code: string;
  name: string;
  parentId: ObjectId | null;
  agencyCode: string;
  timeZone: string;
  services?: { code: string; name: string; targetWaitMinutes?: number | null; active?: boolean }[];
  counters?: { code: string; name: string }[];
}

/** GET /api/v1/units: active units in tree order (agency, then children depth first by name). */
function publicUnits(rows: UnitRow[]) {
  const ids = new Set(rows.map((row) => String(row._id)));
  const codeById = new Map(rows.map((row) => [String(row._id), row.code]));
  const byParent = new Map<string, UnitRow[]>();
  for (const row of rows) {
    const parent = row.parentId && ids.has(String(row.parentId)) ? String(row.parentId) : 'root';
    const siblings = byParent.get(parent);
    if (siblings) siblings.push(row);
    else byParent.set(parent, [row]);
  }
  const out: object[] = [];
  const walk = (parent: string) => {
    for (const row of (byParent.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'id'))) {
      out.push({
        code: row.code,
        name: row.name,
        parentCode: row.parentId ? (codeById.get(String(row.parentId)) ?? null) : null,
        agencyCode: row.agencyCode,
        timeZone: row.timeZone,
        services: (row.services ?? [])
          .filter((service) => service.active)
          .map((service) => ({
            code: service.code,
            name: service.name,
            targetWaitMinutes: service.targetWaitMinutes ?? null,
          })),
        counters: (row.counters ?? []).map((counter) => ({ code: counter.code, name: counter.name })),
      });
      walk(String(row._id));
    }
  };
  walk('root');
  return out;
}

const unitProjection: Document = {
  code: 1,
  name: 1,
  parentId: 1,
  agencyCode: 1,
  timeZone: 1,
  services: 1,
  counters: 1,
};

const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/api/v1/units', async (_req, res) => {
  const rows = await db.collection<UnitRow>('units').find({ active: true }, { projection: unitProjection }).toArray();
  res.json(publicUnits(rows));
});

/**
 * POST /api/v1/tickets, the floor of intake: parse the JSON, look the unit up, insert a ticket-shaped document
 * into the same collection, answer like Suara. No validation, no sealing, no transaction, no idempotency check.
 */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const code = () => {
  let value = '';
  for (let i = 0; i < 8; i++) value += ALPHABET[randomInt(ALPHABET.length)];
  return `${value.slice(0, 4)}-${value.slice(4)}`;
};
app.post('/api/v1/tickets', express.json({ limit: '100kb' }), async (req, res) => {
  const body = req.body as Record<string, unknown>;
  const unit = await db.collection<UnitRow & { path: ObjectId[] }>('units').findOne({ code: body.unitCode as string });
  if (!unit) return void res.status(400).json({ error: { code: 'validation' } });
  const now = new Date();
  const dueAt = new Date(now.getTime() + 3 * 24 * 3600 * 1000);
  const ticket = {
    code: code(),
    tokenSalt: randomBytes(12).toString('base64url'),
    kind: body.kind,
    category: body.category ?? null,
    description: body.description,
    unitId: unit._id,
    unitCode: unit.code,
    unitPath: unit.path,
    agencyCode: unit.agencyCode,
    timeZone: unit.timeZone,
    privacy: body.privacy,
    status: 'received',
    history: [{ at: now, actor: { kind: 'citizen' }, action: 'created', to: 'received', public: true }],
    dueAt,
    createdAt: now,
    updatedAt: now,
  };
  await db.collection('tickets').insertOne(ticket);
  res
    .status(201)
    .json({ code: ticket.code, accessToken: randomBytes(24).toString('base64url'), status: 'received', dueAt });
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
