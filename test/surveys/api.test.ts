import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { SurveyResponse, SurveyVisit } from '../../src/modules/surveys/model.js';
import { deviceHashOf } from '../../src/platform/device.js';
import { subscribe, type SurveyEvent } from '../../src/platform/events.js';
import { useTestDatabase, resetRateLimits } from '../helpers/db.js';
import { signIn, testApp } from '../helpers/app.js';
import { ANSWERS, cookieFrom, seedSurveyDirectory, setCookieLine, survey } from './fixtures.js';

describe('POST /api/v1/surveys: a citizen rates a visit', () => {
  useTestDatabase();
  let app: Express;
  let fixtures: Awaited<ReturnType<typeof seedSurveyDirectory>>;
  before(async () => {
    app = await testApp();
    fixtures = await seedSurveyDirectory();
  });
  beforeEach(async () => {
    await Promise.all([SurveyResponse.deleteMany({}), SurveyVisit.deleteMany({}), resetRateLimits()]);
  });

  it('stores the answer with its integrity evidence, announces it, and answers 201 with its id', async () => {
    const events: SurveyEvent[] = [];
    const unsubscribe = subscribe('survey.submitted', (event) => void events.push(event));
    try {
      const response = await request(app)
        .post('/api/v1/surveys')
        .send(survey({ officerRef: fixtures.siti.ref, counter: 'L1', answers: Array(9).fill(4) }))
        .expect(201);
      expect(response.body).to.have.keys('id');

      const device = cookieFrom(response.headers['set-cookie'], 'suara.device')!;
      const cookieLine = setCookieLine(response.headers['set-cookie'], 'suara.device')!;
      expect(cookieLine)
        .to.match(/HttpOnly/i)
        .and.match(/SameSite=Lax/i);

      const stored = (await SurveyResponse.findById(response.body.id).lean())!;
      expect(stored).to.deep.include({
        unitCode: 'PKM-KEBUNHANDIL',
        agencyCode: 'JAMBI',
        serviceCode: 'POLI-UMUM',
        counterCode: 'L1',
        channel: 'api',
        answers: Array(9).fill(4),
        comment: 'Antrean tertib, petugas ramah.',
      });
      expect(String(stored.officerId)).to.equal(String(fixtures.siti._id));
      expect(stored.respondent).to.deep.equal({
        gender: 'female',
        ageBand: '30_39',
        education: 'sma',
        occupation: 'self_employed',
      });
      // Evidence: hashes only, the hour at the unit (WIB), and the flags a reviewer needs.
      const integrity = stored.integrity!;
      expect(integrity.deviceHash).to.equal(deviceHashOf(device));
      expect(integrity.networkHash).to.match(/^[0-9a-f]{64}$/);
      const hourInJambi = (new Date(stored.submittedAt).getUTCHours() + 7) % 24;
      expect(integrity.localHour).to.equal(hourInJambi);
      expect(integrity.withinOpeningHours).to.equal(null); // the unit has no opening hours yet
      expect(integrity.secondsToComplete).to.equal(null); // no rendered form behind an API call
      expect(integrity.allTop).to.equal(true);
      expect(integrity.flags).to.include.members(['fresh_device', 'all_top']);
      const raw = JSON.stringify(stored);
      expect(raw).not.to.include('127.0.0.1');
      expect(raw).not.to.include(device);
      expect(raw).not.to.include(fixtures.siti.nip);

      await new Promise((resolve) => setImmediate(resolve));
      expect(events).to.have.length(1);
      expect(events[0]).to.deep.include({
        surveyId: response.body.id,
        unitId: String(stored.unitId),
        serviceCode: 'POLI-UMUM',
        officerId: String(fixtures.siti._id),
        answers: Array(9).fill(4),
      });
      expect(events[0]!.unitPath).to.have.length(3);
    } finally {
      unsubscribe();
    }
  });

  it('takes the public opaque officer reference, and no officer of another unit', async () => {
    const byRef = await request(app)
      .post('/api/v1/surveys')
      .send(survey({ officerRef: fixtures.siti.ref }))
      .expect(201);
    const stored = await SurveyResponse.findById(byRef.body.id).lean();
    expect(String(stored!.officerId)).to.equal(String(fixtures.siti._id));

    const otherRef = await request(app)
      .post('/api/v1/surveys')
      .send(survey({ officerRef: fixtures.budi.ref }))
      .expect(400);
    expect(otherRef.body.error.fields).to.have.keys('officerRef');
    expect(await SurveyResponse.countDocuments()).to.equal(1);
  });

  it('refuses a NIP from the public in the same words whether or not the officer exists, storing nothing', async () => {
    const answers = [];
    for (const [nip, lang] of [
      [fixtures.siti.nip, 'id'],
      ['199912312020121001', 'id'], // well formed, nobody's
      [fixtures.siti.nip, 'en'],
      ['199912312020121001', 'en'],
    ] as const) {
      const response = await request(app)
        .post('/api/v1/surveys')
        .set('Accept-Language', lang)
        .send(survey({ officerNip: nip }))
        .expect(400);
      answers.push(response.body);
    }
    expect(answers[0]).to.deep.equal(answers[1]);
    expect(answers[2]).to.deep.equal(answers[3]);
    expect(answers[0].error.fields).to.deep.equal({
      officerNip: 'NIP hanya untuk petugas yang masuk atau integrasi dengan token API; gunakan officerRef.',
    });
    expect(answers[2].error).to.deep.equal({
      code: 'validation',
      message: 'Some of the data sent is not right.',
      fields: { officerNip: 'A NIP is for signed-in staff or integrations with an API token; use officerRef.' },
    });
    expect(await SurveyResponse.countDocuments()).to.equal(0);
  });

  it('lets signed-in staff and an integration with an API token name the officer by NIP, of their unit only', async () => {
    const staff = request.agent(app);
    const csrf = await signIn(staff, 'admin.jambi@suara.test');
    const bySession = await staff
      .post('/api/v1/surveys')
      .set('X-CSRF-Token', csrf)
      .send(survey({ officerNip: fixtures.siti.nip }))
      .expect(201);
    const { token } = (
      await staff.post('/api/v1/auth/tokens').set('X-CSRF-Token', csrf).send({ name: 'Kiosk SKM' }).expect(201)
    ).body as { token: string };
    const byToken = await request(app)
      .post('/api/v1/surveys')
      .set('Authorization', `Bearer ${token}`)
      .send(survey({ officerNip: fixtures.siti.nip }))
      .expect(201);
    for (const { body } of [bySession, byToken]) {
      const stored = await SurveyResponse.findById(body.id).lean();
      expect(String(stored!.officerId)).to.equal(String(fixtures.siti._id));
    }

    const otherUnit = await request(app)
      .post('/api/v1/surveys')
      .set('Authorization', `Bearer ${token}`)
      .send(survey({ officerNip: fixtures.budi.nip }))
      .expect(400);
    expect(otherUnit.body.error.fields).to.have.keys('officerNip');
    expect(await SurveyResponse.countDocuments()).to.equal(2);
  });

  describe('refuses bad input with a clear 4xx and stores nothing', () => {
    const cases: [string, () => Record<string, unknown>, string][] = [
      ['8 answers', () => survey({ answers: ANSWERS.slice(0, 8) }), 'answers'],
      ['10 answers', () => survey({ answers: [...ANSWERS, 4] }), 'answers'],
      ['a 5 among the answers', () => survey({ answers: [4, 3, 3, 5, 3, 4, 4, 3, 3] }), 'answers.3'],
      ['a 0 among the answers', () => survey({ answers: [0, 3, 3, 4, 3, 4, 4, 3, 3] }), 'answers.0'],
      ['a fraction among the answers', () => survey({ answers: [4, 3.5, 3, 4, 3, 4, 4, 3, 3] }), 'answers.1'],
      ['an answer as a string', () => survey({ answers: ['4', 3, 3, 4, 3, 4, 4, 3, 3] }), 'answers.0'],
      ['answers as one string', () => survey({ answers: '433434433' }), 'answers'],
      ['a null answer', () => survey({ answers: [4, 3, null, 4, 3, 4, 4, 3, 3] }), 'answers.2'],
      ['no answers at all', () => survey({ answers: undefined }), 'answers'],
      ['an operator object as unit code', () => survey({ unitCode: { $gt: '' } }), 'unitCode'],
      ['an operator object as service code', () => survey({ serviceCode: { $gt: '' } }), 'serviceCode'],
      ['an operator object as officer NIP', () => survey({ officerNip: { $ne: null } }), 'officerNip'],
      [
        'an operator object as gender',
        () => survey({ respondent: { ...survey().respondent, gender: { $gt: '' } } }),
        'respondent.gender',
      ],
      ['a number as unit code', () => survey({ unitCode: 42 }), 'unitCode'],
      ['a respondent that is a string', () => survey({ respondent: 'perempuan' }), 'respondent'],
      ['no respondent', () => survey({ respondent: undefined }), 'respondent'],
      [
        'an education the form does not offer',
        () => survey({ respondent: { ...survey().respondent, education: 'S4' } }),
        'respondent.education',
      ],
      ['a comment over 1000 characters', () => survey({ comment: 'a'.repeat(1001) }), 'comment'],
      ['a comment that is an object', () => survey({ comment: { text: 'x' } }), 'comment'],
      ['an unknown unit', () => survey({ unitCode: 'PKM-TIDAK-ADA' }), 'unitCode'],
      ['a service of another unit', () => survey({ serviceCode: 'GIGI' }), 'serviceCode'],
      ['a counter the unit does not have', () => survey({ counter: 'L9' }), 'counter'],
      ['a malformed NIP', () => survey({ officerNip: '12345' }), 'officerNip'],
      ['an unknown officer reference', () => survey({ officerRef: 'tidak-ada-ref' }), 'officerRef'],
    ];
    for (const [what, body, field] of cases) {
      it(`${what} → 400 naming ${field}`, async () => {
        const response = await request(app).post('/api/v1/surveys').send(body()).expect(400);
        expect(response.body.error.code).to.equal('validation');
        expect(response.body.error.fields).to.have.property(field).that.is.a('string').and.not.empty;
        expect(await SurveyResponse.countDocuments()).to.equal(0);
      });
    }

    it('answers in the request’s language, with field paths', async () => {
      const response = await request(app)
        .post('/api/v1/surveys')
        .set('Accept-Language', 'en')
        .send(survey({ answers: [4, 3, 3, 5, 3, 4, 4, 3, 3], unitCode: 'pkm-kebunhandil' }))
        .expect(400);
      expect(response.body.error).to.deep.equal({
        code: 'validation',
        message: 'Some of the data sent is not right.',
        fields: { 'answers.3': 'At most 4.' },
      });
      const count = await request(app)
        .post('/api/v1/surveys')
        .send(survey({ answers: [4, 4, 4] }))
        .expect(400);
      expect(count.body.error.fields.answers).to.equal(
        'Jawab kesembilan pertanyaan, masing-masing dengan nilai 1 sampai 4.',
      );
    });

    it('a 10 MB body → 413, malformed JSON → 400, a plain-text body → 400', async () => {
      const huge = JSON.stringify(survey({ comment: 'x'.repeat(10 * 1024 * 1024) }));
      await request(app).post('/api/v1/surveys').set('Content-Type', 'application/json').send(huge).expect(413);
      const broken = await request(app)
        .post('/api/v1/surveys')
        .set('Content-Type', 'application/json')
        .send('{"unitCode": ')
        .expect(400);
      expect(broken.body.error.code).to.equal('validation');
      await request(app).post('/api/v1/surveys').set('Content-Type', 'text/plain').send('hello').expect(400);
      expect(await SurveyResponse.countDocuments()).to.equal(0);
    });
  });

  it('keeps a script in the comment as plain text, exactly as typed', async () => {
    const comment = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const response = await request(app).post('/api/v1/surveys').send(survey({ comment })).expect(201);
    expect((await SurveyResponse.findById(response.body.id).lean())!.comment).to.equal(comment);
  });

  it('refuses the same device for the same service within the visit window, and accepts a different device', async () => {
    const phone = request.agent(app);
    await phone.post('/api/v1/surveys').send(survey()).expect(201);
    const again = await phone
      .post('/api/v1/surveys')
      .set('Accept-Language', 'en')
      .send(survey({ answers: Array(9).fill(4) }))
      .expect(409);
    expect(again.body.error.code).to.equal('conflict');
    expect(again.body.error.message).to.equal(
      'This device already sent a rating for this service at Puskesmas Kebun Handil in the last 12 hours. One visit needs only one rating — thank you.',
    );
    expect(await SurveyResponse.countDocuments()).to.equal(1);

    // Another service of the same unit is another visit: accepted, with the repeat recorded as evidence.
    const other = await phone
      .post('/api/v1/surveys')
      .send(survey({ serviceCode: 'KIA' }))
      .expect(201);
    const kia = (await SurveyResponse.findById(other.body.id).lean())!;
    expect(kia.integrity!.flags).to.include('repeat_device');
    expect(kia.integrity!.flags).not.to.include('fresh_device');
    expect(kia.integrity!.sameDevice).to.equal(1);

    // Someone else's phone on the same network: accepted; the shared network is counted, not refused.
    const neighbour = await request.agent(app).post('/api/v1/surveys').send(survey()).expect(201);
    const third = (await SurveyResponse.findById(neighbour.body.id).lean())!;
    expect(third.integrity!.sameNetwork).to.equal(2);
    expect(third.integrity!.unitBurst).to.equal(2);
    expect(third.integrity!.networkHash).to.equal(kia.integrity!.networkHash);
    expect(await SurveyResponse.countDocuments()).to.equal(3);
  });

  it('makes one answer of a repeated Idempotency-Key (a double tap), and checks the key’s shape', async () => {
    const key = 'c0ffee00-1111-4222-8333-444455556666';
    const first = await request(app).post('/api/v1/surveys').set('Idempotency-Key', key).send(survey()).expect(201);
    const [second, third] = await Promise.all([
      request(app).post('/api/v1/surveys').set('Idempotency-Key', key).send(survey()).expect(201),
      request(app).post('/api/v1/surveys').set('Idempotency-Key', key).send(survey()).expect(201),
    ]);
    expect(second.body.id).to.equal(first.body.id);
    expect(third.body.id).to.equal(first.body.id);
    expect(second.headers['idempotent-replayed']).to.equal('true');
    expect(await SurveyResponse.countDocuments()).to.equal(1);

    const bad = await request(app).post('/api/v1/surveys').set('Idempotency-Key', 'x').send(survey()).expect(400);
    expect(bad.body.error.fields).to.have.keys('Idempotency-Key');
    expect(await SurveyResponse.countDocuments()).to.equal(1);
  });

  it('lets two taps racing from one device make exactly one answer', async () => {
    const phone = request.agent(app);
    await phone.get('/survey/PKM-KEBUNHANDIL').expect(200); // gets the device cookie
    const results = await Promise.all(
      [1, 2, 3].map(() => phone.post('/api/v1/surveys').send(survey({ serviceCode: 'KIA' }))),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409, 409]);
    expect(await SurveyResponse.countDocuments()).to.equal(1);
  });

  it('limits one device to a few answers an hour, saying so in the user’s language (429)', async () => {
    await resetRateLimits();
    const phone = request.agent(app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await phone.post('/api/v1/surveys').send(survey({ serviceCode: i % 2 ? 'KIA' : 'POLI-UMUM' }))).status,
      );
    expect(statuses.filter((status) => status === 429)).to.deep.equal([]);
    const limited = await phone.post('/api/v1/surveys').set('Accept-Language', 'en').send(survey()).expect(429);
    expect(limited.body.error).to.deep.equal({
      code: 'rate_limited',
      message: 'Too many requests. Please try again in a moment.',
    });
    expect(await SurveyResponse.countDocuments()).to.equal(2);
  });
});
