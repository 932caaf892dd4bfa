import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Ticket } from '../../src/modules/feedback/model.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';

const DAY = 24 * 3600 * 1000;

describe('A citizen follows the case (GET /api/v1/tickets/:code and /track)', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  beforeEach(resetRateLimits);

  async function file(privacy = 'public') {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'officer_conduct',
        description: 'Petugas loket membentak ibu-ibu yang bertanya soal rujukan.',
        privacy,
        consent: true,
      })
      .expect(201);
    return body as { code: string; accessToken: string };
  }

  /** What staff would do (the inbox comes later): a status change with a public reply and an internal note. */
  async function staffAnswers(code: string, status: string, when = new Date()) {
    await Ticket.updateOne(
      { code },
      {
        $set: { status, resolvedAt: status === 'resolved' ? when : null, closedAt: status === 'closed' ? when : null },
        $push: {
          history: {
            $each: [
              {
                at: when,
                actor: { kind: 'staff', name: 'Dewi Kepala' },
                action: 'note',
                body: 'Catatan internal: cek CCTV',
                public: false,
              },
              {
                at: when,
                actor: { kind: 'staff', name: 'Dewi Kepala' },
                action: 'reply',
                body: 'Petugas sudah dibina.',
                public: true,
              },
              {
                at: when,
                actor: { kind: 'staff', name: 'Dewi Kepala' },
                action: 'status',
                from: 'received',
                to: status,
                public: true,
              },
            ],
          },
        },
      },
    );
  }

  it('shows status and the public timeline, never internal notes or staff names', async () => {
    const { code, accessToken } = await file();
    await staffAnswers(code, 'resolved');
    const view = (
      await request(app).get(`/api/v1/tickets/${code.toLowerCase()}`).set('X-Access-Token', accessToken).expect(200)
    ).body;
    expect(view).to.include({ code, status: 'resolved', statusType: 'resolved' });
    expect(view.timeline.map((entry: { action: string }) => entry.action)).to.deep.equal([
      'created',
      'reply',
      'status',
    ]);
    expect(JSON.stringify(view)).not.to.include('CCTV');
    expect(JSON.stringify(view)).not.to.include('Dewi');
    expect(view.timeline[1]).to.include({ by: 'unit', body: 'Petugas sudah dibina.' });
    expect(view.can).to.deep.equal({ reply: true, confirm: true, reopen: true, rate: true });
  });

  it('gives the same 404 for an unknown code, a wrong token and the token of another ticket', async () => {
    const one = await file();
    const other = await file();
    const answers = await Promise.all([
      request(app).get('/api/v1/tickets/ABCD-EFGH').set('X-Access-Token', one.accessToken),
      request(app).get(`/api/v1/tickets/${one.code}`).set('X-Access-Token', 'x'.repeat(32)),
      request(app).get(`/api/v1/tickets/${one.code}`).set('X-Access-Token', other.accessToken),
      request(app).get(`/api/v1/tickets/${one.code}`),
    ]);
    for (const answer of answers) {
      expect(answer.status).to.equal(404);
      expect(answer.body.error.message).to.equal('Kode atau token tidak cocok. Periksa kembali tanda terima Anda.');
    }
  });

  it('lets the citizen answer a question, which gives the ticket back to the unit', async () => {
    const { code, accessToken } = await file();
    await Ticket.updateOne({ code }, { $set: { status: 'awaiting_citizen' } });
    const view = (
      await request(app)
        .post(`/api/v1/tickets/${code}/replies`)
        .set('X-Access-Token', accessToken)
        .send({ body: 'Kejadiannya Senin pagi.' })
        .expect(200)
    ).body;
    expect(view.status).to.equal('in_progress');
    expect(view.timeline.at(-1)).to.include({
      action: 'citizen_reply',
      by: 'citizen',
      body: 'Kejadiannya Senin pagi.',
    });
  });

  it('confirms a resolved ticket, then rates the answer', async () => {
    const { code, accessToken } = await file();
    await staffAnswers(code, 'resolved');
    const closed = (
      await request(app).post(`/api/v1/tickets/${code}/confirm`).set('X-Access-Token', accessToken).expect(200)
    ).body;
    expect(closed.status).to.equal('closed');
    const rated = (
      await request(app)
        .post(`/api/v1/tickets/${code}/rating`)
        .set('X-Access-Token', accessToken)
        .send({ score: 4, comment: 'Cepat ditanggapi' })
        .expect(200)
    ).body;
    expect(rated.rating).to.deep.equal({ score: 4, comment: 'Cepat ditanggapi' });
    await request(app)
      .post(`/api/v1/tickets/${code}/rating`)
      .set('X-Access-Token', accessToken)
      .send({ score: 6 })
      .expect(400);
  });

  it('reopens within 30 days of the answer and not after', async () => {
    const recent = await file();
    await staffAnswers(recent.code, 'closed', new Date(Date.now() - 29 * DAY));
    const reopened = (
      await request(app)
        .post(`/api/v1/tickets/${recent.code}/reopen`)
        .set('X-Access-Token', recent.accessToken)
        .expect(200)
    ).body;
    expect(reopened.status).to.equal('in_progress');

    const old = await file();
    await staffAnswers(old.code, 'closed', new Date(Date.now() - 31 * DAY));
    const refused = await request(app)
      .post(`/api/v1/tickets/${old.code}/reopen`)
      .set('X-Access-Token', old.accessToken)
      .set('Accept-Language', 'en')
      .expect(409);
    expect(refused.body.error.message).to.equal('The 30 days for reopening the report have passed.');
    expect((await Ticket.findOne({ code: old.code }).lean())!.status).to.equal('closed');
  });

  it('refuses what the status does not allow, and changes nothing', async () => {
    const { code, accessToken } = await file();
    await request(app).post(`/api/v1/tickets/${code}/confirm`).set('X-Access-Token', accessToken).expect(409);
    await request(app)
      .post(`/api/v1/tickets/${code}/rating`)
      .set('X-Access-Token', accessToken)
      .send({ score: 5 })
      .expect(409);
    await Ticket.updateOne({ code }, { $set: { status: 'rejected' } });
    await request(app).post(`/api/v1/tickets/${code}/reopen`).set('X-Access-Token', accessToken).expect(409);
    expect((await Ticket.findOne({ code }).lean())!.history).to.have.length(1);
  });

  it('works as pages without JavaScript: find by code and token, reply with the form', async () => {
    const { code, accessToken } = await file();
    const agent = request.agent(app);
    const found = await agent
      .get(`/track/find?code=${code.replace('-', ' ').toLowerCase()}&token=${accessToken}`)
      .expect(303);
    const page = await agent.get(found.headers.location!).expect(200);
    expect(page.text).to.include(code).and.to.include('Diterima');
    const csrf = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    const posted = await agent
      .post(`/track/${code}/replies`)
      .type('form')
      .send({ _csrf: csrf, token: accessToken, body: 'Tambahan: loket 2.' })
      .expect(303);
    const after = await agent.get(posted.headers.location!).expect(200);
    expect(after.text).to.include('Tambahan: loket 2.').and.to.include('Terkirim.');
    await agent
      .post(`/track/${code}/replies`)
      .type('form')
      .send({ _csrf: csrf, token: 'salah', body: 'x' })
      .expect(404);
  });
});

