import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { FeedItem } from '../../src/modules/coaching/record/feed-model.js';
import { coachingFigures } from '../../src/modules/coaching/record/coaching-figures.js';
import { CoachingAction, CoachingSession } from '../../src/modules/coaching/sessions/model.js';
import { Officer } from '../../src/modules/directory/model.js';
import { Finding } from '../../src/modules/feedback/model.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { BUDI, coachingWorld, findingAbout, complaintAbout, SITI, wibDate, type Signed } from './work-helpers.js';

describe('Coaching sessions (dialog kinerja) and their actions', () => {
  useTestDatabase();
  let app: Express;
  let coach: Signed;
  let farCoach: Signed;
  let head: Signed;
  let siteHead: Signed;
  let handler: Signed;
  let siti: Signed;
  let findingCode: string;

  before(async function () {
    this.timeout(30_000);
    const world = await coachingWorld();
    app = world.app;
    coach = await world.as('pembina.dinkes@suara.test');
    farCoach = await world.as('pembina.ambon@suara.test');
    head = await world.as('kepala.dinkes@suara.test');
    siteHead = await world.as('kepala.kebunhandil@suara.test');
    handler = await world.as('petugas@suara.test');
    siti = await world.as('siti@suara.test');
    findingCode = await findingAbout(app, head, SITI, 'substantiated');
  });
  beforeEach(resetRateLimits);

  const post = (who: Signed, url: string, body: object) => who.agent.post(url).set('X-CSRF-Token', who.csrf).send(body);

  it('holds a session with topics linked to the officer’s findings and tickets, and actions with owners and due dates', async () => {
    const finding = (await Finding.findOne({ code: findingCode }).lean())!;
    const session = (
      await post(coach, `/api/v1/officers/${SITI}/sessions`, {
        date: wibDate(0),
        topics: [
          { kind: 'finding', id: String(finding._id) },
          { kind: 'ticket', id: findingCode },
        ],
        notes: 'Membahas sikap di loket pendaftaran.',
        actions: [
          { text: 'Ikuti kelas komunikasi efektif', owner: 'officer', dueDate: wibDate(14) },
          { text: 'Atur jadwal pendampingan di loket', owner: 'coach', dueDate: wibDate(7) },
        ],
      }).expect(201)
    ).body;
    expect(session.topics.map((topic: { label: string }) => topic.label)[0]).to.include(findingCode);
    expect(session.actions).to.have.length(2);
    expect(session.actions.map((action: { ownerName: string }) => action.ownerName)).to.have.members([
      'Siti Rahmawati',
      'Pembina Dinkes',
    ]);
    expect(session.actions.every((action: { done: boolean }) => !action.done)).to.equal(true);
    const item = await FeedItem.findOne({ type: 'session', sourceId: session.id }).lean();
    expect(item?.data).to.include({ url: `/coaching/sessions/${session.id}`, openActions: 2 });

    // The open actions show in the figures the record uses, and disappear once done.
    const officer = (await Officer.findOne({ nip: SITI }).lean())!;
    const period = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) };
    let figures = await coachingFigures(officer._id, period);
    expect(figures.sessionsHeld).to.equal(1);
    expect(figures.openActions.map((action) => action.text)).to.include('Ikuti kelas komunikasi efektif');
    const actionId = session.actions.find((action: { owner: string }) => action.owner === 'officer').id;
    // The officer marks their own action done; the coach's action stays open.
    const after = (await post(siti, `/api/v1/sessions/${session.id}/actions/${actionId}/done`, {}).expect(200)).body;
    expect(after.actions.find((action: { id: string }) => action.id === actionId).done).to.equal(true);
    figures = await coachingFigures(officer._id, period);
    expect(figures.openActions.map((action) => action.text)).to.deep.equal(['Atur jadwal pendampingan di loket']);
    const coachAction = session.actions.find((action: { owner: string }) => action.owner === 'coach').id;
    await post(siti, `/api/v1/sessions/${session.id}/actions/${coachAction}/done`, {}).expect(403);
    await post(coach, `/api/v1/sessions/${session.id}/actions/${coachAction}/done`, {}).expect(200);
    expect(await CoachingAction.countDocuments({ sessionId: session.id, done: false })).to.equal(0);
    expect((await FeedItem.findOne({ type: 'session', sourceId: session.id }).lean())?.data).to.include({
      openActions: 0,
    });
  });

  it('refuses topics that are not about the officer, and bad input, with 400 in the request language', async () => {
    const budiFinding = await findingAbout(app, head, BUDI, 'substantiated', 'officer_conduct', 'PKM-PUTRIAYU');
    const other = (await Finding.findOne({ code: budiFinding }).lean())!;
    const refused = (
      await post(coach, `/api/v1/officers/${SITI}/sessions`, {
        date: wibDate(0),
        notes: 'Membahas temuan.',
        topics: [
          { kind: 'finding', id: String(other._id) },
          { kind: 'ticket', id: budiFinding },
        ],
      }).expect(400)
    ).body;
    expect(refused.error.code).to.equal('validation');
    expect(refused.error.fields['topics.0.id']).to.include('bukan temuan');
    expect(refused.error.fields['topics.1.id']).to.be.a('string');

    const english = (
      await coach.agent
        .post(`/api/v1/officers/${SITI}/sessions`)
        .set('X-CSRF-Token', coach.csrf)
        .set('Accept-Language', 'en')
        .send({ date: '2026-02-30', actions: [{ text: 'x', dueDate: 'tomorrow' }] })
        .expect(400)
    ).body;
    expect(english.error.fields.date).to.equal('Dates must be written YYYY-MM-DD.');
    expect(english.error.fields['actions.0.text']).to.be.a('string');
    expect(english.error.fields['actions.0.dueDate']).to.equal('Dates must be written YYYY-MM-DD.');

    const early = (
      await post(coach, `/api/v1/officers/${SITI}/sessions`, {
        date: wibDate(0),
        actions: [{ text: 'Terlambat sebelum mulai', dueDate: wibDate(-1) }],
      }).expect(400)
    ).body;
    expect(early.error.fields['actions.0.dueDate']).to.include('sebelum tanggal dialog');
  });

  it('a coach cannot save an empty coaching session: no notes and no action is refused at the notes field', async () => {
    const empty = (await post(coach, `/api/v1/officers/${SITI}/sessions`, { date: wibDate(0) }).expect(400)).body;
    expect(empty.error.fields.notes).to.include('catatan dialog');
    expect(await CoachingSession.countDocuments({ notes: '' })).to.equal(0);
    await post(coach, `/api/v1/officers/${SITI}/sessions`, { date: wibDate(0), notes: 'Membahas antrean.' }).expect(
      201,
    );
  });

  it('scopes sessions: coach out of scope 403, unit head and the officer read but cannot write, a handler nothing', async () => {
    const body = { date: wibDate(0), notes: 'Catatan', actions: [] };
    await post(farCoach, `/api/v1/officers/${SITI}/sessions`, body).expect(403);
    await post(head, `/api/v1/officers/${SITI}/sessions`, body).expect(403);
    await post(siteHead, `/api/v1/officers/${SITI}/sessions`, body).expect(403);
    await post(siti, `/api/v1/officers/${SITI}/sessions`, body).expect(403);
    await post(handler, `/api/v1/officers/${SITI}/sessions`, body).expect(403);
    await post(coach, `/api/v1/officers/000000000000000000/sessions`, body).expect(404);
    await request(app).post(`/api/v1/officers/${SITI}/sessions`).send(body).expect(401);

    const session = (await post(coach, `/api/v1/officers/${SITI}/sessions`, body).expect(201)).body;
    await siteHead.agent.get(`/api/v1/sessions/${session.id}`).expect(200);
    await siti.agent.get(`/api/v1/sessions/${session.id}`).expect(200);
    await farCoach.agent.get(`/api/v1/sessions/${session.id}`).expect(403);
    await handler.agent.get(`/api/v1/sessions/${session.id}`).expect(403);
    // Reads by someone other than the officer are audited.
    expect(await AuditEntry.countDocuments({ action: 'coaching.read', target: SITI })).to.be.at.least(1);
  });

  it('never offers an unverified complaint as evidence: it can be a topic (it names her), not a finding', async () => {
    const code = await complaintAbout(app, SITI);
    const form = await coach.agent.get(`/coaching/officers/${SITI}/sessions/new`).expect(200);
    expect(form.text).to.include(code);
    expect(await Finding.countDocuments({ code })).to.equal(0);
  });

  it('saves a session from the page without JavaScript (one action row) and shows it', async () => {
    const finding = (await Finding.findOne({ code: findingCode }).lean())!;
    const page = await coach.agent.get(`/coaching/officers/${SITI}/sessions/new`).expect(200);
    expect(page.text).to.include('name="actionText"');
    const saved = await coach.agent
      .post(`/coaching/officers/${SITI}/sessions`)
      .type('form')
      .send({
        _csrf: coach.csrf,
        date: wibDate(0),
        topic: `finding:${String(finding._id)}`,
        notes: 'Dari formulir',
        actionText: 'Latihan salam dan senyum',
        actionOwner: 'officer',
        actionDue: wibDate(3),
      })
      .expect(303);
    const view = await coach.agent.get(saved.headers.location!).expect(200);
    expect(view.text).to.include('Latihan salam dan senyum');
    expect(view.text).to.include(findingCode);
    // The officer sees the session and may mark her own action done; the head reads it without buttons.
    const own = await siti.agent.get(saved.headers.location!).expect(200);
    expect(own.text).to.include('Tandai selesai');
    const headView = await siteHead.agent.get(saved.headers.location!).expect(200);
    expect(headView.text).not.to.include('Tandai selesai');
    // A bad row comes back with the message and what was typed.
    const bad = await coach.agent
      .post(`/coaching/officers/${SITI}/sessions`)
      .type('form')
      .send({ _csrf: coach.csrf, date: wibDate(0), actionText: 'Tanpa tanggal', actionDue: '' })
      .expect(400);
    expect(bad.text).to.include('Tanpa tanggal');
  });
});
