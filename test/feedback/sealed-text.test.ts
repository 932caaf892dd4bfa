import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { Ticket } from '../../src/modules/feedback/model.js';
import { originalBody, originalDescription, sealUnsealedTickets } from '../../src/modules/feedback/sealed-text.js';
import { projectRoot } from '../../src/platform/paths.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { createUser } from '../../src/modules/accounts/service.js';

const PHONE = '0812-3456-7890';
const EMAIL = 'rahmat.hidayat@contoh.id';
const NIK = '1571020304050006';
const WORDS = `Petugas loket membentak ibu saya. Hubungi saya di ${PHONE} atau ${EMAIL}, NIK ${NIK}.`;
const SCRUBBED = 'Petugas loket membentak ibu saya. Hubungi saya di [telepon] atau [e-mail], NIK [nomor].';

const rawTicket = (code: string) => mongoose.connection.db!.collection('tickets').findOne({ code });

describe("The citizen's own words are sealed at rest, with a scrubbed copy for every view", () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    // The inspectorate reads tickets but verifies none: it gets the scrubbed copy.
    await createUser(admin, {
      email: 'inspektorat@suara.test',
      name: 'Inspektorat',
      password: PASSWORD,
      role: 'viewer',
      unitCode: 'JAMBI',
    });
  });
  beforeEach(async () => {
    await Ticket.deleteMany({});
    await resetRateLimits();
  });

  async function file(description = WORDS) {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'officer_conduct',
        description,
        privacy: 'confidential',
        consent: true,
      })
      .expect(201);
    return body as { code: string; accessToken: string };
  }

  const citizenView = async (code: string, token: string) =>
    (await request(app).get(`/api/v1/tickets/${code}`).set('X-Access-Token', token).expect(200)).body;

  it('stores no phone, e-mail or NIK of the description in the clear, and still finds the ticket by its words', async () => {
    const { code } = await file();
    const raw = (await rawTicket(code))!;
    const stored = JSON.stringify(raw);
    for (const secret of [PHONE, 'rahmat.hidayat', NIK]) expect(stored).not.to.include(secret);
    expect(raw.description).to.equal(SCRUBBED);
    expect(originalDescription(raw as never)).to.equal(WORDS);
    expect(raw.searchTokens).to.include.members(['tugas', 'loket', 'bentak']);
  });

  it('shows the citizen and a verifier their own words, and other staff the scrubbed copy', async () => {
    const { code, accessToken } = await file();
    expect((await citizenView(code, accessToken)).description).to.equal(WORDS);
    const page = await request(app).get(`/track/${code}?token=${accessToken}`).expect(200);
    expect(page.text).to.include(PHONE);

    const head = request.agent(app);
    await signIn(head, 'kepala.kebunhandil@suara.test');
    const verifier = (await head.get(`/api/v1/tickets/${code}`).expect(200)).body;
    expect(verifier.description).to.equal(WORDS);
    expect(verifier.ticket.summary).to.equal(SCRUBBED);
    const viewer = request.agent(app);
    await signIn(viewer, 'inspektorat@suara.test');
    const staff = (await viewer.get(`/api/v1/tickets/${code}`).expect(200)).body;
    expect(staff.description).to.equal(SCRUBBED);
    expect(staff.ticket.summary).to.equal(SCRUBBED);
  });

  it("seals the citizen's reply, reopening note and rating comment the same way", async () => {
    const { code, accessToken } = await file('Antrean di loket pendaftaran lama sekali tanpa kejelasan.');
    const act = (action: string, body: object) =>
      request(app).post(`/api/v1/tickets/${code}/${action}`).set('X-Access-Token', accessToken).send(body);
    await act('replies', { body: `Saya bisa dihubungi di ${PHONE}.` }).expect(200);
    await Ticket.updateOne({ code }, { $set: { status: 'resolved', resolvedAt: new Date() } });
    await act('rating', { score: 2, comment: `Belum puas, tulis ke ${EMAIL}` }).expect(200);
    await act('reopen', { body: `Masih terjadi, NIK saya ${NIK}` }).expect(200);

    const raw = (await rawTicket(code))!;
    const stored = JSON.stringify(raw);
    for (const secret of [PHONE, 'rahmat.hidayat', NIK]) expect(stored).not.to.include(secret);
    const citizenEntries = raw.history.filter((entry: { body?: string }) => entry.body);
    expect(citizenEntries.map((entry: { body: string }) => entry.body)).to.deep.equal([
      'Saya bisa dihubungi di [telepon].',
      'Belum puas, tulis ke [e-mail]',
      'Masih terjadi, NIK saya [nomor]',
    ]);
    expect(citizenEntries.map(originalBody)).to.deep.equal([
      `Saya bisa dihubungi di ${PHONE}.`,
      `Belum puas, tulis ke ${EMAIL}`,
      `Masih terjadi, NIK saya ${NIK}`,
    ]);
    expect(raw.rating.comment).to.equal('Belum puas, tulis ke [e-mail]');

    const view = await citizenView(code, accessToken);
    expect(view.timeline.map((entry: { body: string | null }) => entry.body).filter(Boolean)).to.deep.equal([
      `Saya bisa dihubungi di ${PHONE}.`,
      `Belum puas, tulis ke ${EMAIL}`,
      `Masih terjadi, NIK saya ${NIK}`,
    ]);
    expect(view.rating).to.deep.equal({ score: 2, comment: `Belum puas, tulis ke ${EMAIL}` });

    const viewer = request.agent(app);
    await signIn(viewer, 'inspektorat@suara.test');
    const staff = JSON.stringify((await viewer.get(`/api/v1/tickets/${code}`).expect(200)).body);
    for (const secret of [PHONE, 'rahmat.hidayat', NIK]) expect(staff).not.to.include(secret);
    expect(staff).to.include('Saya bisa dihubungi di [telepon].');
  });

  describe('tickets filed before their text was sealed', () => {
    /** A ticket as an older version stored it: the original in `description` and in the citizen's bodies. */
    async function olderTicket(description: string, reply: string | null = null) {
      const { code } = await file('Teks sementara yang akan diganti oleh versi lama.');
      const entry = { at: new Date(), actor: { kind: 'citizen' }, action: 'citizen_reply', body: reply, public: true };
      const staffNote = {
        at: new Date(),
        actor: { kind: 'staff', name: 'Dewi' },
        action: 'note',
        body: PHONE,
        public: false,
      };
      await Ticket.collection.updateOne({ code }, {
        $set: { description },
        $unset: { descriptionSealed: '' },
        $push: { history: { $each: reply ? [entry, staffNote] : [staffNote] } },
      } as never);
      return code;
    }

    it('stay readable as they are until sealed', async () => {
      const code = await olderTicket(WORDS, `Balasan lama ${PHONE}`);
      const raw = (await rawTicket(code))!;
      expect(originalDescription(raw as never)).to.equal(WORDS);
      expect(originalBody(raw.history[1])).to.equal(`Balasan lama ${PHONE}`);
      expect(originalBody({ body: null })).to.equal(null);
    });

    it('are sealed once by the maintenance job, in batches with progress, leaving staff notes as written', async () => {
      const codes = [];
      for (let index = 0; index < 5; index++) codes.push(await olderTicket(`${WORDS} (${index})`, `Balasan ${PHONE}`));
      await file(); // filed today: sealed already, not counted
      const progress: string[] = [];
      const result = await sealUnsealedTickets({
        batchSize: 2,
        progress: ({ sealed, total }) => progress.push(`${sealed}/${total}`),
      });
      expect(result).to.deep.equal({ sealed: 5, total: 5 });
      expect(progress).to.deep.equal(['2/5', '4/5', '5/5']);
      for (const [index, code] of codes.entries()) {
        const raw = (await rawTicket(code))!;
        expect(raw.description).to.equal(`${SCRUBBED} (${index})`);
        expect(originalDescription(raw as never)).to.equal(`${WORDS} (${index})`);
        expect(raw.history[1].body).to.equal('Balasan [telepon]');
        expect(originalBody(raw.history[1])).to.equal(`Balasan ${PHONE}`);
        expect(raw.history[2].body, 'a staff note is staff text').to.equal(PHONE);
      }
      expect(await sealUnsealedTickets()).to.deep.equal({ sealed: 0, total: 0 });
    });

    it('npm run tickets:seal seals them in the configured database and says how far it got', async function () {
      this.timeout(60_000);
      const code = await olderTicket(WORDS);
      const uri = new URL(process.env.TEST_MONGODB_URI!);
      uri.pathname = `/${mongoose.connection.name}`;
      const { stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/seal-ticket-text.ts'],
        {
          cwd: projectRoot,
          env: {
            ...process.env,
            MONGODB_URI: uri.toString(),
            DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'suara-seal-')),
            DATA_ENCRYPTION_KEY: 'a1'.repeat(32), // the key the specs seal with (test/setup.ts)
            LOG_LEVEL: 'silent',
          },
        },
      );
      expect(stderr).to.include('Sealed 1 of 1 tickets…');
      const raw = (await rawTicket(code))!;
      expect(raw.description).to.equal(SCRUBBED);
      expect(originalDescription(raw as never)).to.equal(WORDS);
    });
  });
});
