import { expect } from 'chai';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import '../helpers/app.js'; // the run's encryption key
import { lookupHash } from '../../src/platform/crypto.js';
import { freePort } from '../../src/platform/embedded-db.js';
import type { Actor } from '../../src/platform/access.js';
import { Outbox } from '../../src/modules/notifications/model.js';
import { outboxStatus, queueMail, type QueueMailInput } from '../../src/modules/notifications/service.js';
import {
  configureMailTransport,
  MAX_ATTEMPTS,
  processOutboxOnce,
  retryDelayMs,
  startOutboxWorker,
  stopOutboxWorker,
} from '../../src/modules/notifications/worker.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';
import { TestMailServer } from '../helpers/mail-server.js';

const MAIL_FROM = 'Suara Jambi <no-reply@suara.jambiprov.go.id>';
const CITIZEN = 'dewi.lestari@contoh.id';
const CODE = 'K7M4QXP2D';
const TOKEN = 'tok_9f8e7d6c5b4a3f2e1d0c';
const TRACK_URL = `https://suara.jambiprov.go.id/track?code=${CODE}&token=${TOKEN}`;

const receipt = (overrides: Partial<QueueMailInput> = {}): QueueMailInput => ({
  to: CITIZEN,
  template: 'ticket.receipt',
  lang: 'id',
  data: { code: CODE, trackUrl: TRACK_URL, unitName: 'Puskesmas Kebun Handil', kindLabel: 'Pengaduan' },
  ...overrides,
});

