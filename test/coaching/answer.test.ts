import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { eventsSettled, subscribe } from '../../src/platform/events.js';
import { Finding } from '../../src/modules/feedback/model.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { complaintWithFinding, record, seedCoachingAccounts, signedIn, SITI, type Signed } from './record-fixtures.js';

describe("The officer's answer to a finding (hak jawab)", () => {
  useTestDatabase();
  let app: Express;
  let head: Signed;
  let coach: Signed;
  let siti: Signed;
  let budi: Signed;

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await seedCoachingAccounts(admin);
    head = await signedIn(app, 'kepala.kebunhandil@suara.test');
    coach = await signedIn(app, 'pembina.dinkes@suara.test');
    siti = await signedIn(app, 'siti@suara.test');
    budi = await signedIn(app, 'budi@suara.test');
  });
  beforeEach(resetRateLimits);

  const answer = (who: Signed, findingId: string, body: unknown) =>
    who.agent.post(`/api/v1/findings/${findingId}/answer`).set('X-CSRF-Token', who.csrf).send({ body });

  it('lets the officer answer once, shows the answer on the record to the coach, and announces it', async () => {
    const { findingId } = await complaintWithFinding(app, head, SITI, 'substantiated');
    const events: string[] = [];
    const stop = subscribe('finding.answered', (event) => void events.push(event.findingId));
    const first = await answer(siti, findingId, '  Saat itu antrean sangat panjang; saya sudah minta maaf.  ').expect(
      201,
    );
    stop();
    expect(first.body.id).to.equal(findingId);
    expect(first.body.answer.body).to.equal('Saat itu antrean sangat panjang; saya sudah minta maaf.');
    expect(events).to.deep.equal([findingId]);
    await eventsSettled();

    const seen = await record(coach, SITI);
    const item = seen.feed.items.find(
      (candidate: { data: { findingId?: string } }) => candidate.data.findingId === findingId,
    );
    expect(item.data.answer.body).to.equal('Saat itu antrean sangat panjang; saya sudah minta maaf.');
    expect((await record(siti, SITI)).awaitingAnswer).to.deep.equal([]);

    const second = await answer(siti, findingId, 'Saya ingin mengubah jawaban.')
      .set('Accept-Language', 'en')
      .expect(409);
    expect(second.body.error).to.deep.include({ code: 'conflict' });
    expect(second.body.error.message).to.include('only once');
    const stored = await Finding.findById(findingId).lean();
    expect(stored!.answer!.body).to.equal('Saat itu antrean sangat panjang; saya sudah minta maaf.');
  });

  it('keeps exactly one answer when two arrive at once', async () => {
    const { findingId } = await complaintWithFinding(app, head, SITI, 'partially_substantiated');
    const results = await Promise.all([
      answer(siti, findingId, 'Jawaban pertama.'),
      answer(siti, findingId, 'Jawaban kedua.'),
    ]);
    expect(results.map((result) => result.status).sort()).to.deep.equal([201, 409]);
    const winner = results.find((result) => result.status === 201)!.body.answer.body;
    expect((await Finding.findById(findingId).lean())!.answer!.body).to.equal(winner);
  });

  it('refuses anyone but the officer concerned, forged ids and empty or overlong answers', async () => {
    const { findingId } = await complaintWithFinding(app, head, SITI, 'substantiated');
    await answer(budi, findingId, 'Bukan temuan saya.').expect(403);
    await answer(head, findingId, 'Kepala unit menjawab.').expect(403);
    await answer(coach, findingId, 'Pembina menjawab.').expect(403);
    await answer(siti, 'not-an-id', 'Jawaban.').expect(404);
    await answer(siti, '0123456789abcdef01234567', 'Jawaban.').expect(404);
    const empty = await answer(siti, findingId, '   ').expect(400);
    expect(empty.body.error.fields).to.have.keys('body');
    await answer(siti, findingId, 'x'.repeat(2001)).expect(400);
    await answer(siti, findingId, 42).expect(400);
    await request(app).post(`/api/v1/findings/${findingId}/answer`).send({ body: 'Tanpa sesi.' }).expect(401);
    await siti.agent.post(`/api/v1/findings/${findingId}/answer`).send({ body: 'Tanpa token CSRF.' }).expect(403);
    expect((await Finding.findById(findingId).lean())!.answer!.body).to.equal(null);
    await answer(siti, findingId, 'x'.repeat(2000)).expect(201);
  });

  it('works as a page form on the officer’s own record, without JavaScript', async () => {
    const { findingId } = await complaintWithFinding(app, head, SITI, 'substantiated', { note: 'Berkata kasar.' });
    const page = await siti.agent.get(`/coaching/officers/${SITI}`).expect(200);
    expect(page.text).to.include(`action="/coaching/findings/${findingId}/answer"`);
    const refused = await siti.agent
      .post(`/coaching/findings/${findingId}/answer`)
      .type('form')
      .send({ _csrf: siti.csrf, body: '' })
      .expect(400);
    expect(refused.text).to.include('role="alert"');
    const sent = await siti.agent
      .post(`/coaching/findings/${findingId}/answer`)
      .type('form')
      .send({ _csrf: siti.csrf, body: 'Saya sudah mengikuti pelatihan pelayanan prima.' })
      .expect(303);
    expect(sent.headers.location).to.equal(`/coaching/officers/${SITI}`);
    await eventsSettled();
    const after = await siti.agent.get(`/coaching/officers/${SITI}`).expect(200);
    expect(after.text).to.include('Saya sudah mengikuti pelatihan pelayanan prima.');
    expect(after.text).not.to.include(`action="/coaching/findings/${findingId}/answer"`);
    const again = await siti.agent
      .post(`/coaching/findings/${findingId}/answer`)
      .type('form')
      .send({ _csrf: siti.csrf, body: 'Lagi.' })
      .expect(409);
    expect(again.text).to.include('role="alert"');
    // The coach sees the answer on the record page, and cannot answer for the officer.
    const coachPage = await coach.agent.get(`/coaching/officers/${SITI}`).expect(200);
    expect(coachPage.text).to.include('Saya sudah mengikuti pelatihan pelayanan prima.');
  });
});
