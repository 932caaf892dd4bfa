import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { Express } from 'express';
import jpeg from 'jpeg-js';
import mongoose from 'mongoose';
import request from 'supertest';
import { loadConfig, ConfigError } from '../../../src/config.js';
import { Ticket } from '../../../src/modules/feedback/model.js';
import { purgeAttachments } from '../../../src/modules/feedback/retention.js';
import { migrateDiskAttachments, migratedKey } from '../../../src/modules/feedback/attachments/migrate.js';
import { s3Store } from '../../../src/modules/feedback/attachments/s3-store.js';
import {
  attachmentStore,
  openAttachment,
  useAttachmentStore,
} from '../../../src/modules/feedback/attachments/storage.js';
import { gridFsStore, type AttachmentStore } from '../../../src/modules/feedback/attachments/store.js';
import { projectRoot } from '../../../src/platform/paths.js';
import { seedDirectory, signIn, testApp } from '../../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../../helpers/db.js';
import { phoneJpeg, plainJpeg, SECRET_GPS } from '../../helpers/files.js';
import {
  asBytes,
  motoServerCommand,
  readAll,
  sha256,
  startMoto,
  storedChunkCount,
  storedFileCount,
  type MotoServer,
} from './helpers.js';

/** A photo of about 1.5 MB of noise: several GridFS chunks, and more than one read of a stream. */
function bigJpeg(): Buffer {
  const width = 1200;
  const height = 900;
  const data = randomBytes(width * height * 4);
  return Buffer.from(jpeg.encode({ data, width, height }, 95).data);
}

const fields = (req: request.Test, unitCode = 'PKM-KEBUNHANDIL') =>
  req
    .field('kind', 'complaint')
    .field('unitCode', unitCode)
    .field('category', 'facilities')
    .field('description', 'Atap ruang tunggu bocor, lantai licin dan berbahaya.')
    .field('privacy', 'confidential')
    .field('consent', 'true');

async function fileWith(app: Express, photo: Buffer, unitCode = 'PKM-KEBUNHANDIL') {
  await resetRateLimits();
  const { body } = await fields(request(app).post('/api/v1/tickets'), unitCode)
    .attach('attachments', photo, { filename: 'bukti.jpg', contentType: 'image/jpeg' })
    .expect(201);
  const ticket = (await Ticket.findOne({ code: body.code }).lean())!;
  return { code: body.code as string, token: body.accessToken as string, attachment: ticket.attachments[0]! };
}

const download = (app: Express, code: string, id: string, token: string) =>
  request(app)
    .get(`/track/${code}/attachments/${id}?token=${encodeURIComponent(token)}`)
    .buffer(true)
    .parse(asBytes);