const inSeconds = (seconds: number, from = new Date()) => new Date(from.getTime() + seconds * 1000);
const rawOutbox = () => mongoose.connection.collection('outbox');
const decodeEntities = (html: string) =>
  html
    .replace(/&#x([0-9a-f]+);/gi, (_all, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('E-mail through the outbox', () => {
  useTestDatabase();
  let smtp: TestMailServer;
  before(async () => {
    smtp = await TestMailServer.start();
  });
  after(async () => {
    await stopOutboxWorker();
    await smtp.close();
  });
  beforeEach(async () => {
    await clearCollections();
    smtp.received.length = 0;
    smtp.rejecting.clear();
    configureMailTransport({ smtpUrl: smtp.url, mailFrom: MAIL_FROM, dataDir: os.tmpdir() });
  });

  describe('the receipt', () => {
    it('reaches the citizen in Bahasa Indonesia with the tracking code, the link and what happens next', async () => {
      await queueMail(receipt());
      expect(await processOutboxOnce()).to.deep.equal({ sent: 1, retrying: 0, failed: 0 });

      expect(smtp.received).to.have.length(1);
      const [mail] = smtp.received;
      expect(mail!.envelopeTo).to.deep.equal([CITIZEN]);
      expect(mail!.headers.from).to.equal(MAIL_FROM);
      expect(mail!.headers['content-language']).to.equal('id');
      expect(mail!.subject).to.equal(`Laporan Anda diterima – kode ${CODE}`);
      expect(mail!.text).to.include(`Kode pelacakan: ${CODE}`);
      expect(mail!.text).to.include(TRACK_URL);
      expect(mail!.text).to.include('Puskesmas Kebun Handil');
      expect(mail!.text).to.include('paling lambat 3 hari kerja');
      // The HTML part says the same, with the tracking link as a link and nothing unescaped.
      expect(mail!.html).to.include('<html lang="id">');
      expect(mail!.html).to.include(`Kode pelacakan: ${CODE}`);
      const href = /<a href="([^"]+)"/.exec(mail!.html)?.[1] ?? '';
      expect(decodeEntities(href)).to.equal(TRACK_URL);
      expect(mail!.html).not.to.match(/<img|src=/i);
    });

    it('gives the due time the ticket was filed with: verification, or an information request’s answer', async () => {
      const due = 'Rabu, 21 Januari 2026 pukul 23.59 WIB';
      await queueMail(receipt({ data: { ...receipt().data, dueLabel: due, answerDue: false } }));
      await queueMail(receipt({ data: { ...receipt().data, dueLabel: due, answerDue: true }, dedupeKey: 'receipt:2' }));
      expect(await processOutboxOnce()).to.deep.equal({ sent: 2, retrying: 0, failed: 0 });
      const texts = smtp.received.map((mail) => mail.text);
      expect(texts.some((text) => text.includes(`petugas memverifikasi laporan Anda paling lambat ${due}.`))).to.equal(
        true,
      );
      expect(
        texts.some((text) =>
          text.includes(`jawaban atas permintaan informasi Anda kami sampaikan paling lambat ${due}.`),
        ),
      ).to.equal(true);
      expect(texts.every((text) => !text.includes('3 hari kerja'))).to.equal(true);
    });

    it('is in English when the citizen used the English form', async () => {
      await queueMail(receipt({ lang: 'en' }));
      await processOutboxOnce();

      const [mail] = smtp.received;
      expect(mail!.headers['content-language']).to.equal('en');
      expect(mail!.subject).to.equal(`We received your report – code ${CODE}`);
      expect(mail!.text).to.include(`Tracking code: ${CODE}`);
      expect(mail!.text).to.include('within 3 working days');
      expect(mail!.text).to.include(TRACK_URL);
      expect(mail!.text).not.to.include('Kode pelacakan');
    });
  });

  describe('the other mails of a case', () => {
    const cases: [QueueMailInput['template'], QueueMailInput['lang'], Record<string, unknown>, RegExp[]][] = [
      [
        'ticket.status',
        'id',
        { statusLabel: 'Terverifikasi' },
        [/Laporan K7M4QXP2D: Terverifikasi/, /kini: Terverifikasi/],
      ],
      ['ticket.status', 'en', { statusLabel: 'Verified' }, [/Report K7M4QXP2D: Verified/, /is now: Verified/]],
      [
        'ticket.reply',
        'id',
        { body: 'Petugas loket sudah kami tegur.\nJam layanan kini dimulai 07.30.' },
        [/menjawab laporan Anda/, /Petugas loket sudah kami tegur\.\nJam layanan kini dimulai 07\.30\./],
      ],
      ['ticket.reply', 'en', { body: 'We spoke with the counter staff.' }, [/replied to your report/, /We spoke with/]],
      ['ticket.resolved', 'id', {}, [/dinyatakan selesai/, /dalam 30 hari/, /setelah 10 hari kerja/]],
      ['ticket.resolved', 'en', {}, [/marked as resolved/, /within 30 days/, /after 10 working days/]],
    ];
    for (const [template, lang, extra, expected] of cases)
      it(`${template} in ${lang === 'id' ? 'Bahasa Indonesia' : 'English'} carries the code, the link and its news`, async () => {
        await queueMail(receipt({ template, lang, data: { ...receipt().data, ...extra } }));
        await processOutboxOnce();
        const [mail] = smtp.received;
        const whole = `${mail!.subject}\n${mail!.text}`;
        for (const pattern of expected) expect(whole).to.match(pattern);
        expect(mail!.text).to.include(CODE);
        expect(mail!.text).to.include(TRACK_URL);
      });

    it("shows a unit's reply as typed in the text part and escaped in the HTML part", async () => {
      const body = 'Mohon maaf <script>alert("x")</script> & terima kasih.\n\nSalam, Kepala Puskesmas';
      await queueMail(receipt({ template: 'ticket.reply', data: { ...receipt().data, body } }));
      await processOutboxOnce();
      const [mail] = smtp.received;
      expect(mail!.text).to.include(body);
      expect(mail!.html).not.to.include('<script');
      expect(mail!.html).to.include('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; terima kasih.');
    });

    it('refuses data a template needs but lacks, and drops data no template uses (never contact data)', async () => {
      const error = await queueMail(receipt({ template: 'ticket.status' })).catch((e: unknown) => e);
      expect(error).to.have.property('code', 'validation');
      await queueMail(receipt({ data: { ...receipt().data, reporterPhone: '081234567890' } }));
      await processOutboxOnce();
      expect(smtp.received[0]!.raw).not.to.include('081234567890');
    });
  });

  describe('when the SMTP server is down', () => {
    it('keeps the message with the error, and delivers it exactly once after the server is back', async () => {
      const port = await freePort(); // nothing listens here yet
      configureMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: MAIL_FROM, dataDir: os.tmpdir() });
      const { id } = await queueMail(receipt());

      const firstTry = new Date();
      expect(await processOutboxOnce(20, { now: firstTry })).to.deep.equal({ sent: 0, retrying: 1, failed: 0 });
      const waiting = await Outbox.findById(id).lean();
      expect(waiting).to.include({ status: 'retry', attempts: 1 });
      expect(waiting!.lastError).to.match(/ECONNREFUSED|connect/i);
      expect(waiting!.nextAttemptAt.getTime()).to.equal(firstTry.getTime() + retryDelayMs(1));
      expect(waiting!.toSealed).to.be.a('string');
      // Not due yet: a sweep in between leaves it alone.
      expect(await processOutboxOnce(20, { now: inSeconds(5, firstTry) })).to.deep.equal({
        sent: 0,
        retrying: 0,
        failed: 0,
      });

      const revived = await TestMailServer.start(port);
      try {
        const later = inSeconds(31, firstTry);
        expect(await processOutboxOnce(20, { now: later })).to.deep.equal({ sent: 1, retrying: 0, failed: 0 });
        expect(await processOutboxOnce(20, { now: inSeconds(3600, later) })).to.deep.equal({
          sent: 0,
          retrying: 0,
          failed: 0,
        });
        expect(revived.received).to.have.length(1);
        expect(revived.received[0]!.text).to.include(CODE);
        expect(await Outbox.findById(id).lean()).to.include({ status: 'sent', attempts: 2, lastError: null });
      } finally {
        await revived.close();
      }
    });

    it('waits longer after each failure and gives up after the last attempt, keeping the failure visible', async () => {
      const port = await freePort();
      configureMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: MAIL_FROM, dataDir: os.tmpdir() });
      const { id } = await queueMail(receipt());
      let now = new Date();
      const waits: number[] = [];
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await processOutboxOnce(20, { now });
        const message = (await Outbox.findById(id).lean())!;
        expect(message.attempts).to.equal(attempt);
        if (message.status === 'failed') break;
        waits.push(message.nextAttemptAt.getTime() - now.getTime());
        now = message.nextAttemptAt;
      }
      const failed = (await Outbox.findById(id).lean())!;
      expect(failed).to.include({ status: 'failed', attempts: MAX_ATTEMPTS });
      expect(failed.failedAt).to.be.instanceOf(Date);
      expect(waits).to.have.length(MAX_ATTEMPTS - 1);
      expect(waits[0]).to.equal(30_000);
      for (let i = 1; i < waits.length; i++) expect(waits[i]).to.be.at.least(waits[i - 1]!);
      expect(Math.max(...waits)).to.equal(12 * 3600_000);

      const status = await outboxStatus(platformAdmin);
      expect(status.counts).to.deep.equal({ queued: 0, retry: 0, sent: 0, failed: 1 });
      expect(status.latestFailures[0]).to.include({ id, status: 'failed', reference: CODE, attempts: MAX_ATTEMPTS });
      expect(status.latestFailures[0]).not.to.have.property('toSealed');
    });
  });

  describe('with several workers', () => {
    it('sends each message once when two workers run at the same time', async () => {
      for (let i = 0; i < 12; i++) await queueMail(receipt({ data: { code: `KODE${i}`, trackUrl: TRACK_URL } }));
      const [first, second] = await Promise.all([
        processOutboxOnce(20, { owner: 'web-1' }),
        processOutboxOnce(20, { owner: 'web-2' }),
      ]);
      expect(first!.sent + second!.sent).to.equal(12);
      expect(smtp.received).to.have.length(12);
      const codes = smtp.received.map((mail) => /Kode pelacakan: (\w+)/.exec(mail.text)?.[1]);
      expect(new Set(codes).size).to.equal(12);
      expect(new Set(smtp.received.map((mail) => mail.headers['message-id'])).size).to.equal(12);
      expect(await Outbox.countDocuments({ status: 'sent' })).to.equal(12);
    });

    it('leaves a message claimed by a worker that died alone until its claim runs out, then sends it', async () => {
      const { id } = await queueMail(receipt());
      const now = new Date();
      await Outbox.updateOne({ _id: id }, { $set: { leaseOwner: 'web-9 (died)', leaseUntil: inSeconds(120, now) } });
      expect((await processOutboxOnce(20, { now })).sent).to.equal(0);
      expect((await processOutboxOnce(20, { now: inSeconds(121, now) })).sent).to.equal(1);
      expect(smtp.received).to.have.length(1);
    });
  });

  describe('dedupe', () => {
    it('queues the same logical mail once, even when asked again at the same moment', async () => {
      const first = await queueMail(receipt({ dedupeKey: 'ticket:1:receipt' }));
      const again = await Promise.all(
        Array.from({ length: 5 }, () => queueMail(receipt({ dedupeKey: 'ticket:1:receipt' }))),
      );
      expect(first.queued).to.equal(true);
      expect(again.map((result) => result.queued)).to.deep.equal([false, false, false, false, false]);
      expect(again.map((result) => result.id)).to.deep.equal(Array(5).fill(first.id));
      await queueMail(receipt({ dedupeKey: 'ticket:2:receipt' }));
      await queueMail(receipt()); // no key: no dedupe
      expect(await Outbox.countDocuments()).to.equal(3);
      await processOutboxOnce();
      expect(smtp.received).to.have.length(3);
    });

    it("writes the mail in the caller's transaction: both stored on commit, neither on abort", async () => {
      const tickets = mongoose.connection.collection('outbox_probe_tickets');
      await mongoose.connection
        .transaction(async (session) => {
          await tickets.insertOne({ code: 'ABORTED' }, { session });
          await queueMail(receipt({ dedupeKey: 'ticket:aborted:receipt' }), { session });
          throw new Error('the ticket could not be saved');
        })
        .catch(() => undefined);
      expect(await tickets.countDocuments()).to.equal(0);
      expect(await Outbox.countDocuments()).to.equal(0);

      await queueMail(receipt({ dedupeKey: 'ticket:kept:receipt' }));
      await mongoose.connection.transaction(async (session) => {
        await tickets.insertOne({ code: 'KEPT' }, { session });
        // A repeat inside a transaction is a quiet no-op, not an error that would abort the ticket's write.
        const repeat = await queueMail(receipt({ dedupeKey: 'ticket:kept:receipt' }), { session });
        expect(repeat.queued).to.equal(false);
        await queueMail(receipt({ dedupeKey: 'ticket:kept:status' }), { session });
      });
      expect(await tickets.countDocuments()).to.equal(1);
      expect(await Outbox.countDocuments()).to.equal(2);
    });
  });

  describe('personal data', () => {
    it('keeps the address and the tracking link unreadable in the outbox, and drops them once sent', async () => {
      const { id } = await queueMail(receipt({ to: 'Dewi.Lestari@Contoh.id' }));
      const stored = await rawOutbox().findOne({ _id: new mongoose.Types.ObjectId(id) });
      const asText = JSON.stringify(stored).toLowerCase();
      expect(asText).not.to.include('dewi');
      expect(asText).not.to.include('contoh.id');
      expect(asText).not.to.include(TOKEN);
      expect(stored!.toHash).to.equal(lookupHash(CITIZEN));

      await processOutboxOnce();
      expect(smtp.received[0]!.envelopeTo.map((to) => to.toLowerCase())).to.deep.equal([CITIZEN]);
      const sent = await rawOutbox().findOne({ _id: new mongoose.Types.ObjectId(id) });
      expect(sent).to.include({ status: 'sent', toSealed: null, dataSealed: null, toHash: lookupHash(CITIZEN) });
    });

    it('gives up at once on an address the server rejects, without writing the address into the error', async () => {
      smtp.rejecting.add('tidak.ada@contoh.id');
      const { id } = await queueMail(receipt({ to: 'tidak.ada@contoh.id' }));
      expect(await processOutboxOnce()).to.deep.equal({ sent: 0, retrying: 0, failed: 1 });
      const failed = await rawOutbox().findOne({ _id: new mongoose.Types.ObjectId(id) });
      expect(failed).to.include({ status: 'failed', attempts: 1 });
      expect(failed!.lastError).to.match(/550|mailbox unavailable/);
      expect(JSON.stringify(failed)).not.to.include('tidak.ada');
    });
  });

  describe('without SMTP_URL', () => {
    it('writes each message as a readable .eml file under DATA_DIR/mail', async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-mail-'));
      configureMailTransport({ smtpUrl: undefined, mailFrom: MAIL_FROM, dataDir });
      const { id } = await queueMail(receipt());
      expect((await processOutboxOnce()).sent).to.equal(1);

      const files = await readdir(path.join(dataDir, 'mail'));
      expect(files).to.have.length(1);
      expect(files[0]).to.match(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z-${id}\\.eml$`));
      const eml = await readFile(path.join(dataDir, 'mail', files[0]!), 'utf8');
      expect(eml).to.match(/^Subject: /m);
      expect(eml).to.include(`To: ${CITIZEN}`);
      expect(eml).to.include(`Kode pelacakan: ${CODE}`); // legible in a text editor, not base64
      expect(smtp.received).to.have.length(0);
    });
  });

  describe('the running worker', () => {
    it('sends a mail right after it is queued, and one queued in a transaction right after the commit', async () => {
      startOutboxWorker({ smtpUrl: smtp.url, mailFrom: MAIL_FROM, dataDir: os.tmpdir() });
      try {
        await queueMail(receipt());
        await smtp.waitFor(1);
        await mongoose.connection.transaction(async (session) => {
          await queueMail(receipt({ lang: 'en' }), { session });
        });
        const mails = await smtp.waitFor(2);
        expect(mails[1]!.text).to.include(`Tracking code: ${CODE}`);
      } finally {
        await stopOutboxWorker(); // waits for the send in flight to be recorded
      }
      expect(await Outbox.countDocuments({ status: 'sent' })).to.equal(2);
      expect(smtp.received).to.have.length(2);
    });
  });

  describe('the outbox overview', () => {
    it('is for platform administrators only', async () => {
      await queueMail(receipt());
      expect((await outboxStatus(platformAdmin)).counts).to.include({ queued: 1, sent: 0 });
      const error = await outboxStatus(unitHead).catch((e: unknown) => e);
      expect(error).to.have.property('code', 'forbidden');
      const anonymous = await outboxStatus(undefined).catch((e: unknown) => e);
      expect(anonymous).to.have.property('code', 'unauthenticated');
    });
  });
});

const platformAdmin: Actor = {
  id: new mongoose.Types.ObjectId().toString(),
  email: 'root@suara.test',
  name: 'Root',
  officerNip: null,
  grants: [{ role: 'admin', unitId: null, unitCode: null }],
};
const unitHead: Actor = {
  id: new mongoose.Types.ObjectId().toString(),
  email: 'kepala.dinkes@suara.test',
  name: 'Kepala',
  officerNip: null,
  grants: [{ role: 'unit_head', unitId: new mongoose.Types.ObjectId().toString(), unitCode: 'JAMBI-DINKES' }],
};
