import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { insertSurvey } from './pages-helpers.js';

const Q2 = { unitCode: 'PKM-KEBUNHANDIL', from: '2026-04-01', to: '2026-06-30' };
const Q3 = 'unitCode=PKM-KEBUNHANDIL&from=2026-07-01&to=2026-09-30';
const plan = (change: Record<string, unknown> = {}) => ({
  ...Q2,
  element: 'time',
  action: 'Buka loket pendaftaran pukul 07.00 dan tambah satu petugas.',
  owner: 'Kepala Tata Usaha',
  dueDate: '2026-07-31',
  ...change,
});

describe('Follow-up of survey results (rencana tindak lanjut)', function () {
  this.timeout(90_000); // many requests each; the shared machine can be slow
  useTestDatabase();
  let app: Express;
  let head: request.Agent;
  let csrf: string;
  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await createUser(admin, {
      email: 'pembina@suara.test',
      name: 'Pembina',
      password: PASSWORD,
      role: 'coach',
      unitCode: 'JAMBI',
    });
    // Q2: completion time, cost and facilities are the weakest (2 each); Q3: completion time rose to 3.
    for (let index = 0; index < 10; index++) {
      await insertSurvey({
        unitCode: 'PKM-KEBUNHANDIL',
        answers: [3, 3, 2, 2, 3, 3, 3, 3, 2],
        submittedAt: new Date(Date.UTC(2026, 4, 5 + index, 3)),
      });
      await insertSurvey({
        unitCode: 'PKM-KEBUNHANDIL',
        answers: [3, 3, 3, 2, 3, 3, 4, 3, 3],
        submittedAt: new Date(Date.UTC(2026, 7, 5 + index, 3)),
      });
    }
    head = request.agent(app);
    csrf = await signIn(head, 'kepala.kebunhandil@suara.test');
  });

  it('records a planned action on one of the weakest elements, and refuses any other element', async () => {
    const created = await head.post('/api/v1/analytics/follow-ups').set('X-CSRF-Token', csrf).send(plan()).expect(201);
    expect(created.body).to.deep.include({
      unitCode: 'PKM-KEBUNHANDIL',
      periodFrom: '2026-04-01',
      periodTo: '2026-06-30',
      element: 'time',
      baselineMean: 2,
      owner: 'Kepala Tata Usaha',
      dueDate: '2026-07-31',
      done: false,
    });
    expect(await AuditEntry.countDocuments({ action: 'follow_up.create', target: created.body.id })).to.equal(1);

    const strong = await head
      .post('/api/v1/analytics/follow-ups')
      .set('X-CSRF-Token', csrf)
      .set('Accept-Language', 'en')
      .send(plan({ element: 'requirements' }))
      .expect(400);
    expect(strong.body.error.fields.element).to.equal('Choose one of the lowest-scoring elements of this period.');
    const bad = await head
      .post('/api/v1/analytics/follow-ups')
      .set('X-CSRF-Token', csrf)
      .send(plan({ element: 'vibes', action: '', dueDate: '31/07/2026' }))
      .expect(400);
    expect(bad.body.error.fields).to.have.keys('element', 'action', 'dueDate');
    const empty = await head
      .post('/api/v1/analytics/follow-ups')
      .set('X-CSRF-Token', csrf)
      .send(plan({ from: '2025-01-01', to: '2025-03-31' }))
      .expect(400);
    expect(empty.body.error.fields).to.have.property('element');
  });

  it('lets only unit heads of the unit write; readers read', async () => {
    const handler = request.agent(app);
    const handlerCsrf = await signIn(handler, 'petugas@suara.test');
    await handler.post('/api/v1/analytics/follow-ups').set('X-CSRF-Token', handlerCsrf).send(plan()).expect(403);
    const coach = request.agent(app);
    const coachCsrf = await signIn(coach, 'pembina@suara.test');
    await coach.post('/api/v1/analytics/follow-ups').set('X-CSRF-Token', coachCsrf).send(plan()).expect(403);
    const list = await coach.get(`/api/v1/analytics/follow-ups?${Q3}`).expect(200);
    expect(list.body.canWrite).to.equal(false);
    const admin = request.agent(app);
    const adminCsrf = await signIn(admin, 'admin.jambi@suara.test');
    await admin.post('/api/v1/analytics/follow-ups').set('X-CSRF-Token', adminCsrf).send(plan()).expect(403);
    // The head of the Dinas above may plan for the puskesmas; a session without the token may not post at all.
    const dinkes = request.agent(app);
    const dinkesCsrf = await signIn(dinkes, 'kepala.dinkes@suara.test');
    await dinkes
      .post('/api/v1/analytics/follow-ups')
      .set('X-CSRF-Token', dinkesCsrf)
      .send(plan({ element: 'facilities' }))
      .expect(201);
    await head.post('/api/v1/analytics/follow-ups').send(plan()).expect(403);
    await request(app).post('/api/v1/analytics/follow-ups').send(plan()).expect(401);
  });

  it("shows each action beside the change in its element on the next period's report once done", async () => {
    const list = await head.get(`/api/v1/analytics/follow-ups?unitCode=PKM-KEBUNHANDIL&from=2026-04-01&to=2026-06-30`);
    const time = list.body.planned.find((entry: { element: string }) => entry.element === 'time');
    const done = await head
      .post(`/api/v1/analytics/follow-ups/${time.id}/done`)
      .set('X-CSRF-Token', csrf)
      .send({ note: 'Loket pagi dibuka sejak 1 Juli.' })
      .expect(200);
    expect(done.body).to.deep.include({ done: true, doneNote: 'Loket pagi dibuka sejak 1 Juli.' });
    await head
      .post('/api/v1/analytics/follow-ups/000000000000000000000000/done')
      .set('X-CSRF-Token', csrf)
      .send({})
      .expect(404);
    const handler = request.agent(app);
    const handlerCsrf = await signIn(handler, 'petugas@suara.test');
    await handler
      .post(`/api/v1/analytics/follow-ups/${time.id}/done`)
      .set('X-CSRF-Token', handlerCsrf)
      .send({})
      .expect(403);

    const next = await head.get(`/api/v1/analytics/follow-ups?${Q3}`).expect(200);
    const change = next.body.previous.find((entry: { element: string }) => entry.element === 'time');
    expect(change).to.deep.include({ previousMean: 2, currentMean: 3, change: 1, done: true });
    expect(next.body.planned).to.deep.equal([]);

    const page = await head.get(`/analytics/ikm?${Q3}`).expect(200);
    const table = page.text.match(/<table class="follow-ups" id="follow-up-previous">[\s\S]*?<\/table>/)![0];
    expect(table).to.include('Buka loket pendaftaran pukul 07.00 dan tambah satu petugas.');
    expect(table).to.include('Waktu penyelesaian');
    expect(table).to.include(
      '<span class="mean-before">2,0000</span> → <span class="mean-after">3,0000</span> (+1,0000)',
    );
    expect(table).to.include('Selesai');
    // Facilities (planned by the Dinas head, not done) shows its change too: 2 → 3, still open.
    expect(table).to.match(
      /Sarana dan prasarana[\s\S]*Belum selesai[\s\S]*2,0000<\/span> → <span class="mean-after">3,0000/,
    );
  });

  it('works as page forms with the CSRF token, showing what was wrong beside the form', async () => {
    const saved = await head
      .post('/analytics/follow-ups')
      .type('form')
      .send({ _csrf: csrf, ...plan({ from: '2026-07-01', to: '2026-09-30', element: 'cost', dueDate: '2026-10-31' }) })
      .expect(303);
    expect(saved.headers.location).to.equal(`/analytics/ikm?${Q3}#follow-up`);
    const page = await head.get(`/analytics/ikm?${Q3}`).expect(200);
    const planned = page.text.match(/<table class="follow-ups" id="follow-up-planned">[\s\S]*?<\/table>/)![0];
    expect(planned).to.include('Biaya/tarif');
    const id = planned.match(/action="\/analytics\/follow-ups\/([0-9a-f]{24})\/done"/)![1];
    await head.post(`/analytics/follow-ups/${id}/done`).type('form').send({ _csrf: csrf }).expect(303);
    await head.post(`/analytics/follow-ups/${id}/done`).type('form').send({}).expect(403); // no token

    const refused = await head
      .post('/analytics/follow-ups')
      .type('form')
      .send({ _csrf: csrf, ...plan({ from: '2026-07-01', to: '2026-09-30', element: 'conduct' }) })
      .expect(400);
    expect(refused.text).to.include('Pilih salah satu unsur dengan nilai terendah periode ini.');
    expect(refused.text).to.include('Buka loket pendaftaran pukul 07.00'); // what was typed stays
  });
});