describe('Duplicate help (GET /api/v1/tickets/similar)', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  it('suggests verified public reports of the same unit that share words, with personal data scrubbed', async () => {
    const file = async (description: string, privacy: string) =>
      (
        await request(app)
          .post('/api/v1/tickets')
          .send({
            kind: 'complaint',
            unitCode: 'PKM-KEBUNHANDIL',
            category: 'waiting_time',
            description,
            privacy,
            consent: true,
          })
          .expect(201)
      ).body.code as string;
    const shown = await file('Antrean pendaftaran lama sekali, hubungi saya di 081234567890 ya.', 'public');
    const unverified = await file('Antrean pendaftaran lama sekali pagi tadi.', 'public');
    const confidential = await file('Antrean pendaftaran lama, menunggu berjam-jam.', 'confidential');
    await Ticket.updateMany({ code: { $in: [shown, confidential] } }, { $set: { status: 'verified' } });
    void unverified;
    const { body } = await request(app)
      .get('/api/v1/tickets/similar')
      .query({ unitCode: 'PKM-KEBUNHANDIL', category: 'waiting_time', q: 'antrean di pendaftaran lama' })
      .expect(200);
    expect(body).to.have.length(1);
    expect(body[0].summary).to.equal('Antrean pendaftaran lama sekali, hubungi saya di [telepon] ya.');
    expect(body[0]).not.to.have.property('code');
  });
});
