import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { User } from '../../src/modules/accounts/model.js';
import type { Actor } from '../../src/platform/access.js';
import { updateUser } from '../../src/modules/accounts/service.js';
import { eventsSettled } from '../../src/platform/events.js';
import { SharedAnswers } from '../../src/platform/shared-answers.js';
import { FeedItem, SummaryMonth, upsertFeedItem } from '../../src/modules/coaching/record/feed-model.js';
import { rebuildRecords } from '../../src/modules/coaching/record/rebuild.js';
import { Officer } from '../../src/modules/directory/model.js';
import { importOfficers } from '../../src/modules/directory/service.js';
import { Finding, Ticket } from '../../src/modules/feedback/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import {
  act,
  BUDI,
  complaintWithFinding,
  fileTicket,
  officerRef,
  record,
  seedCoachingAccounts,
  signedIn,
  SITI,
  surveyNaming,
  type Signed,
} from './record-fixtures.js';

describe("The officer's coaching record", () => {
  useTestDatabase();
  let app: Express;
  let head: Signed; // Kepala Puskesmas Kebun Handil
  let coach: Signed; // Pembina on Dinas Kesehatan (both puskesmas below it)
  let farCoach: Signed; // Pembina in Ambon
  let siblingHead: Signed; // Kepala Puskesmas Putri Ayu
  let handler: Signed;
  let siti: Signed;
  let budi: Signed;
  let admin: Actor;

  before(async () => {
    app = await testApp();
    ({ admin } = await seedDirectory());
    await seedCoachingAccounts(admin);
    head = await signedIn(app, 'kepala.kebunhandil@suara.test');
    coach = await signedIn(app, 'pembina.dinkes@suara.test');
    farCoach = await signedIn(app, 'pembina.ambon@suara.test');
    siblingHead = await signedIn(app, 'kepala.putriayu@suara.test');
    handler = await signedIn(app, 'petugas@suara.test');
    siti = await signedIn(app, 'siti@suara.test');
    budi = await signedIn(app, 'budi@suara.test');
  });
  beforeEach(async () => {
    await resetRateLimits();
    await FeedItem.deleteMany({});
    await SummaryMonth.deleteMany({});
    SharedAnswers.forgetAll(); // the items went behind the record versions' back
  });

  describe('fairness: only recorded findings count against an officer', () => {
    it('keeps unverified complaints, complaints without a finding and cleared findings out of the record and its summary', async () => {
      const ref = await officerRef(SITI);
      await fileTicket(app, { officerRef: ref }); // received, never verified
      const verified = await fileTicket(app, { officerRef: ref });
      await act(head, verified, { action: 'verify' }); // verified, no finding
      await complaintWithFinding(app, head, SITI, 'not_substantiated', { note: 'Tidak terbukti.' });
      await eventsSettled();

      for (const reader of [coach, siti]) {
        const body = await record(reader, SITI);
        expect(body.feed.items).to.deep.equal([]);
        expect(body.summary.findings).to.deep.equal({ substantiated: {}, partiallySubstantiated: {}, total: 0 });
        expect(body.summary.findingIds).to.deep.equal([]);
      }
      expect(await FeedItem.countDocuments({ type: 'finding' })).to.equal(0);
    });

    it('counts substantiated and partially substantiated findings by category, and drops one later cleared', async () => {
      const conduct = await complaintWithFinding(app, head, SITI, 'substantiated', { note: 'Terbukti dari CCTV.' });
      await complaintWithFinding(app, head, SITI, 'partially_substantiated', { category: 'competence' });
      const body = await record(coach, SITI);
      expect(body.summary.findings).to.deep.equal({
        substantiated: { officer_conduct: 1 },
        partiallySubstantiated: { competence: 1 },
        total: 2,
      });
      const finding = body.feed.items.find(
        (item: { data: { ticketCode: string } }) => item.data.ticketCode === conduct.code,
      );
      expect(finding.type).to.equal('finding');
      expect(finding.data).to.include({
        outcome: 'substantiated',
        category: 'officer_conduct',
        note: 'Terbukti dari CCTV.',
        findingId: conduct.findingId,
        answer: null,
      });

      // The unit head reviews the case and records it again as not substantiated: it leaves the record.
      await head.agent
        .post(`/api/v1/tickets/${conduct.code}/findings`)
        .set('X-CSRF-Token', head.csrf)
        .send({
          revision: (await head.agent.get(`/api/v1/tickets/${conduct.code}`)).body.ticket.revision,
          officerNip: SITI,
          outcome: 'not_substantiated',
        })
        .expect(201);
      await eventsSettled();
      const after = await record(coach, SITI);
      expect(after.summary.findings.total).to.equal(1);
      expect(after.feed.items.map((item: { data: { ticketCode: string } }) => item.data.ticketCode)).not.to.include(
        conduct.code,
      );
    });
  });

  describe('the summary of a long period', () => {
    it('reads whole months from their summaries and follows every item written or cleared after a read', async () => {
      const thisYear = new Date().getUTCFullYear();
      const year = `?from=${thisYear - 1}-01-01&to=${thisYear}-12-31`; // two calendar years
      const total = async () => (await record(coach, SITI, year)).summary.findings.total as number;
      expect(await total()).to.equal(0);
      // The whole months of the period now have a summary, current with their items.
      const months = await SummaryMonth.find({
        _id: new RegExp(`^${String((await Officer.findOne({ nip: SITI }))!._id)}\\|`),
      }).lean();
      expect(months.length).to.be.greaterThan(1);
      expect(months.every((month) => month.summaryGen === month.gen)).to.equal(true);

      const conduct = await complaintWithFinding(app, head, SITI, 'substantiated', { note: 'Terbukti.' });
      await complaintWithFinding(app, head, SITI, 'partially_substantiated', { category: 'competence' });
      expect(await total()).to.equal(2);
      await surveyNaming(app, SITI, 4, 3);
      await eventsSettled();
      const after = await record(coach, SITI, year);
      expect(after.summary.survey.respondents).to.equal(1);
      expect(after.summary.findingIds).to.have.length(2);
      // The same figures as counting every item of the period (the short-period path reads the items themselves).
      const quarter = await record(coach, SITI);
      expect(quarter.summary.findings).to.deep.equal(after.summary.findings);

      await head.agent
        .post(`/api/v1/tickets/${conduct.code}/findings`)
        .set('X-CSRF-Token', head.csrf)
        .send({
          revision: (await head.agent.get(`/api/v1/tickets/${conduct.code}`)).body.ticket.revision,
          officerNip: SITI,
          outcome: 'not_substantiated',
        })
        .expect(201);
      await eventsSettled();
      expect(await total()).to.equal(1);
      // A rebuild of the records (which also brings back findings of earlier specs whose items were cleared) makes
      // every summary be computed again: the year agrees with counting the quarter's items one by one.
      await rebuildRecords();
      expect(await total()).to.equal((await record(coach, SITI)).summary.findings.total);
    });
  });

  describe('compliments', () => {
    it('reach the record once staff verified them, and leave it when rejected as spam or merged', async () => {
      const ref = await officerRef(SITI);
      const compliment = (description: string) =>
        fileTicket(app, {
          kind: 'compliment',
          category: 'officer_conduct',
          officerRef: ref,
          description,
          privacy: 'public',
        });
      const kept = await compliment('Bu Siti sangat sabar menjelaskan cara minum obat kepada ayah saya.');
      const spam = await compliment('Petugas terbaik sedunia, hubungi 081234567890 untuk promo.');
      const merged = await compliment('Bu Siti sabar sekali, terima kasih banyak.');
      await eventsSettled();
      expect((await record(coach, SITI)).summary.compliments).to.equal(0);

      for (const code of [kept, spam, merged]) await act(head, code, { action: 'verify' });
      await eventsSettled();
      const verified = await record(coach, SITI);
      expect(verified.summary.compliments).to.equal(3);
      const item = verified.feed.items.find(
        (candidate: { data: { ticketCode: string } }) => candidate.data.ticketCode === kept,
      );
      expect(item.type).to.equal('compliment');
      expect(item.data.summary).to.include('sangat sabar');

      await act(head, spam, { action: 'reject', reason: 'spam' });
      await head.agent
        .post(`/api/v1/tickets/${merged}/merge`)
        .set('X-CSRF-Token', head.csrf)
        .send({ revision: (await head.agent.get(`/api/v1/tickets/${merged}`)).body.ticket.revision, into: kept })
        .expect(200);
      await eventsSettled();
      const after = await record(coach, SITI);
      expect(after.summary.compliments).to.equal(1);
      expect(
        after.feed.items.map((candidate: { data: { ticketCode: string } }) => candidate.data.ticketCode),
      ).to.deep.equal([kept]);
    });
  });

  describe('survey answers naming the officer', () => {
    it('give the officer an index on 25–100 from the competence and conduct elements, with its sample size', async () => {
      await surveyNaming(app, SITI, 4, 4);
      await surveyNaming(app, SITI, 3, 4);
      await surveyNaming(app, SITI, 2, 3);
      await surveyNaming(app, BUDI, 1, 1, 'PKM-PUTRIAYU'); // someone else's
      const body = await record(coach, SITI);
      // competence mean 3 → 75; conduct mean 11/3 → 91.67; index (3 + 11/3) / 2 × 25 = 83.33, grade B.
      expect(body.summary.survey).to.deep.include({
        respondents: 3,
        competence: 75,
        conduct: 91.67,
        index: 83.33,
        grade: 'B',
      });
      const items = body.feed.items.filter((item: { type: string }) => item.type === 'survey');
      expect(items).to.have.length(3);
      expect(items.map((item: { data: { competence: number } }) => item.data.competence).sort()).to.deep.equal([
        2, 3, 4,
      ]);
    });
  });

  describe('who may read it', () => {
    beforeEach(async () => {
      await complaintWithFinding(app, head, SITI, 'substantiated');
    });

    it('lets coaches and unit heads of the subtree read it, and logs every such read', async () => {
      const before = await AuditEntry.countDocuments({ action: 'coaching.record.read', target: SITI });
      const byCoach = await record(coach, SITI);
      expect(byCoach.officer).to.include({ nip: SITI, name: 'Siti Rahmawati', unitCode: 'PKM-KEBUNHANDIL' });
      expect(byCoach.self).to.equal(false);
      expect(byCoach.can.write).to.equal(true);
      const byHead = await record(head, SITI);
      expect(byHead.can.write).to.equal(false);
      const log = await AuditEntry.find({ action: 'coaching.record.read', target: SITI }).sort({ at: 1 }).lean();
      expect(log).to.have.length(before + 2);
      const ids = await User.find({
        email: { $in: ['pembina.dinkes@suara.test', 'kepala.kebunhandil@suara.test'] },
      }).lean();
      expect(
        log
          .slice(-2)
          .map((entry) => String(entry.actorId))
          .sort(),
      ).to.deep.equal(ids.map((u) => String(u._id)).sort());
    });

    it('refuses a coach or head of another subtree as if the officer did not exist, and a handler outright', async () => {
      const before = await AuditEntry.countDocuments({ action: 'coaching.record.read' });
      await record(farCoach, SITI, '', 404);
      await record(siblingHead, SITI, '', 404);
      await record(coach, '199912312020121001', '', 404); // no such officer: the same answer
      await record(handler, SITI, '', 403);
      await record(handler, '199912312020121001', '', 403);
      await record(budi, SITI, '', 403); // another officer
      await request(app).get(`/api/v1/officers/${SITI}/record`).expect(401);
      expect(await AuditEntry.countDocuments({ action: 'coaching.record.read' })).to.equal(before);
    });

    it('shows the officer their own record without audit and without a trace of who complained', async () => {
      await complaintWithFinding(app, head, SITI, 'partially_substantiated', {
        note: 'Pelapor (rahmat@contoh.id, 081298765432) melihat langsung.',
      });
      const before = await AuditEntry.countDocuments({ action: 'coaching.record.read' });
      const ref = await officerRef(SITI);
      const compliment = await fileTicket(app, {
        kind: 'compliment',
        category: 'officer_conduct',
        officerRef: ref,
        description: 'Terima kasih Bu Siti, saya Rahmat dari RT 05.',
        privacy: 'public',
      });
      await act(head, compliment, { action: 'verify' });
      await eventsSettled();
      const own = await record(siti, SITI);
      expect(own.self).to.equal(true);
      expect(own.can).to.deep.equal({ answer: true, write: false });
      expect(own.feed.items.map((item: { type: string }) => item.type).sort()).to.deep.equal([
        'compliment',
        'finding',
        'finding',
      ]);
      const text = JSON.stringify(own);
      for (const secret of ['Rahmat', 'rahmat@contoh.id', '081298765432', 'berkata kasar', 'RT 05'])
        expect(text).not.to.include(secret);
      expect(await AuditEntry.countDocuments({ action: 'coaching.record.read' })).to.equal(before);
      const byCoach = JSON.stringify(await record(coach, SITI));
      expect(byCoach).to.include('rahmat@contoh.id'); // staff see the note as the head wrote it
    });
  });

  describe('periods and paging', () => {
    it('reads this quarter by default, any range when asked, and refuses bad dates', async () => {
      await complaintWithFinding(app, head, SITI, 'substantiated');
      const body = await record(coach, SITI);
      const month = Number(body.period.from.slice(5, 7));
      expect([1, 4, 7, 10]).to.include(month);
      expect(body.period.from.slice(8)).to.equal('01');
      expect(body.period.timeZone).to.equal('Asia/Jakarta');
      expect(body.summary.findings.total).to.equal(1);

      const past = await record(coach, SITI, '?from=2020-01-01&to=2020-03-31');
      expect(past.period).to.deep.equal({ from: '2020-01-01', to: '2020-03-31', timeZone: 'Asia/Jakarta' });
      expect(past.summary.findings.total).to.equal(0);
      expect(past.feed.items).to.deep.equal([]);

      const bad = await record(coach, SITI, '?from=2026-02-30', 400);
      expect(bad.error.code).to.equal('validation');
      expect(bad.error.fields).to.have.keys('from');
      const reversed = await record(coach, SITI, '?from=2026-06-01&to=2026-01-01', 400);
      expect(reversed.error.fields).to.have.keys('from');
      await record(coach, SITI, '?limit=0', 400);
      await record(coach, SITI, '?before=yesterday', 400);
    });

    it('pages the feed newest first without losing or repeating an item', async () => {
      for (let i = 0; i < 5; i++) await surveyNaming(app, SITI, 3, 3);
      const first = await record(coach, SITI, '?limit=2');
      expect(first.feed.items).to.have.length(2);
      const seen = [...first.feed.items];
      let cursor = first.feed.nextBefore;
      while (cursor) {
        const page = await record(coach, SITI, `?limit=2&before=${encodeURIComponent(cursor)}`);
        seen.push(...page.feed.items);
        cursor = page.feed.nextBefore;
      }
      expect(seen).to.have.length(5);
      expect(new Set(seen.map((item) => item.id)).size).to.equal(5);
      const times = seen.map((item) => new Date(item.at).getTime());
      expect(times).to.deep.equal([...times].sort((a, b) => b - a));
    });
  });

  describe('paging a long record', () => {
    it('finds items months apart, page after page, in order (the newest first, however far back)', async () => {
      const siti = (await Officer.findOne({ nip: SITI }).lean())!;
      const day = 24 * 60 * 60 * 1000;
      const ages = [1, 2, 40, 41, 200, 201, 202, 330]; // days ago: the next page is often months back
      for (const [index, age] of ages.entries())
        await upsertFeedItem({
          officerId: siti._id,
          unitPath: siti.unitPath,
          type: 'training',
          sourceId: new Types.ObjectId(),
          at: new Date(Date.now() - age * day),
          data: { title: `Pelatihan ${index}`, jp: 2 },
        });
      const thisYear = new Date().getUTCFullYear();
      const range = `from=${thisYear - 1}-01-01&to=${thisYear}-12-31`;
      const seen: { at: string; data: { title: string } }[] = [];
      let cursor: string | null = '';
      do {
        const page = await record(
          coach,
          SITI,
          `?${range}&limit=3${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`,
        );
        seen.push(...page.feed.items);
        cursor = page.feed.nextBefore;
      } while (cursor);
      expect(seen.map((item) => item.data.title)).to.deep.equal(ages.map((_, index) => `Pelatihan ${index}`));
    });
  });

  describe('tickets the officer handled', () => {
    it('counts tickets assigned to the officer’s own account and whether the first follow-up came in time', async () => {
      // An officer has one account; at the counter it holds a handler grant beside the officer one.
      const deskId = String((await User.findOne({ email: 'siti@suara.test' }).lean())!._id);
      const own = { role: 'officer', unitCode: 'PKM-KEBUNHANDIL' };
      await updateUser(admin, deskId, { grants: [own, { role: 'handler', unitCode: 'PKM-KEBUNHANDIL' }] });
      const desk = siti;
      const code = await fileTicket(app, { category: 'waiting_time' });
      await act(head, code, { action: 'verify' });
      await act(head, code, { action: 'assign', assigneeId: deskId });
      await desk.agent
        .post(`/api/v1/tickets/${code}/replies`)
        .set('X-CSRF-Token', desk.csrf)
        .send({
          revision: (await desk.agent.get(`/api/v1/tickets/${code}`)).body.ticket.revision,
          body: 'Sedang kami periksa.',
        })
        .expect(201);
      await act(desk, code, { action: 'resolve', body: 'Antrean sudah diatur ulang.' });
      const body = await record(coach, SITI);
      await updateUser(admin, deskId, { grants: [own] });
      expect(body.summary.tickets).to.deep.equal({ handled: 1, withinTime: 1 });
    });
  });

  describe('pages', () => {
    it('lists officers in the coach’s scope and renders the record with links to the coaching work', async () => {
      await complaintWithFinding(app, head, SITI, 'substantiated', { note: 'Nada bicara kasar.' });
      const list = await coach.agent.get('/coaching').expect(200);
      expect(list.text).to.include('Siti Rahmawati').and.to.include('Budi Santoso');
      expect(list.text).not.to.include('Johanis');
      const page = await coach.agent.get(`/coaching/officers/${SITI}`).expect(200);
      expect(page.text).to.include('Nada bicara kasar.');
      expect(page.text).to.include(`/coaching/officers/${SITI}/sessions/new`);
      expect(page.text).to.include(`/coaching/officers/${SITI}/evaluations`);
      expect(page.text).not.to.include('/answer"');
      const headPage = await head.agent.get(`/coaching/officers/${SITI}`).expect(200);
      expect(headPage.text).not.to.include('/sessions/new');
      expect(page.text).to.include('Catatan pembinaan Siti Rahmawati');
      const english = await coach.agent.get(`/coaching/officers/${SITI}`).set('Accept-Language', 'en').expect(200);
      expect(english.text).to.include('Coaching record of Siti Rahmawati');
    });

    it('sends an officer to their own record, with the answer form, and refuses a handler', async () => {
      await complaintWithFinding(app, head, SITI, 'substantiated');
      const toMe = await siti.agent.get('/coaching').expect(303);
      expect(toMe.headers.location).to.equal('/coaching/me');
      const own = await siti.agent.get('/coaching/me').expect(303);
      expect(own.headers.location).to.equal(`/coaching/officers/${SITI}`);
      const page = await siti.agent.get(`/coaching/officers/${SITI}`).expect(200);
      expect(page.text).to.include('/answer"');
      expect(page.text).not.to.include('081298765432');
      await handler.agent.get('/coaching').expect(403);
      await handler.agent.get(`/coaching/officers/${SITI}`).expect(403);
      await siti.agent.get(`/coaching/officers/${BUDI}`).expect(403);
    });
  });

  describe('rebuild', () => {
    it('writes the same items the events wrote, adds what an event missed and removes what no source backs', async () => {
      await Promise.all([Ticket.deleteMany({}), Finding.deleteMany({}), SurveyResponse.deleteMany({})]);
      await complaintWithFinding(app, head, SITI, 'substantiated');
      await complaintWithFinding(app, head, SITI, 'not_substantiated');
      const compliment = await fileTicket(app, {
        kind: 'compliment',
        category: 'competence',
        officerRef: await officerRef(SITI),
        description: 'Penjelasan Bu Siti sangat jelas.',
        privacy: 'public',
      });
      await act(head, compliment, { action: 'verify' });
      await surveyNaming(app, SITI, 4, 3);
      await surveyNaming(app, BUDI, 2, 2, 'PKM-PUTRIAYU');
      await eventsSettled();
      const snapshot = async () =>
        (await FeedItem.find({}).sort({ type: 1, sourceId: 1 }).lean()).map((item) => ({
          officerId: String(item.officerId),
          unitPath: item.unitPath.map(String),
          type: item.type,
          sourceId: String(item.sourceId),
          at: item.at.toISOString(),
          data: JSON.parse(JSON.stringify(item.data)),
        }));
      const live = await snapshot();
      expect(live.map((item) => item.type).sort()).to.deep.equal(['compliment', 'finding', 'survey', 'survey']);

      // A missed event (a finding written while the subscriber was down) and a missed removal.
      const sitiId = (await Officer.findOne({ nip: SITI }).lean())!._id;
      const missed = await complaintWithFinding(app, head, SITI, 'partially_substantiated');
      await FeedItem.deleteOne({ sourceId: missed.findingId });
      await FeedItem.create({
        officerId: sitiId,
        unitPath: [sitiId],
        type: 'finding',
        sourceId: new Types.ObjectId(),
        at: new Date(),
        data: { outcome: 'substantiated' },
      });
      await FeedItem.deleteMany({ type: 'survey', officerId: sitiId }); // and lose some more
      const progress: string[] = [];
      const report = await rebuildRecords({ progress: ({ phase }) => void progress.push(phase) });
      expect(report).to.include({ compliments: 1, surveys: 2, removed: 1 });
      expect(progress).to.include.members(['findings', 'compliments', 'surveys', 'sweep']);
      const rebuilt = await snapshot();
      const expected = [...live];
      const missedItem = rebuilt.find((item) => item.sourceId === missed.findingId);
      expect(missedItem).to.deep.include({ type: 'finding', officerId: String(sitiId) });
      expect(rebuilt.filter((item) => item.sourceId !== missed.findingId)).to.deep.equal(expected);
    });
  });

  describe('an officer moving to another unit', () => {
    it('takes the record along: the new unit’s head reads it, the old one no longer does', async () => {
      await complaintWithFinding(app, head, SITI, 'substantiated', { note: 'Sebelum pindah.' });
      await record(siblingHead, SITI, '', 404);
      await importOfficers(admin, `nip,nama,jabatan,kode unit\n${SITI},Siti Rahmawati,Perawat,PKM-PUTRIAYU\n`);
      await eventsSettled();
      const moved = await record(siblingHead, SITI);
      expect(moved.officer.unitCode).to.equal('PKM-PUTRIAYU');
      expect(moved.feed.items.map((item: { data: { note?: string } }) => item.data.note)).to.include('Sebelum pindah.');
      await record(head, SITI, '', 404);
      expect((await record(coach, SITI)).summary.findings.total).to.equal(1);
    });
  });
});
