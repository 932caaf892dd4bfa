import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Unit } from '../../src/modules/directory/model.js';
import { isOpenAt, unitsWithoutOpeningHours, type OpeningHours } from '../../src/modules/directory/index.js';
import { integrityOf } from '../../src/modules/surveys/integrity.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { localDate } from '../../src/platform/calendar.js';
import type { Actor } from '../../src/platform/access.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';

/** Monday to Friday 08:00–12:00 and 13:00–16:00, Saturday 08:00–12:00; closed on Sunday and on 25 December. */
const puskesmasHours: OpeningHours = {
  weekly: [1, 2, 3, 4, 5].flatMap((weekday) => [
    { weekday, open: '08:00', close: '12:00' },
    { weekday, open: '13:00', close: '16:00' },
  ]),
  exceptions: [
    { date: '2026-12-24', open: '08:00', close: '11:00' },
    { date: '2026-12-25', open: null, close: null },
  ],
};
puskesmasHours.weekly.push({ weekday: 6, open: '08:00', close: '12:00' });
const jambi = (hours: OpeningHours | null) => ({ timeZone: 'Asia/Jakarta', openingHours: hours });

describe('Opening hours per unit and the survey’s outside-hours flag (issue #22)', () => {
  useTestDatabase();
  let app: Express;
  let root: Actor;
  let agent: request.Agent;
  let csrf: string;
  before(async () => {
    app = await testApp();
    root = (await seedDirectory()).admin;
    agent = request.agent(app);
    csrf = await signIn(agent, 'admin.jambi@suara.test');
  });

  it('tells open from closed on the unit’s wall clock, exceptions first', () => {
    // Monday 7 December 2026: 09:30 WIB is 02:30 UTC.
    expect(isOpenAt(jambi(puskesmasHours), new Date('2026-12-07T02:30:00Z'))).to.equal(true);
    expect(isOpenAt(jambi(puskesmasHours), new Date('2026-12-07T05:30:00Z'))).to.equal(false); // 12:30, lunch
    expect(isOpenAt(jambi(puskesmasHours), new Date('2026-12-07T09:00:00Z'))).to.equal(false); // 16:00, closed
    expect(isOpenAt(jambi(puskesmasHours), new Date('2026-12-06T02:30:00Z'))).to.equal(false); // Sunday
    expect(isOpenAt(jambi(puskesmasHours), new Date('2026-12-24T04:30:00Z'))).to.equal(false); // 11:30, short day
    expect(isOpenAt(jambi(puskesmasHours), new Date('2026-12-25T02:30:00Z'))).to.equal(false); // Christmas, a Friday
    // The same instant in Ambon (WIT, UTC+9) is 11:30 on Monday: open.
    expect(
      isOpenAt({ timeZone: 'Asia/Jayapura', openingHours: puskesmasHours }, new Date('2026-12-07T02:30:00Z')),
    ).to.equal(true);
    expect(isOpenAt(jambi(null), new Date('2026-12-07T02:30:00Z'))).to.equal(null); // unknown is not closed
  });

  it('flags an answer given at night as outside opening hours, and keeps the other flags', () => {
    const input = {
      answers: [4, 4, 4, 4, 4, 4, 4, 4, 4],
      timeZone: 'Asia/Jakarta',
      openingHours: puskesmasHours,
      device: { hash: 'd', fresh: true },
      networkHash: null,
      form: null,
      counts: { unitBurst: 0, sameNetwork: 0, sameDevice: 0 },
    };
    const night = integrityOf({ ...input, submittedAt: new Date('2026-12-07T16:00:00Z') }); // 23:00 WIB
    expect(night.withinOpeningHours).to.equal(false);
    expect(night.flags).to.deep.equal(['fresh_device', 'all_top', 'outside_hours']);
    const day = integrityOf({ ...input, submittedAt: new Date('2026-12-07T03:00:00Z') });
    expect(day.withinOpeningHours).to.equal(true);
    expect(day.flags).not.to.include('outside_hours');
    const unknown = integrityOf({ ...input, openingHours: null, submittedAt: new Date('2026-12-07T16:00:00Z') });
    expect(unknown.withinOpeningHours).to.equal(null);
    expect(unknown.flags).not.to.include('outside_hours');
  });

  it('saves the hours through the API, audited with before and after, and counts the units still without', async () => {
    expect(await unitsWithoutOpeningHours(root)).to.equal(6);
    const response = await agent
      .put('/api/v1/units/PKM-KEBUNHANDIL/opening-hours')
      .set('X-CSRF-Token', csrf)
      .send(puskesmasHours)
      .expect(200);
    expect(response.body.openingHours.weekly).to.have.length(11);
    const shown = await request(app).get('/api/v1/units/PKM-KEBUNHANDIL/opening-hours').expect(200);
    expect(shown.body.openingHours.exceptions).to.deep.equal(puskesmasHours.exceptions);
    const entry = (await AuditEntry.findOne({ action: 'unit.opening_hours', target: 'PKM-KEBUNHANDIL' }).lean())!;
    expect((entry.details as { before: unknown }).before).to.equal(null);
    expect(await unitsWithoutOpeningHours(root)).to.equal(5);
  });

  it('refuses hours that close before they open or are not times, in both languages', async () => {
    const bad = {
      weekly: [
        { weekday: 1, open: '16:00', close: '08:00' },
        { weekday: 8, open: '25:00', close: '26:00' },
      ],
    };
    const id = await agent
      .put('/api/v1/units/PKM-KEBUNHANDIL/opening-hours')
      .set('X-CSRF-Token', csrf)
      .send(bad)
      .expect(400);
    expect(id.body.error.fields['weekly.1.weekday']).to.equal('Maksimal 7.');
    expect(id.body.error.fields['weekly.1.open']).to.equal('Formatnya tidak sesuai.');
    const en = await agent
      .put('/api/v1/units/PKM-KEBUNHANDIL/opening-hours')
      .set('X-CSRF-Token', csrf)
      .set('Accept-Language', 'en')
      .send({ weekly: [bad.weekly[0]] })
      .expect(400);
    expect(en.body.error.fields['weekly.0.close']).to.equal('The closing time must be after the opening time.');
  });

  it('edits the hours in the plain form on the unit page, keeping what was typed when a line is wrong', async () => {
    const wrong = await agent
      .post('/admin/units/PKM-PUTRIAYU/opening-hours')
      .type('form')
      .send({ _csrf: csrf, day1: '07.30-14.00', day2: 'pagi saja', exceptions: '' })
      .expect(400);
    expect(wrong.text).to.include('Tulis jam seperti 08:00-12:00, 13:00-16:00; kosongkan bila tutup.');
    expect(wrong.text).to.include('value="pagi saja"');
    await agent
      .post('/admin/units/PKM-PUTRIAYU/opening-hours')
      .type('form')
      .send({ _csrf: csrf, day1: '07.30-14.00', day5: '07:30-11:00', exceptions: '2026-12-25 tutup\n' })
      .expect(303);
    const unit = (await Unit.findOne({ code: 'PKM-PUTRIAYU' }).lean())!;
    expect(unit.openingHours).to.deep.equal({
      weekly: [
        { weekday: 1, open: '07:30', close: '14:00' },
        { weekday: 5, open: '07:30', close: '11:00' },
      ],
      exceptions: [{ date: '2026-12-25', open: null, close: null }],
    });
    const page = await agent.get('/admin/units/PKM-PUTRIAYU').set('Accept-Language', 'en').expect(200);
    expect(page.text).to.include('Monday').and.include('07:30–14:00').and.include('Closed');
    // Citizens see them on the unit's complaint and survey forms.
    const form = await request(app).get('/u/PKM-PUTRIAYU').expect(200);
    expect(form.text).to.include('Jam layanan').and.include('Senin').and.include('07:30–14:00');
    const survey = await request(app).get('/survey/PKM-PUTRIAYU').set('Accept-Language', 'en').expect(200);
    expect(survey.text).to.include('Opening hours').and.include('Friday').and.include('07:30–11:00');
  });

  it('flags a survey answer that arrives while the unit is closed', async () => {
    await resetRateLimits();
    const today = localDate(new Date(), 'Asia/Jakarta');
    await agent
      .put('/api/v1/units/PKM-KEBUNHANDIL/opening-hours')
      .set('X-CSRF-Token', csrf)
      .send({ ...puskesmasHours, exceptions: [{ date: today, open: null, close: null }] })
      .expect(200);
    const response = await request(app)
      .post('/api/v1/surveys')
      .send({
        unitCode: 'PKM-KEBUNHANDIL',
        serviceCode: 'POLI-UMUM',
        answers: [4, 3, 3, 4, 3, 4, 4, 3, 3],
        respondent: { gender: 'female', ageBand: '30_39', education: 'sma', occupation: 'self_employed' },
      })
      .expect(201);
    const stored = (await SurveyResponse.findById(response.body.id).lean())!;
    expect(stored.integrity!.withinOpeningHours).to.equal(false);
    expect(stored.integrity!.flags).to.include('outside_hours');
  });
});
