import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { openAttachment, storeAttachment } from '../../src/modules/feedback/attachments.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { applyRetention } from '../../src/modules/settings/retention.js';
import { AgencyRetention } from '../../src/modules/settings/retention-model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { insertSurvey } from '../analytics/pages-helpers.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { plainJpeg } from '../helpers/files.js';

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
/** Whether the attachment store still holds the file (the database's file store in specs). */
const exists = (storedName: string) =>
  openAttachment(storedName).then(
    ({ stream }) => (stream.destroy(), true),
    () => false,
  );

describe('Retention: the daily job forgets personal data past each agency’s periods, and nothing else', function () {
  this.timeout(90_000);
  useTestDatabase();
  let app: Express;

  /** A ticket filed by a citizen with contact data, then (unless `status` is open) ended `closedDaysAgo` days ago. */
  async function ticket(unitCode: string, options: { status?: string; closedDaysAgo?: number } = {}) {
    await resetRateLimits();
    const filed = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode,
        category: 'waiting_time',
        description: 'Antrean pendaftaran pagi sangat lama, dua jam menunggu di loket.',
        reporter: { name: 'Rahmat Hidayat', email: 'rahmat.hidayat@contoh.id', phone: '081298765432' },
        privacy: 'public',
        consent: true,
      })
      .expect(201);
    const code = filed.body.code as string;
    const attachment = await storeAttachment(plainJpeg(), { originalName: 'antrean.jpg' });
    const status = options.status ?? 'closed';
    await Ticket.updateOne(
      { code },
      {
        $set: {
          status,
          closedAt: status === 'closed' ? daysAgo(options.closedDaysAgo ?? 0) : null,
          attachments: [attachment],
          evidence: { ipHash: 'a'.repeat(64), deviceHash: 'b'.repeat(64) },
        },
      },
    );
    return { code, file: attachment.storedName };
  }
  const stored = (code: string) => Ticket.findOne({ code }).lean();

  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  it('keeps every period within legal bounds, refused in both languages, audited with before and after', async () => {
    const admin = request.agent(app);
    const csrf = await signIn(admin, 'admin.jambi@suara.test');
    const defaults = (await admin.get('/api/v1/agencies/JAMBI/settings').expect(200)).body.retention;
    expect(defaults).to.deep.equal({ contactDays: 730, attachmentDays: 730, evidenceDays: 180 });

    const tooShort = await admin
      .put('/api/v1/agencies/JAMBI/settings')
      .set('X-CSRF-Token', csrf)
      .send({ retention: { contactDays: 30 } })
      .expect(400);
    expect(tooShort.body.error.fields.contactDays).to.equal('Masa simpan data kontak harus 180 sampai 1825 hari.');
    const page = await admin
      .post('/admin/settings/JAMBI/retention')
      .type('form')
      .set('Accept-Language', 'en')
      .send({ _csrf: csrf, contactDays: '365', attachmentDays: '365', evidenceDays: '9999' })
      .expect(400);
    expect(page.text).to.include('Survey evidence must be kept 30 to 730 days.');
    expect(page.text).to.include('name="evidenceDays" type="number" min="30" max="730" value="9999"');
    expect((await admin.get('/api/v1/agencies/JAMBI/settings').expect(200)).body.retention).to.deep.equal(defaults);

    const head = request.agent(app);
    const headCsrf = await signIn(head, 'kepala.dinkes@suara.test');
    await head
      .put('/api/v1/agencies/JAMBI/settings')
      .set('X-CSRF-Token', headCsrf)
      .send({ retention: { contactDays: 180 } })
      .expect(403);

    await admin
      .post('/admin/settings/JAMBI/retention')
      .type('form')
      .send({ _csrf: csrf, contactDays: '365', attachmentDays: '400', evidenceDays: '90' })
      .expect(303);
    const after = { contactDays: 365, attachmentDays: 400, evidenceDays: 90 };
    expect((await admin.get('/api/v1/agencies/JAMBI/settings').expect(200)).body.retention).to.deep.equal(after);
    const [entry] = await AuditEntry.find({ action: 'settings.retention', target: 'JAMBI' }).lean();
    expect(entry!.details).to.deep.equal({ before: defaults, after });
  });

  it('removes contact data, attachments and survey evidence past the periods, once, and leaves the rest', async () => {
    // Jambi keeps contact data 365 days, attachments 400, survey evidence 90; Ambon the defaults (730, 730, 180).
    await AgencyRetention.updateOne(
      { _id: 'JAMBI' },
      { $set: { contactDays: 365, attachmentDays: 400, evidenceDays: 90 } },
      { upsert: true },
    );
    const old = await ticket('PKM-KEBUNHANDIL', { closedDaysAgo: 380 }); // past contact, within attachments
    const older = await ticket('PKM-KEBUNHANDIL', { closedDaysAgo: 500 }); // past both
    const recent = await ticket('PKM-KEBUNHANDIL', { closedDaysAgo: 10 });
    const stillOpen = await ticket('PKM-KEBUNHANDIL', { status: 'in_progress' });
    await Ticket.updateOne({ code: stillOpen.code }, { $set: { createdAt: daysAgo(900), updatedAt: daysAgo(900) } });
    const ambonOld = await ticket('AMB-DUKCAPIL', { closedDaysAgo: 500 }); // within Ambon's 730 days
    const oldAnswer = await insertSurvey({
      unitCode: 'PKM-KEBUNHANDIL',
      answers: Array(9).fill(3),
      submittedAt: daysAgo(100),
    });
    const newAnswer = await insertSurvey({
      unitCode: 'PKM-KEBUNHANDIL',
      answers: Array(9).fill(3),
      submittedAt: daysAgo(20),
    });
    const ambonAnswer = await insertSurvey({
      unitCode: 'AMB-DUKCAPIL',
      answers: Array(9).fill(3),
      submittedAt: daysAgo(100),
    });

    const first = await applyRetention(NOW);
    expect(first).to.deep.equal({ contactData: 2, attachments: 1, surveyEvidence: 1 });

    for (const { code } of [old, older]) {
      const doc = (await stored(code))!;
      expect(doc.reporter).to.deep.include({ name: null, email: null, phone: null, emailHash: null, phoneHash: null });
      expect(doc.evidence).to.deep.equal({ ipHash: null, deviceHash: null });
      expect(doc.description).to.include('Antrean pendaftaran'); // the ticket itself stays
    }
    expect((await stored(older.code))!.attachments).to.have.length(0);
    expect(await exists(older.file)).to.equal(false);
    expect((await stored(old.code))!.attachments).to.have.length(1);
    expect(await exists(old.file)).to.equal(true);
    for (const kept of [recent, stillOpen, ambonOld]) {
      const doc = (await stored(kept.code))!;
      expect(doc.reporter!.name).to.be.a('string');
      expect(doc.reporter!.emailHash).to.be.a('string');
      expect(doc.evidence!.ipHash).to.equal('a'.repeat(64));
      expect(doc.attachments).to.have.length(1);
      expect(await exists(kept.file)).to.equal(true);
    }
    const integrity = async (id: unknown) => (await SurveyResponse.findById(id).lean())!.integrity;
    expect(await integrity(oldAnswer._id)).to.deep.include({ deviceHash: null, networkHash: null });
    expect((await SurveyResponse.findById(oldAnswer._id).lean())!.answers).to.deep.equal(Array(9).fill(3));
    expect(await integrity(newAnswer._id)).to.deep.include({ deviceHash: 'd'.repeat(64) });
    expect(await integrity(ambonAnswer._id)).to.deep.include({ deviceHash: 'd'.repeat(64) });

    const second = await applyRetention(NOW);
    expect(second).to.deep.equal({ contactData: 0, attachments: 0, surveyEvidence: 0 });
    const runs = await AuditEntry.find({ action: 'settings.retention_run' }).sort({ at: 1 }).lean();
    expect(runs).to.have.length(2);
    expect(runs[0]!.details).to.deep.include({ total: first });
    expect((runs[0]!.details as { agencies: Record<string, unknown> }).agencies.JAMBI).to.deep.equal(first);
    expect(runs[1]!.details).to.deep.include({ total: second });
  });
});
