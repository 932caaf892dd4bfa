import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { Ticket } from '../../src/modules/feedback/model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { subscribe, type TicketEvent } from '../../src/platform/events.js';
import { unseal } from '../../src/platform/crypto.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { attachmentFiles } from './attachments/helpers.js';
import {
  PDF_AUTHOR,
  SECRET_CAMERA,
  SECRET_GPS,
  pdfWithAuthor,
  phoneJpeg,
  plainJpeg,
  readPdf,
} from '../helpers/files.js';

const complaint = (overrides: Record<string, unknown> = {}) => ({
  kind: 'complaint',
  unitCode: 'PKM-KEBUNHANDIL',
  category: 'waiting_time',
  description: 'Saya menunggu tiga jam di loket pendaftaran tanpa kejelasan antrean.',
  waitMinutes: 180,
  reporter: { name: 'Rahmat', email: 'rahmat@contoh.id', phone: '0812 3456 7890' },
  privacy: 'anonymous',
  consent: true,
  ...overrides,
});

describe('Filing a ticket through the API (POST /api/v1/tickets)', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  beforeEach(async () => {
    await Ticket.deleteMany({});
    await resetRateLimits();
  });

  it('files a complaint: 201 with a readable code, an access token, status received and a verification due time', async () => {
    const events: TicketEvent[] = [];
    const stop = subscribe('ticket.created', (event) => void events.push(event));
    const response = await request(app).post('/api/v1/tickets').send(complaint()).expect(201);
    stop();
    expect(response.body.code).to.match(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(response.body.accessToken).to.be.a('string').with.length(32);
    expect(response.body.status).to.equal('received');
    expect(new Date(response.body.dueAt).getTime()).to.be.greaterThan(Date.now() + 24 * 3600 * 1000);
    expect(events.map((event) => event.code)).to.deep.equal([response.body.code]);
    expect(events[0]).not.to.have.property('reporter');
  });

  it('keeps contact details sealed at rest, findable by a keyed hash only', async () => {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send(complaint({ privacy: 'confidential' }))
      .expect(201);
    const raw = await mongoose.connection.db!.collection('tickets').findOne({ code: body.code });
    const stored = JSON.stringify(raw);
    expect(stored).not.to.include('rahmat@contoh.id');
    expect(stored).not.to.include('Rahmat');
    expect(stored).not.to.include('3456');
    expect(unseal(raw!.reporter.email)).to.equal('rahmat@contoh.id');
    expect(unseal(raw!.reporter.phone)).to.equal('081234567890');
  });

  it('makes the same ticket of the same Idempotency-Key, and refuses the key with other content', async () => {
    const first = await request(app)
      .post('/api/v1/tickets')
      .set('Idempotency-Key', 'tap-1')
      .send(complaint())
      .expect(201);
    const again = await request(app)
      .post('/api/v1/tickets')
      .set('Idempotency-Key', 'tap-1')
      .send(complaint())
      .expect(200);
    expect(again.body).to.deep.equal(first.body);
    await request(app)
      .post('/api/v1/tickets')
      .set('Idempotency-Key', 'tap-1')
      .send(complaint({ description: 'Isi yang lain sama sekali, bukan laporan yang tadi.' }))
      .expect(409);
    expect(await Ticket.countDocuments()).to.equal(1);
  });

  it('files one ticket when two taps with one key race', async () => {
    const send = () => request(app).post('/api/v1/tickets').set('Idempotency-Key', 'race-1').send(complaint());
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 201]);
    expect(a.body.code).to.equal(b.body.code);
    expect(await Ticket.countDocuments()).to.equal(1);
  });

  it('tags the officer named by NIP (signed-in staff) or by opaque reference (QR link)', async () => {
    const officer = await Officer.findOne({ nip: '198503152010012001' }).lean();
    const staff = request.agent(app);
    const csrf = await signIn(staff, 'petugas@suara.test');
    const byNip = await staff
      .post('/api/v1/tickets')
      .set('X-CSRF-Token', csrf)
      .send(complaint({ officerNip: '198503152010012001' }))
      .expect(201);
    const byRef = await request(app)
      .post('/api/v1/tickets')
      .send(complaint({ officerRef: officer!.ref }))
      .expect(201);
    for (const { body } of [byNip, byRef]) {
      const ticket = await Ticket.findOne({ code: body.code }).lean();
      expect(ticket!.officerIds.map(String)).to.deep.equal([String(officer!._id)]);
    }
  });

  it('refuses a NIP from the public in the same words whether or not the officer exists, in the request language', async () => {
    const answers = [];
    for (const [nip, lang] of [
      ['198503152010012001', 'id'],
      ['199912312020121001', 'id'], // well formed, nobody's
      ['198503152010012001', 'en'],
      ['199912312020121001', 'en'],
    ] as const) {
      const response = await request(app)
        .post('/api/v1/tickets')
        .set('Accept-Language', lang)
        .send(complaint({ officerNip: nip }))
        .expect(400);
      answers.push(response.body);
    }
    expect(answers[0]).to.deep.equal(answers[1]);
    expect(answers[2]).to.deep.equal(answers[3]);
    expect(answers[0].error.fields).to.deep.equal({
      officerNip: 'NIP hanya untuk petugas yang masuk atau integrasi dengan token API; gunakan officerRef.',
    });
    expect(answers[2].error.fields).to.deep.equal({
      officerNip: 'A NIP is for signed-in staff or integrations with an API token; use officerRef.',
    });
    expect(await Ticket.countDocuments()).to.equal(0);
  });

  it("refuses an officer of another unit, by NIP or by reference, in the same words as one who doesn't exist", async () => {
    const ambon = await Officer.findOne({ nip: '198807202012121001' }).lean();
    const staff = request.agent(app);
    const csrf = await signIn(staff, 'petugas@suara.test');
    const byNip = await staff
      .post('/api/v1/tickets')
      .set('X-CSRF-Token', csrf)
      .send(complaint({ officerNip: ambon!.nip }))
      .expect(400);
    const byRef = await request(app)
      .post('/api/v1/tickets')
      .send(complaint({ officerRef: ambon!.ref }))
      .expect(400);
    expect(byNip.body.error.fields.officerNip).to.equal('Petugas tidak ditemukan di unit tersebut.');
    expect(byRef.body.error.fields.officerRef).to.equal('Petugas tidak ditemukan di unit tersebut.');
    expect(await Ticket.countDocuments()).to.equal(0);
  });

  describe('bad input gets a clear 4xx and stores nothing', () => {
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['an unknown kind', { kind: 'gossip' }, 400, 'kind'],
      ['an unknown unit', { unitCode: 'NOPE' }, 400, 'unitCode'],
      ['a service of no such unit', { serviceCode: 'KTP-EL' }, 400, 'serviceCode'],
      [
        'a NIP from the public (only staff may name officers by NIP)',
        { officerNip: '198503152010012001' },
        400,
        'officerNip',
      ],
      ['a made-up officer reference', { officerRef: 'xxxxxxxxxxx' }, 400, 'officerRef'],
      ['a complaint without category', { category: '' }, 400, 'category'],
      ['a category the kind does not take', { kind: 'compliment', category: 'illegal_fee' }, 400, 'category'],
      ['an operator object where a string belongs', { description: { $gt: '' } }, 400, 'description'],
      ['a number where text belongs', { unitCode: 42 }, 400, 'unitCode'],
      ['a description over 4000 characters', { description: 'a'.repeat(4001) }, 400, 'description'],
      ['no consent', { consent: false }, 400, 'consent'],
      ['a time in the future', { occurredAt: '2999-01-01T10:00' }, 400, 'occurredAt'],
      ['a wait of minus one', { waitMinutes: -1 }, 400, 'waitMinutes'],
      ['a bad e-mail', { reporter: { email: 'bukan email' } }, 400, 'reporter.email'],
    ];
    for (const [what, change, status, field] of cases)
      it(what, async () => {
        const response = await request(app).post('/api/v1/tickets').send(complaint(change)).expect(status);
        expect(response.body.error.code).to.equal('validation');
        expect(response.body.error.fields).to.have.property(field);
        expect(await Ticket.countDocuments()).to.equal(0);
      });

    it('a 10 MB body', async () => {
      const response = await request(app)
        .post('/api/v1/tickets')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(complaint({ description: 'x'.repeat(10 * 1024 * 1024) })))
        .expect(413);
      expect(response.body.error.code).to.equal('too_large');
      expect(await Ticket.countDocuments()).to.equal(0);
    });

    it('answers in English when asked', async () => {
      const response = await request(app)
        .post('/api/v1/tickets')
        .set('Accept-Language', 'en')
        .send(complaint({ consent: false }))
        .expect(400);
      expect(response.body.error.fields.consent).to.equal(
        'Consent to the processing of your data is needed to send the report.',
      );
    });
  });

  it('stores a script in every text field as text, and shows it escaped', async () => {
    const script = '<script>alert("x")</script>';
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send(complaint({ description: `Petugas bilang ${script} begitu saja.`, reporter: { name: script } }))
      .expect(201);
    const page = await request(app).get(`/track/${body.code}?token=${body.accessToken}`).expect(200);
    expect(page.text).not.to.include(script);
    expect(page.text).to.include('&lt;script&gt;');
  });
});

