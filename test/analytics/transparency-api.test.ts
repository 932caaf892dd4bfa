import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { displayFigures } from '../../src/modules/analytics/display/figures.js';
import { localDate } from '../../src/platform/calendar.js';
import { eventsSettled } from '../../src/platform/events.js';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { fileTicket, postSurveys, rowsFor } from './rollups-helpers.js';

describe('Transparency figures through the public API, from live rollups', () => {
  useTestDatabase();
  let app: Express;

  before(async function () {
    this.timeout(60_000);
    app = await testApp();
    await seedDirectory();
    await fileTicket(app, { reporter: { name: 'Rahmat Hidayat', email: 'rahmat@contoh.id' } });
    await fileTicket(app, { unitCode: 'AMB-DUKCAPIL', category: 'procedure' });
    await postSurveys(app, rowsFor([105, 101, 100, 116, 102, 105, 106, 105, 115], 29));
  });

  it('shows each unit’s received tickets and IKM for the quarter to date, its subtree included, without a sign-in', async () => {
    const { body } = await request(app).get('/api/v1/transparency?unitCode=JAMBI').expect(200);
    const rows = body.units as Record<string, unknown>[];
    const byCode = Object.fromEntries(rows.map((row) => [row.code, row]));
    expect(Object.keys(byCode)).to.include.members(['JAMBI', 'JAMBI-DINKES', 'PKM-KEBUNHANDIL', 'PKM-PUTRIAYU']);
    expect(byCode.JAMBI).to.include({ received: 1, respondents: 29, ikm: 91.48, grade: 'A', label: 'Sangat Baik' });
    expect(byCode['PKM-KEBUNHANDIL']).to.include({ received: 1, respondents: 29 });
    expect(byCode['PKM-PUTRIAYU']).to.include({ received: 0, respondents: 0, ikm: null });
    expect(byCode).not.to.have.property('AMB-DUKCAPIL');
    expect(JSON.stringify(body)).not.to.include('rahmat@contoh.id');
    expect(JSON.stringify(body)).not.to.include('Rahmat');
  });

  it('lists every unit without a unit code, Ambon with its own ticket', async () => {
    const { body } = await request(app).get('/api/v1/transparency').expect(200);
    const ambon = (body.units as { code: string; received: number }[]).find((row) => row.code === 'AMBON')!;
    expect(ambon.received).to.equal(1);
  });

  it('serves one computation to every visitor until this process changes the rollups, then the new figures', async () => {
    const received = async () =>
      (
        (await request(app).get('/api/v1/transparency').expect(200)).body.units as { code: string; received: number }[]
      ).find((row) => row.code === 'AMBON')!.received;
    expect(await received()).to.equal(1);
    const [a, b] = await Promise.all([received(), received()]);
    expect([a, b]).to.deep.equal([1, 1]);
    await fileTicket(app, { unitCode: 'AMB-DUKCAPIL', category: 'procedure' });
    await eventsSettled();
    expect(await received()).to.equal(2);
  });

  it('gives the hall display today’s answers on the agency’s local day and the quarter’s IKM', async () => {
    const figures = await displayFigures('PKM-KEBUNHANDIL');
    expect(figures).to.include({ todaySurveys: 29, respondents: 29, ikm: 91.48, grade: 'A', label: 'Sangat Baik' });
    expect(figures.today).to.equal(localDate(new Date(), 'Asia/Jakarta'));
    expect(await displayFigures('AMB-DUKCAPIL')).to.include({ todaySurveys: 0, respondents: 0, ikm: null });
    // Tomorrow in Jambi nobody has answered yet.
    const tomorrow = await displayFigures('PKM-KEBUNHANDIL', new Date(Date.now() + 24 * 3_600_000));
    expect(tomorrow.todaySurveys).to.equal(0);
  });
});
