import { expect } from 'chai';
import { Types } from 'mongoose';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { FeedItem, recordChanged, upsertFeedItem } from '../../src/modules/coaching/record/feed-model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { record, seedCoachingAccounts, signedIn, SITI, surveyNaming, type Signed } from './record-fixtures.js';
import { wibDate } from './work-helpers.js';

/**
 * Readers of one officer's record share one computed answer while the record version stands (record.ts, model.ts):
 * what they must still get is their own audit entry, and every change the moment it is written.
 */
describe("The officer's record, shared between readers", () => {
  useTestDatabase();
  let app: Express;
  let coach: Signed;
  let siti: Signed;
  let sitiId: Types.ObjectId;

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await seedCoachingAccounts(admin);
    coach = await signedIn(app, 'pembina.dinkes@suara.test');
    siti = await signedIn(app, 'siti@suara.test');
    sitiId = (await Officer.findOne({ nip: SITI }).lean())!._id;
  });
  beforeEach(resetRateLimits);

  /** A compliment item naming Siti, as the events subscriber writes it. */
  const compliment = async (summary: string) => ({
    officerId: sitiId,
    unitPath: (await Officer.findById(sitiId).lean())!.unitPath,
    type: 'compliment' as const,
    sourceId: new Types.ObjectId(),
    at: new Date(),
    data: { summary },
  });
  const post = (who: Signed, url: string, body: object) => who.agent.post(url).set('x-csrf-token', who.csrf).send(body);

  it('logs every read, however many readers share one computation', async () => {
    const before = await AuditEntry.countDocuments({ action: 'coaching.record.read', target: SITI });
    const answers = await Promise.all([record(coach, SITI), record(coach, SITI), record(coach, SITI)]);
    expect(await AuditEntry.countDocuments({ action: 'coaching.record.read', target: SITI })).to.equal(before + 3);
    expect(answers[1].summary).to.deep.equal(answers[0].summary);
    expect(answers[2].feed).to.deep.equal(answers[0].feed);
  });

  it('shows a survey answer naming the officer on the next read after it is stored', async () => {
    const before = await record(coach, SITI);
    await surveyNaming(app, SITI, 4, 3);
    const after = await record(coach, SITI);
    expect(after.summary.survey.respondents).to.equal(before.summary.survey.respondents + 1);
    expect(after.feed.items[0].type).to.equal('survey');
  });

  it('shows a session, its open actions, and an action done, each on the next read', async () => {
    const session = (
      await post(coach, `/api/v1/officers/${SITI}/sessions`, {
        date: wibDate(0),
        topics: [],
        notes: 'Dialog kinerja triwulan.',
        actions: [{ text: 'Baca ulang standar pelayanan', owner: 'officer', dueDate: wibDate(10) }],
      }).expect(201)
    ).body;
    let seen = await record(coach, SITI);
    expect(seen.summary.sessionsHeld).to.equal(1);
    expect(seen.summary.actions.map((action: { text: string }) => action.text)).to.deep.equal([
      'Baca ulang standar pelayanan',
    ]);
    await post(siti, `/api/v1/sessions/${session.id}/actions/${session.actions[0].id}/done`, {}).expect(200);
    seen = await record(coach, SITI);
    expect(seen.summary.openActions).to.equal(0);
  });

  it('keeps sharing an answer until the record version moves, then computes it again (a write in another process)', async () => {
    const before = await record(coach, SITI);
    // Another process wrote an item and has not yet moved the version: readers still share the computed answer…
    await FeedItem.collection.insertOne({ ...(await compliment('Ramah dan cepat')), syncedAt: new Date() });
    expect((await record(coach, SITI)).summary.compliments).to.equal(before.summary.compliments);
    // …until its bump lands, which any process sees on its next read.
    await recordChanged(sitiId);
    expect((await record(coach, SITI)).summary.compliments).to.equal(before.summary.compliments + 1);
  });

  it('never serves the officer the coach’s view: the citizen’s words stay out of their own record', async () => {
    await upsertFeedItem(await compliment('Terima kasih, Bu Siti sangat membantu ibu saya'));
    const byCoach = await record(coach, SITI); // computed first, for the coach
    const own = await record(siti, SITI);
    const words = (view: { feed: { items: { type: string; data: { summary?: string } }[] } }) =>
      view.feed.items.filter((item) => item.type === 'compliment').map((item) => item.data.summary ?? null);
    expect(words(byCoach)).to.include('Terima kasih, Bu Siti sangat membantu ibu saya');
    expect(words(own)).to.have.length.above(0);
    expect(words(own).filter(Boolean)).to.deep.equal([]);
    expect([byCoach.self, own.self, own.can.answer, byCoach.can.answer]).to.deep.equal([false, true, true, false]);
  });
});