describe('Filing with photos (multipart POST /api/v1/tickets)', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  beforeEach(resetRateLimits);

  const storedFiles = async () => (await attachmentFiles()).map((file) => file._id).sort();

  const fields = (req: request.Test) =>
    req
      .field('kind', 'complaint')
      .field('unitCode', 'PKM-KEBUNHANDIL')
      .field('category', 'facilities')
      .field('description', 'Atap ruang tunggu bocor, lantai licin dan berbahaya.')
      .field('privacy', 'confidential')
      .field('consent', 'true');

  it('stores a phone photo without its GPS and camera data, and lets the citizen open it', async () => {
    const photo = phoneJpeg();
    expect(photo.includes(Buffer.from(SECRET_GPS, 'latin1'))).to.equal(true);
    const { body } = await fields(request(app).post('/api/v1/tickets'))
      .attach('attachments', photo, { filename: 'IMG_2041.jpg', contentType: 'image/jpeg' })
      .expect(201);
    const view = (
      await request(app).get(`/api/v1/tickets/${body.code}`).set('X-Access-Token', body.accessToken).expect(200)
    ).body;
    expect(view.attachments).to.have.length(1);
    expect(view.attachments[0]).to.include({ type: 'image/jpeg', name: 'IMG_2041.jpg' });
    const file = await request(app)
      .get(`/track/${body.code}/attachments/${view.attachments[0].id}?token=${body.accessToken}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(file.headers['x-content-type-options']).to.equal('nosniff');
    const bytes = file.body as Buffer;
    expect(bytes.subarray(0, 2).toString('hex')).to.equal('ffd8');
    expect(bytes.includes(Buffer.from(SECRET_GPS, 'latin1'))).to.equal(false);
    expect(bytes.includes(Buffer.from(SECRET_CAMERA, 'latin1'))).to.equal(false);
    await request(app)
      .get(`/track/${body.code}/attachments/${view.attachments[0].id}?token=${'x'.repeat(32)}`)
      .expect(404);
  });

  it("stores a PDF without its author, and staff download it without the citizen's name and number", async () => {
    const pdf = await pdfWithAuthor();
    expect(pdf.includes(Buffer.from(PDF_AUTHOR, 'latin1'))).to.equal(true);
    const { body } = await fields(request(app).post('/api/v1/tickets'))
      .attach('attachments', pdf, { filename: 'kuitansi.pdf', contentType: 'application/pdf' })
      .expect(201);
    const head = request.agent(app);
    await signIn(head, 'kepala.kebunhandil@suara.test');
    const view = (await head.get(`/api/v1/tickets/${body.code}`).expect(200)).body;
    expect(view.attachments).to.have.length(1);
    const download = await head
      .get(`/inbox/tickets/${body.code}/attachments/${view.attachments[0].id}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(download.headers['content-type']).to.equal('application/pdf');
    const bytes = download.body as Buffer;
    for (const secret of [PDF_AUTHOR, 'Budi Santoso', '0812-3456-7890'])
      expect(bytes.includes(Buffer.from(secret, 'latin1')), secret).to.equal(false);
    const opened = await readPdf(bytes);
    expect(opened.info).not.to.have.property('Author');
    expect(opened.metadata).to.equal(null);
    expect(opened.pages).to.deep.equal(['Kuitansi Rp 50.000 tanpa dasar hukum']);
  });

  it('refuses a password-locked PDF, and a photo claiming 50,000 × 50,000 pixels, storing nothing', async () => {
    const before = await Ticket.countDocuments();
    const filesBefore = await storedFiles();
    const locked = (await pdfWithAuthor())
      .toString('latin1')
      .replace(/trailer\n<</g, 'trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /O (x) /U (y) /P -4 >>');
    const refused = await fields(request(app).post('/api/v1/tickets').set('Accept-Language', 'en'))
      .attach('attachments', plainJpeg(), { filename: 'foto.jpg', contentType: 'image/jpeg' })
      .attach('attachments', Buffer.from(locked, 'latin1'), {
        filename: 'terkunci.pdf',
        contentType: 'application/pdf',
      })
      .expect(400);
    expect(refused.body.error.fields.attachments).to.match(/^The metadata of the PDF "terkunci\.pdf"/);

    const bomb = Buffer.from(plainJpeg());
    const sof = bomb.indexOf(Buffer.from([0xff, 0xc0]));
    bomb.writeUInt16BE(50_000, sof + 5);
    bomb.writeUInt16BE(50_000, sof + 7);
    const tooBig = await fields(request(app).post('/api/v1/tickets'))
      .attach('attachments', bomb, { filename: 'bom.jpg', contentType: 'image/jpeg' })
      .expect(400);
    expect(tooBig.body.error.fields.attachments).to.match(/^Gambar "bom\.jpg" terlalu besar/);
    expect(await Ticket.countDocuments()).to.equal(before);
    expect(await storedFiles()).to.deep.equal(filesBefore);
  });

  it('refuses a "PNG" that is really an HTML page, and stores neither ticket nor file', async () => {
    const before = await Ticket.countDocuments();
    const response = await fields(request(app).post('/api/v1/tickets'))
      .attach('attachments', Buffer.from('<html><script>alert(1)</script></html>'), {
        filename: 'foto.png',
        contentType: 'image/png',
      })
      .expect(400);
    expect(response.body.error.fields).to.have.property('attachments');
    expect(await Ticket.countDocuments()).to.equal(before);
  });
});

describe('Rate limits on intake', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    await resetRateLimits();
  });

  it('stops a flood from one address with a 429 in the user language, and the same contact after five', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await request(app)
            .post('/api/v1/tickets')
            .send(complaint({ reporter: {} }))
        ).status,
      );
    expect(statuses.slice(0, 10).every((status) => status === 201)).to.equal(true);
    const limited = await request(app)
      .post('/api/v1/tickets')
      .set('Accept-Language', 'en')
      .send(complaint())
      .expect(429);
    expect(limited.body.error).to.deep.equal({
      code: 'rate_limited',
      message: 'Too many requests. Please try again in a moment.',
    });
    expect(statuses[10]).to.equal(429);
  });
});
