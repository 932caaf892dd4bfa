import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { SurveyResponse, SurveyVisit } from '../../src/modules/surveys/model.js';
import { issueFormToken } from '../../src/modules/surveys/service.js';
import { useTestDatabase, resetRateLimits } from '../helpers/db.js';
import { testApp } from '../helpers/app.js';
import { seedSurveyDirectory } from './fixtures.js';

const hidden = (html: string, name: string) =>
  html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&#x3D;/g, '=') ?? '';

const complete = {
  answer1: '4',
  answer2: '3',
  answer3: '2',
  answer4: '4',
  answer5: '3',
  answer6: '4',
  answer7: '4',
  answer8: '3',
  answer9: '1',
  serviceCode: 'POLI-UMUM',
  gender: 'female',
  ageBand: '40_49',
  education: 'd4_s1',
  occupation: 'civil_servant',
  comment: 'Ruang tunggu sejuk, tetapi antrean lama.',
};

/** Limits count in fixed windows: start a counting spec well inside one, so no window ends mid-spec. */
async function awayFromWindowEdge(windowMs = 10 * 60_000, margin = 20_000) {
  const left = windowMs - (Date.now() % windowMs);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('Rate limits on the survey page count accepted answers and keep a limited one on the page', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedSurveyDirectory();
  });
  beforeEach(async function () {
    this.timeout(60_000);
    await awayFromWindowEdge();
    await Promise.all([SurveyResponse.deleteMany({}), SurveyVisit.deleteMany({}), resetRateLimits()]);
  });

  /** A phone of its own: opens the page, then posts what it is given. */
  async function phone() {
    const agent = request.agent(app);
    const page = await agent.get('/survey/PKM-KEBUNHANDIL').expect(200);
    const csrf = hidden(page.text, '_csrf');
    const formToken = issueFormToken('PKM-KEBUNHANDIL', new Date(Date.now() - 60_000));
    return (fields: Record<string, string>) =>
      agent
        .post('/survey/PKM-KEBUNHANDIL')
        .type('form')
        .send({ ...fields, _csrf: csrf, formToken });
  }

  it('does not count a survey sent back for a missing answer', async () => {
    const send = await phone();
    const { answer9, ...missingOne } = complete;
    void answer9;
    for (let i = 0; i < 8; i++) await send(missingOne).expect(400);
    await send(complete).expect(303);
  });

  it('shows the survey again with every answer kept and when to try again, once the network has sent its share', async function () {
    this.timeout(120_000);
    for (let i = 0; i < 30; i++) await (await phone())(complete).expect(303);
    const limited = await (await phone())(complete).expect(429);
    expect(Number(limited.headers['retry-after'])).to.be.within(1, 600);
    expect(limited.text).to.match(/Coba kirim lagi dalam \d+ menit\. Jawaban Anda tetap tersimpan di bawah\./);
    expect(limited.text).to.include('id="survey-form"');
    expect(limited.text).to.match(/name="answer9" value="1" checked/);
    expect(limited.text).to.match(/<option value="40_49" selected>/);
    expect(limited.text).to.include('>Ruang tunggu sejuk, tetapi antrean lama.</textarea>');
    expect(await SurveyResponse.countDocuments()).to.equal(30);
  });
});
