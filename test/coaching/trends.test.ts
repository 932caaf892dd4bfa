import { expect } from 'chai';
import type { Express } from 'express';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { localDate } from '../../src/platform/calendar.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import {
  BUDI,
  complaintWithFinding,
  JOHANIS,
  seedCoachingAccounts,
  signedIn,
  SITI,
  surveyNaming,
  type Signed,
} from './record-fixtures.js';

interface OfficerRow {
  nip: string;
  findings: number;
  cases: number;
  findingsPer100: number | null;
  findingsByMonth: Record<string, number>;
  findingsByCategory: Record<string, number>;
  survey: { respondents: number; index: number | null };
  reasons?: string[];
}

describe('Coaching trends and the needs-attention list', () => {
  useTestDatabase();
  let app: Express;
  let coach: Signed;
  let farCoach: Signed;
  let handler: Signed;
  const month = localDate(new Date(), 'Asia/Jakarta').slice(0, 7);

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    await seedCoachingAccounts(admin);
    const head = await signedIn(app, 'kepala.dinkes@suara.test');
    coach = await signedIn(app, 'pembina.dinkes@suara.test');
    farCoach = await signedIn(app, 'pembina.ambon@suara.test');
    handler = await signedIn(app, 'petugas@suara.test');
    await resetRateLimits();
    // Siti: three substantiated findings and two survey answers naming her (five cases).
    await complaintWithFinding(app, head, SITI, 'substantiated');
    await complaintWithFinding(app, head, SITI, 'substantiated');
    await complaintWithFinding(app, head, SITI, 'partially_substantiated', { category: 'competence' });
    await surveyNaming(app, SITI, 3, 3);
    await surveyNaming(app, SITI, 4, 3);
    // Budi: one substantiated finding; three more complaints were cleared and must not count as cases.
    await complaintWithFinding(app, head, BUDI, 'substantiated', { unitCode: 'PKM-PUTRIAYU' });
    for (let i = 0; i < 3; i++)
      await complaintWithFinding(app, head, BUDI, 'not_substantiated', { unitCode: 'PKM-PUTRIAYU' });
  });
  beforeEach(resetRateLimits);

  const trends = async (who: Signed, query = '', status = 200) =>
    (await who.agent.get(`/api/v1/coaching/trends${query}`).expect(status)).body;
  const byNip = (rows: OfficerRow[], nip: string) => rows.find((row) => row.nip === nip)!;

  it('counts findings by category per month, per officer and per unit, normalised by survey answers', async () => {
    const body = await trends(coach);
    expect(body.months.at(-1)).to.equal(month);
    expect(body.months).to.have.length(6);
    expect(body.normalisedBy).to.equal('survey_answers');
    const siti = byNip(body.officers, SITI);
    expect(siti).to.deep.include({ findings: 3, cases: 5, findingsPer100: 150 });
    expect(siti.findingsByMonth[month]).to.equal(3);
    expect(siti.findingsByCategory).to.deep.equal({ officer_conduct: 2, competence: 1 });
    expect(siti.survey).to.deep.include({ respondents: 2, index: 81.25 });
    const budi = byNip(body.officers, BUDI);
    expect(budi).to.deep.include({ findings: 1, cases: 1, findingsPer100: null });
    const unit = body.units.find((row: { unitCode: string }) => row.unitCode === 'PKM-KEBUNHANDIL');
    expect(unit).to.deep.include({ findings: 3, compliments: 0, officers: 1 });
    expect(unit.findingsByMonth[month]).to.equal(3);
    expect(body.officers.map((row: OfficerRow) => row.nip)).not.to.include(JOHANIS);
  });

  it('lists only officers with at least the minimum number of cases, highest rate first', async () => {
    const standard = await trends(coach);
    expect(standard.minCases).to.equal(3);
    expect(standard.needsAttention.map((row: OfficerRow) => row.nip)).to.deep.equal([SITI]);
    expect(standard.needsAttention[0].reasons).to.include('findings');

    const everyone = await trends(coach, '?minCases=1');
    expect(everyone.needsAttention.map((row: OfficerRow) => row.nip)).to.deep.equal([SITI, BUDI]);
    const strict = await trends(coach, '?minCases=6');
    expect(strict.needsAttention).to.deep.equal([]);
  });

  it('keeps to the coach’s scope, logs each view, and refuses bad queries', async () => {
    const logged = await AuditEntry.countDocuments({ action: 'coaching.trends.read' });
    const far = await trends(farCoach);
    expect(far.officers.map((row: OfficerRow) => row.nip)).to.deep.equal([JOHANIS]);
    expect(far.needsAttention).to.deep.equal([]);
    await trends(farCoach, '?unitCode=PKM-KEBUNHANDIL', 404);
    const narrowed = await trends(coach, '?unitCode=PKM-KEBUNHANDIL');
    expect(narrowed.officers.map((row: OfficerRow) => row.nip)).to.deep.equal([SITI]);
    expect(await AuditEntry.countDocuments({ action: 'coaching.trends.read' })).to.equal(logged + 2);
    expect(await AuditEntry.exists({ action: 'coaching.trends.read', target: 'PKM-KEBUNHANDIL' })).to.not.equal(null);
    await trends(handler, '', 403);
    await trends(coach, '?minCases=0', 400);
    await trends(coach, '?from=2026-05-01&to=2026-04-01', 400);
    const past = await trends(coach, '?from=2020-01-01&to=2020-03-31');
    expect(past.months).to.deep.equal(['2020-01', '2020-02', '2020-03']);
    expect(past.needsAttention).to.deep.equal([]);
  });

  it('renders the trends page in both languages, saying how the list is normalised', async () => {
    const page = await coach.agent.get('/coaching/trends').expect(200);
    expect(page.text).to.include('Perlu perhatian').and.to.include('per 100 jawaban survei');
    expect(page.text).to.include('Siti Rahmawati');
    const english = await coach.agent.get('/coaching/trends?minCases=1').set('Accept-Language', 'en').expect(200);
    expect(english.text).to.include('Needs attention').and.to.include('volume unknown');
    await handler.agent.get('/coaching/trends').expect(403);
  });
});