describe('Attachment store: files live in the database (or S3), so every process serves every file', function () {
  this.timeout(120_000);
  useTestDatabase();
  let app: Express;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-store-'));
    app = await testApp({ DATA_DIR: dataDir });
    await seedDirectory();
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  describe('in the database’s file store (GridFS)', () => {
    it('gives back, byte for byte, the cleaned photo a citizen uploaded; nothing is written to DATA_DIR', async () => {
      const photo = bigJpeg();
      const { code, token, attachment } = await fileWith(app, photo);
      expect(attachment.storedName).to.match(/^[A-Za-z0-9_-]{32}$/);
      const file = await download(app, code, attachment.id, token).expect(200);
      const bytes = file.body as Buffer;
      expect(bytes.length).to.equal(attachment.size);
      expect(sha256(bytes)).to.equal(attachment.sha256);
      expect(bytes.length).to.be.greaterThan(1024 * 1024); // several chunks of the store
      expect(file.headers).to.include({
        'content-type': 'image/jpeg',
        'x-content-type-options': 'nosniff',
        'content-length': String(attachment.size),
      });
      expect(await storedChunkCount()).to.be.greaterThan(4);
      expect(await readdir(dataDir)).not.to.include('attachments');
    });

    it('refuses an empty file, a 6 MB one and an HTML page posing as a PNG, in the user’s language, storing nothing', async () => {
      await resetRateLimits();
      const before = { tickets: await Ticket.countDocuments(), files: await storedFileCount() };
      const empty = await fields(request(app).post('/api/v1/tickets').set('Accept-Language', 'en'))
        .attach('attachments', Buffer.alloc(0), { filename: 'kosong.jpg', contentType: 'image/jpeg' })
        .expect(400);
      expect(empty.body.error.fields.attachments).to.equal('The file "kosong.jpg" is empty.');
      const big = await fields(request(app).post('/api/v1/tickets'))
        .attach('attachments', Buffer.concat([plainJpeg(), Buffer.alloc(6 * 1024 * 1024)]), 'besar.jpg')
        .expect(413);
      expect(big.body.error.fields.attachments).to.match(/^Berkas "besar\.jpg" terlalu besar: maksimal 5 MB/);
      const forged = await fields(request(app).post('/api/v1/tickets'))
        .attach('attachments', Buffer.from('<html><script>alert(1)</script></html>'), {
          filename: 'foto.png',
          contentType: 'image/png',
        })
        .expect(400);
      expect(forged.body.error.fields.attachments).to.match(/bukan foto/);
      expect({ tickets: await Ticket.countDocuments(), files: await storedFileCount() }).to.deep.equal(before);
    });

    it("refuses someone else's attachment: another ticket's token, another ticket's file id, another unit's staff", async () => {
      const mine = await fileWith(app, plainJpeg());
      const theirs = await fileWith(app, phoneJpeg(), 'PKM-PUTRIAYU');
      await download(app, theirs.code, theirs.attachment.id, mine.token).expect(404);
      await download(app, mine.code, theirs.attachment.id, mine.token).expect(404);
      const neighbour = request.agent(app);
      await signIn(neighbour, 'kepala.kebunhandil@suara.test');
      const refused = await neighbour.get(`/inbox/tickets/${theirs.code}/attachments/${theirs.attachment.id}`);
      expect(refused.status).to.be.oneOf([403, 404]);
      expect(refused.headers['content-type']).not.to.match(/^image\//);
      const own = await neighbour
        .get(`/inbox/tickets/${mine.code}/attachments/${mine.attachment.id}`)
        .buffer(true)
        .parse(asBytes)
        .expect(200);
      expect(sha256(own.body as Buffer)).to.equal(mine.attachment.sha256);
    });

    it('serves through a second app instance what the first one received (two processes, one database)', async () => {
      const second = await testApp();
      const { code, token, attachment } = await fileWith(app, phoneJpeg());
      // The second instance reaches the database over a connection of its own, as another process would.
      const connection = await mongoose
        .createConnection(process.env.TEST_MONGODB_URI!, { dbName: mongoose.connection.db!.databaseName })
        .asPromise();
      const previous = useAttachmentStore(gridFsStore(connection.db!));
      try {
        const file = await download(second, code, attachment.id, token).expect(200);
        expect(sha256(file.body as Buffer)).to.equal(attachment.sha256);
        expect((file.body as Buffer).includes(Buffer.from(SECRET_GPS, 'latin1'))).to.equal(false);
      } finally {
        useAttachmentStore(previous);
        await connection.close();
      }
    });

    it('removes the stored file, chunks and all, when the retention job forgets a closed ticket’s attachments', async () => {
      const { code, attachment } = await fileWith(app, bigJpeg());
      const long = new Date(Date.now() - 1000 * 86_400_000);
      await Ticket.updateOne({ code }, { $set: { status: 'closed', closedAt: long } });
      const chunks = await mongoose.connection
        .db!.collection('attachments.chunks')
        .countDocuments({ files_id: attachment.storedName });
      expect(chunks).to.be.greaterThan(1);
      expect(await purgeAttachments(new Date(Date.now() - 730 * 86_400_000), 'JAMBI')).to.equal(1);
      expect((await Ticket.findOne({ code }).lean())!.attachments).to.deep.equal([]);
      expect(await attachmentStore().open(attachment.storedName)).to.equal(null);
      expect(
        await mongoose.connection
          .db!.collection('attachments.chunks')
          .countDocuments({ files_id: attachment.storedName }),
      ).to.equal(0);
      expect(await purgeAttachments(new Date(Date.now() - 730 * 86_400_000), 'JAMBI')).to.equal(0);
    });

    it('answers 503 in the user’s language when the store fails mid-upload: no ticket, no half file left', async () => {
      // Test double: a database that fails halfway through a write cannot be arranged on demand, so the real store
      // is given a stream that breaks after its first chunks were written.
      const real = gridFsStore();
      const breaking: AttachmentStore = {
        ...real,
        put: (key, source, meta) => {
          let passed = 0;
          const breaker = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              const room = 600_000 - passed;
              passed += chunk.length;
              if (room >= chunk.length) return done(null, chunk);
              this.push(chunk.subarray(0, Math.max(room, 0)));
              setTimeout(() => done(new Error('connection reset')), 200); // after the first chunks reached the database
            },
          });
          source.on('error', (error) => breaker.destroy(error));
          return real.put(key, source.pipe(breaker) as Readable, meta);
        },
      };
      await resetRateLimits();
      const before = { tickets: await Ticket.countDocuments(), files: await storedFileCount() };
      const chunksBefore = await storedChunkCount();
      const previous = useAttachmentStore(breaking);
      try {
        const refused = await fields(request(app).post('/api/v1/tickets').set('Accept-Language', 'en'))
          .attach('attachments', plainJpeg(), { filename: 'kecil.jpg', contentType: 'image/jpeg' })
          .attach('attachments', bigJpeg(), { filename: 'besar.jpg', contentType: 'image/jpeg' })
          .expect(503);
        expect(refused.body.error.message).to.match(/^Attachments cannot be stored or opened right now/);
      } finally {
        useAttachmentStore(previous);
      }
      expect({ tickets: await Ticket.countDocuments(), files: await storedFileCount() }).to.deep.equal(before);
      expect(await storedChunkCount()).to.equal(chunksBefore);
    });
  });

  describe('the no-JavaScript form while the store is down', () => {
    it('answers 503 with the form again, the text and the photo kept, and files it once the store is back', async () => {
      await resetRateLimits();
      const agent = request.agent(app);
      const html = (await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text;
      const hidden = (name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
      const action = html.match(/<form method="post" action="([^"]+)" enctype/)![1]!.replace(/&amp;/g, '&');
      const send = (req: request.Test) =>
        req
          .field('formToken', hidden('formToken'))
          .field('stagingId', hidden('stagingId'))
          .field('kind', 'complaint')
          .field('category', 'facilities')
          .field('description', 'Kursi ruang tunggu patah dan membahayakan lansia.')
          .field('privacy', 'public')
          .field('consent', 'on');
      const before = await Ticket.countDocuments();
      const down: AttachmentStore = {
        kind: 'database',
        put: () => Promise.reject(new Error('connect ECONNREFUSED')),
        open: () => Promise.reject(new Error('connect ECONNREFUSED')),
        delete: () => Promise.resolve(),
      };
      const previous = useAttachmentStore(down);
      let page: request.Response;
      try {
        page = await send(agent.post(action))
          .attach('attachments', phoneJpeg(), { filename: 'kursi.jpg', contentType: 'image/jpeg' })
          .expect(503);
      } finally {
        useAttachmentStore(previous);
      }
      expect(page.headers['retry-after']).to.match(/^\d+$/);
      expect(page.text).to.include('>Kursi ruang tunggu patah dan membahayakan lansia.</textarea>');
      expect(page.text).to.include('<span class="file-name">kursi.jpg</span>');
      expect(await Ticket.countDocuments()).to.equal(before);

      const filed = await send(agent.post(action)).expect(201);
      expect(filed.text).to.include('Terima kasih, laporan Anda sudah diterima');
      const ticket = (await Ticket.findOne().sort({ createdAt: -1 }).lean())!;
      expect(ticket.attachments.map((file) => file.originalName)).to.deep.equal(['kursi.jpg']);
      expect(await attachmentStore().open(ticket.attachments[0]!.storedName)).not.to.equal(null);
    });

    it('answers a download with 503 in the user’s language, and no byte of the file, while the store is down', async () => {
      const { code, token, attachment } = await fileWith(app, plainJpeg());
      const previous = useAttachmentStore({
        kind: 'database',
        put: () => Promise.reject(new Error('connect ECONNREFUSED')),
        open: () => Promise.reject(new Error('connect ECONNREFUSED')),
        delete: () => Promise.reject(new Error('connect ECONNREFUSED')),
      });
      try {
        const refused = await download(app, code, attachment.id, token).set('Accept-Language', 'en').expect(503);
        expect(refused.headers['content-type']).not.to.match(/^image\//);
        expect((refused.body as Buffer).toString()).to.include('Attachments cannot be stored or opened right now');
      } finally {
        useAttachmentStore(previous);
      }
      await download(app, code, attachment.id, token).expect(200);
    });
  });

  describe('moving files from DATA_DIR/attachments (npm run attachments:migrate)', () => {
    let legacyDir: string;

    /** A ticket as an earlier version left it: its file under DATA_DIR/attachments/<yyyy>/<mm>/<random>. */
    async function legacyTicket(bytes: Buffer = plainJpeg(), recordedSha = sha256(bytes)) {
      const { code, token } = await fileWith(app, plainJpeg());
      const storedName = `2025/11/${randomBytes(24).toString('base64url')}`;
      const file = path.join(legacyDir, 'attachments', ...storedName.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
      const attachment = {
        id: randomBytes(12).toString('base64url'),
        storedName,
        originalName: 'lama.jpg',
        type: 'image/jpeg',
        size: bytes.length,
        sha256: recordedSha,
        metadata: 'removed',
      };
      await Ticket.updateOne({ code }, { $set: { attachments: [attachment] } });
      return { code, token, file, attachment, bytes };
    }
    const onDisk = async () =>
      (await readdir(path.join(legacyDir, 'attachments'), { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name);

    beforeEach(async () => {
      legacyDir = await mkdtemp(path.join(os.tmpdir(), 'suara-legacy-'));
    });
    afterEach(async () => {
      // Tickets still naming a file in this spec's folder would be "missing" for the next one.
      await Ticket.updateMany({ 'attachments.storedName': { $regex: '^[0-9]{4}/' } }, { $set: { attachments: [] } });
      await rm(legacyDir, { recursive: true, force: true });
    });

    it('moves every file into the store with its SHA-256 checked, points the ticket at it, and does nothing the second time', async () => {
      const old = [await legacyTicket(bigJpeg()), await legacyTicket()];
      await download(app, old[0]!.code, old[0]!.attachment.id, old[0]!.token).expect(404); // not served before the move
      const filesBefore = await storedFileCount();
      const lines: string[] = [];
      const first = await migrateDiskAttachments({ dataDir: legacyDir, progress: (line) => lines.push(line) });
      expect(first).to.deep.equal({ moved: 2, resumed: 0, mismatched: 0, missing: 0, unreferenced: 0 });
      expect(await onDisk()).to.deep.equal([]);
      expect(await storedFileCount()).to.equal(filesBefore + 2);
      for (const { code, bytes } of old) {
        const ticket = (await Ticket.findOne({ code }).lean())!;
        const [attachment] = ticket.attachments;
        expect(attachment!.storedName).to.equal(migratedKey(String(ticket._id), attachment!.id));
        expect((await readAll((await openAttachment(attachment!.storedName)).stream)).equals(bytes)).to.equal(true);
      }
      const again = await migrateDiskAttachments({ dataDir: legacyDir });
      expect(again).to.deep.equal({ moved: 0, resumed: 0, mismatched: 0, missing: 0, unreferenced: 0 });
      expect(await storedFileCount()).to.equal(filesBefore + 2);
    });

    it('keeps the retention job off tickets whose files are still on disk, until they are moved', async () => {
      const old = await legacyTicket();
      await Ticket.updateOne(
        { code: old.code },
        { $set: { status: 'closed', closedAt: new Date(Date.now() - 1000 * 86_400_000) } },
      );
      const cutoff = new Date(Date.now() - 730 * 86_400_000);
      expect(await purgeAttachments(cutoff, 'JAMBI')).to.equal(0);
      expect((await Ticket.findOne({ code: old.code }).lean())!.attachments).to.have.length(1);
      expect(await onDisk()).to.deep.equal([path.basename(old.file)]);
      await migrateDiskAttachments({ dataDir: legacyDir });
      expect(await purgeAttachments(cutoff, 'JAMBI')).to.equal(1);
      expect((await Ticket.findOne({ code: old.code }).lean())!.attachments).to.deep.equal([]);
    });

    it('finishes a run cut short, leaves a file that does not match its hash, and counts files no ticket names', async () => {
      const interrupted = await legacyTicket();
      const damaged = await legacyTicket(plainJpeg(), 'f'.repeat(64));
      const copiedOnly = await legacyTicket(bigJpeg());
      // The state a crash leaves: one file copied and deleted from disk, its ticket not yet pointed at the copy;
      // another copied (partly, say) but still on disk.
      const ticketOf = async (code: string) => (await Ticket.findOne({ code }).lean())!;
      const keyOf = async (code: string) =>
        migratedKey(String((await ticketOf(code))._id), (await ticketOf(code)).attachments[0]!.id);
      await storeAt(await keyOf(interrupted.code), interrupted.bytes);
      await rm(interrupted.file);
      await storeAt(await keyOf(copiedOnly.code), copiedOnly.bytes.subarray(0, 1000));
      await writeFile(path.join(path.dirname(damaged.file), 'Zz'.repeat(16)), 'nobody points here');
      const filesBefore = await storedFileCount();

      const counts = await migrateDiskAttachments({ dataDir: legacyDir });
      expect(counts).to.deep.equal({ moved: 1, resumed: 1, mismatched: 1, missing: 0, unreferenced: 1 });
      expect((await ticketOf(damaged.code)).attachments[0]!.storedName).to.equal(damaged.attachment.storedName);
      expect((await onDisk()).sort()).to.deep.equal([path.basename(damaged.file), 'Zz'.repeat(16)].sort());
      for (const { code, bytes } of [interrupted, copiedOnly]) {
        const stored = (await ticketOf(code)).attachments[0]!.storedName;
        expect(sha256(await readAll((await openAttachment(stored)).stream))).to.equal(sha256(bytes));
      }
      expect(await storedFileCount()).to.equal(filesBefore); // the partial copy was replaced, not doubled
    });

    it('runs as `npm run attachments:migrate` against the configured database, with counts, and again as a no-op', async function () {
      this.timeout(180_000);
      await legacyTicket();
      const uri = new URL(process.env.TEST_MONGODB_URI!);
      uri.pathname = `/${mongoose.connection.db!.databaseName}`;
      const run = async () => {
        const child = spawn('npx', ['tsx', 'scripts/migrate-attachments.ts'], {
          cwd: projectRoot,
          env: { ...process.env, MONGODB_URI: uri.toString(), DATA_DIR: legacyDir, LOG_LEVEL: 'silent' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const [code] = (await once(child, 'exit')) as [number];
        return { code, output };
      };
      const first = await run();
      expect(first.output).to.include('Moved 1 files (0 finished from an earlier run)');
      expect(first.code, first.output).to.equal(0);
      expect(await onDisk()).to.deep.equal([]);
      const second = await run();
      expect(second.output).to.include('No ticket names a file on disk: nothing to move.');
      expect(second.code, second.output).to.equal(0);
    });

    /** Writes bytes under a key directly, as an interrupted run would have. */
    async function storeAt(key: string, bytes: Buffer) {
      const { Readable } = await import('node:stream');
      await attachmentStore().put(key, Readable.from([bytes]), { type: 'image/jpeg' });
    }
  });

  describe('settings of the S3 store', () => {
    it('reads the bucket, endpoint and keys (or key files); a key without its secret is an error', async () => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'suara-s3-keys-'));
      await writeFile(path.join(folder, 'secret'), 'rahasia-s3\n');
      const config = loadConfig({
        ATTACHMENTS_S3_BUCKET: 'suara-lampiran',
        ATTACHMENTS_S3_ENDPOINT: 'http://minio.local:9000',
        ATTACHMENTS_S3_ACCESS_KEY_ID: 'suara',
        ATTACHMENTS_S3_SECRET_ACCESS_KEY_FILE: path.join(folder, 'secret'),
      });
      expect(config.attachmentsS3).to.deep.equal({
        bucket: 'suara-lampiran',
        endpoint: 'http://minio.local:9000',
        region: 'us-east-1',
        accessKeyId: 'suara',
        secretAccessKey: 'rahasia-s3',
        prefix: '',
        forcePathStyle: true,
      });
      expect(loadConfig({}).attachmentsS3).to.equal(undefined);
      expect(() => loadConfig({ ATTACHMENTS_S3_BUCKET: 'b-1', ATTACHMENTS_S3_ACCESS_KEY_ID: 'x' }))
        .to.throw(ConfigError)
        .with.property('variable', 'ATTACHMENTS_S3_SECRET_ACCESS_KEY');
      expect(() => loadConfig({ ATTACHMENTS_S3_BUCKET: 'Not A Bucket' })).to.throw(ConfigError);
      await rm(folder, { recursive: true, force: true });
    });
  });

  describe('in an S3-compatible bucket (a real moto server)', function () {
    const command = motoServerCommand();
    let moto: MotoServer;
    let previous: AttachmentStore | undefined;

    before(async function () {
      if (!command) {
        process.stderr.write('  (S3 specs skipped: no moto_server; pip install "moto[server]" or set MOTO_SERVER)\n');
        return this.skip();
      }
      moto = await startMoto(command);
      previous = useAttachmentStore(s3Store(moto.settings));
    });
    after(async () => {
      if (!command) return;
      useAttachmentStore(previous);
      await moto.stop();
    });

    it('uploads through the app, downloads byte for byte, and forgets the object on retention', async () => {
      const filesBefore = await storedFileCount();
      const { code, token, attachment } = await fileWith(app, bigJpeg());
      expect(await storedFileCount()).to.equal(filesBefore); // not in the database
      const file = await download(app, code, attachment.id, token).expect(200);
      expect(sha256(file.body as Buffer)).to.equal(attachment.sha256);
      expect(file.headers['content-length']).to.equal(String(attachment.size));
      const listing = await fetch(`${moto.settings.endpoint}/${moto.settings.bucket}?list-type=2`).then((r) =>
        r.text(),
      );
      expect(listing).to.include(`attachments/${attachment.storedName}`);

      await Ticket.updateOne(
        { code },
        { $set: { status: 'closed', closedAt: new Date(Date.now() - 1000 * 86_400_000) } },
      );
      expect(await purgeAttachments(new Date(Date.now() - 730 * 86_400_000), 'JAMBI')).to.equal(1);
      expect(await attachmentStore().open(attachment.storedName)).to.equal(null);
      await download(app, code, attachment.id, token).expect(404);
    });

    it('moves files on disk into the bucket', async () => {
      const folder = await mkdtemp(path.join(os.tmpdir(), 'suara-legacy-s3-'));
      const { code } = await fileWith(app, plainJpeg());
      const bytes = phoneJpeg();
      const storedName = `2024/02/${randomBytes(24).toString('base64url')}`;
      await mkdir(path.join(folder, 'attachments', '2024', '02'), { recursive: true });
      await writeFile(path.join(folder, 'attachments', ...storedName.split('/')), bytes);
      const attachment = {
        id: 'a'.repeat(16),
        storedName,
        type: 'image/jpeg',
        size: bytes.length,
        sha256: sha256(bytes),
        metadata: 'kept',
      };
      await Ticket.updateOne({ code }, { $set: { attachments: [attachment] } });
      expect(await migrateDiskAttachments({ dataDir: folder })).to.include({ moved: 1, mismatched: 0 });
      const moved = (await Ticket.findOne({ code }).lean())!.attachments[0]!;
      expect((await readAll((await openAttachment(moved.storedName)).stream)).equals(bytes)).to.equal(true);
      await rm(folder, { recursive: true, force: true });
    });

    it('answers 503 when the bucket is gone, and files no ticket', async () => {
      const before = await Ticket.countDocuments();
      const missing = useAttachmentStore(s3Store({ ...moto.settings, bucket: 'no-such-bucket' }));
      try {
        await resetRateLimits();
        const refused = await fields(request(app).post('/api/v1/tickets'))
          .attach('attachments', plainJpeg(), { filename: 'a.jpg', contentType: 'image/jpeg' })
          .expect(503);
        expect(refused.body.error.message).to.match(/^Lampiran tidak dapat disimpan/);
      } finally {
        useAttachmentStore(missing);
      }
      expect(await Ticket.countDocuments()).to.equal(before);
    });
  });
});
