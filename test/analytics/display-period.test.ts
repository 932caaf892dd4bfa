import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { displayFigures } from '../../src/modules/analytics/display/figures.js';
import { displayPayload } from '../../src/modules/analytics/display/gateway.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { insertSurvey, insertWorkedExample } from './pages-helpers.js';

/**
 * The hall display's index covers the agency's transparency period to date (the quarter unless the agency set
 * another on its settings page), the same period as its public transparency page. Thursday 20 November 2026,
 * 10:00 WIB in Jambi: the quarter began on 1 October, the half-year on 1 July, the year on 1 January.
 */
const NOW = new Date('2026-11-20T03:00:00Z');

describe('The hall display: its index covers the period the agency chose for its transparency figures', function () {
  this.timeout(60_000);
  useTestDatabase();
  let app: Express;
  let admin: request.Agent;
  let csrf: string;

  before(async () => {
    app = await testApp();
    await seedDirectory();
    // 29 answers in May (this year, an earlier half), one in October (this quarter), one on 3 November (this month).
    await insertWorkedExample('PKM-KEBUNHANDIL', new Date('2026-05-12T02:00:00Z'));
    await insertSurvey({
      unitCode: 'PKM-KEBUNHANDIL',
      answers: [4, 4, 4, 4, 4, 4, 4, 4, 4],
      submittedAt: new Date('2026-10-15T02:00:00Z'),
    });
    await insertSurvey({
      unitCode: 'PKM-KEBUNHANDIL',
      answers: [3, 3, 3, 3, 3, 3, 3, 3, 3],
      submittedAt: new Date('2026-11-03T02:00:00Z'),
    });
  });
  beforeEach(async () => {
    await resetRateLimits();
    admin = request.agent(app);
    csrf = await signIn(admin, 'admin.jambi@suara.test');
  });
  after(async () => {
    await admin
      .put('/api/v1/agencies/JAMBI/settings')
      .set('X-CSRF-Token', csrf)
      .send({ transparencyPeriod: 'quarter' });
  });

  const choose = (transparencyPeriod: string) =>
    admin.post('/admin/settings/JAMBI/transparency').type('form').send({ _csrf: csrf, transparencyPeriod }).expect(303);

  it('counts the quarter to date until the agency chooses another period', async () => {
    const figures = await displayFigures('PKM-KEBUNHANDIL', NOW);
    expect(figures).to.include({ period: 'quarter', from: '2026-10-01', to: '2026-11-20', respondents: 2 });
  });

  it('follows the period chosen on the settings page: the year, the month, the half-year', async () => {
    await choose('year');
    expect(await displayFigures('PKM-KEBUNHANDIL', NOW)).to.include({
      period: 'year',
      from: '2026-01-01',
      to: '2026-11-20',
      respondents: 31,
    });
    await choose('month');
    expect(await displayFigures('PKM-KEBUNHANDIL', NOW)).to.include({
      period: 'month',
      from: '2026-11-01',
      respondents: 1,
    });
    await choose('half');
    expect(await displayFigures('PKM-KEBUNHANDIL', NOW)).to.include({
      period: 'half',
      from: '2026-07-01',
      respondents: 2,
    });
    // What the screens are sent names the period, and Ambon's units keep the quarter.
    expect((await displayPayload('PKM-KEBUNHANDIL')).period.kind).to.equal('half');
    expect((await displayFigures('AMB-DUKCAPIL', NOW)).period).to.equal('quarter');
  });
});
