import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { toActor } from '../../src/modules/accounts/actors.js';
import { User } from '../../src/modules/accounts/model.js';
import { createUser } from '../../src/modules/accounts/service.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { localDate } from '../../src/platform/calendar.js';
import { setOpeningHours } from '../../src/modules/directory/opening-hours.js';
import { Kiosk } from '../../src/modules/kiosks/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { eventsSettled } from '../../src/platform/events.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { signIn, testApp } from '../helpers/app.js';
import { seedSurveyDirectory } from '../surveys/fixtures.js';

const ALL_TOP = Array(9).fill('4');
const MIXED = ['4', '3', '3', '4', '2', '4', '4', '3', '3'];

/** The hidden CSRF field of a rendered page. */
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const formTokenOf = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)![1]!;
const keyOf = (url: string) => new URL(url).searchParams.get('key')!;

/** One respondent at the kiosk: opens the survey page, answers, sends; returns the response. */
async function answerAtKiosk(
  agent: request.Agent,
  key: string,
  answers: string[],
  extra: Record<string, string> = {},
  status = 303,
) {
  const page = await agent.get(`/kiosk/survey?key=${key}`).expect(200);
  const fields: Record<string, string> = {
    _csrf: csrfOf(page.text),
    key,
    formToken: formTokenOf(page.text),
    ...Object.fromEntries(answers.map((value, index) => [`answer${index + 1}`, value])),
    ...extra,
  };
  return agent.post('/kiosk/survey').type('form').send(fields).expect(status);
}

describe('Counter kiosks', () => {
  useTestDatabase();
  let app: Express;
  let fixtures: Awaited<ReturnType<typeof seedSurveyDirectory>>;
  before(async () => {
    app = await testApp();
    fixtures = await seedSurveyDirectory();
  });
  beforeEach(async () => {
    await Promise.all([SurveyResponse.deleteMany({}), Kiosk.deleteMany({}), Ticket.deleteMany({}), resetRateLimits()]);
  });

  async function headOfKebunHandil() {
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'kepala.kebunhandil@suara.test');
    return { agent, csrf };
  }

  async function registered(counter?: string) {
    const { agent, csrf } = await headOfKebunHandil();
    const response = await agent
      .post('/api/v1/kiosks')
      .set('X-CSRF-Token', csrf)
      .send({ unitCode: 'PKM-KEBUNHANDIL', ...(counter ? { counter } : {}) })
      .expect(201);
    return { agent, csrf, id: response.body.id as string, url: response.body.url as string };
  }

  describe('registration, scope and revocation (API)', () => {
    it('lets the head of Kebun Handil register a kiosk for counter L1: 201 with an address whose secret is stored only as a hash, audited', async () => {
      const { id, url, agent } = await registered('L1');
      expect(url).to.match(/\/kiosk\?key=k_[\w-]{32}$/);
      const stored = (await Kiosk.findById(id).lean())!;
      expect(stored.counterCode).to.equal('L1');
      expect(JSON.stringify(stored)).not.to.include(keyOf(url));
      expect(await AuditEntry.countDocuments({ action: 'kiosk.register', target: id })).to.equal(1);
      // The admin of the Jambi province sees it too; the Ambon side is another agency.
      const admin = request.agent(app);
      await signIn(admin, 'admin.jambi@suara.test');
      expect((await admin.get('/api/v1/kiosks').expect(200)).body.map((k: { id: string }) => k.id)).to.deep.equal([id]);
      const list = await agent.get('/api/v1/kiosks').expect(200);
      expect(list.body).to.have.length(1);
      expect(list.body[0]).to.include({ id, unitCode: 'PKM-KEBUNHANDIL', counter: 'L1', active: true });
      expect(JSON.stringify(list.body)).not.to.include(keyOf(url));
    });

    it('refuses a head of another unit: 403 on registering for Kebun Handil, 404 on revoking its kiosk, and lists none of it', async () => {
      const { id } = await registered();
      const other = request.agent(app);
      await createPutriAyuHead();
      const csrf = await signIn(other, 'kepala.putriayu@suara.test');
      await other.post('/api/v1/kiosks').set('X-CSRF-Token', csrf).send({ unitCode: 'PKM-KEBUNHANDIL' }).expect(403);
      await other.delete(`/api/v1/kiosks/${id}`).set('X-CSRF-Token', csrf).expect(404);
      expect((await other.get('/api/v1/kiosks').expect(200)).body).to.deep.equal([]);
      expect((await Kiosk.findById(id).lean())!.revokedAt).to.equal(null);
      // A handler has no kiosks at all.
      const handler = request.agent(app);
      await signIn(handler, 'petugas@suara.test');
      await handler.get('/api/v1/kiosks').expect(403);
    });

    it('answers 404 to forged ids and 400 in the request language to bad input, changing nothing', async () => {
      const { agent, csrf } = await headOfKebunHandil();
      for (const forged of ['000000000000000000000000', 'not-an-id', '$where', 'a'.repeat(500)])
        await agent
          .delete(`/api/v1/kiosks/${encodeURIComponent(forged)}`)
          .set('X-CSRF-Token', csrf)
          .expect(404);
      const wrongType = await agent
        .post('/api/v1/kiosks')
        .set('X-CSRF-Token', csrf)
        .set('Accept-Language', 'en')
        .send({ unitCode: { $gt: '' }, counter: 12 })
        .expect(400);
      expect(wrongType.body.error.code).to.equal('validation');
      expect(wrongType.body.error.fields).to.have.property('unitCode');
      const noCounter = await agent
        .post('/api/v1/kiosks')
        .set('X-CSRF-Token', csrf)
        .send({ unitCode: 'PKM-KEBUNHANDIL', counter: 'L9' })
        .expect(400);
      expect(noCounter.body.error.fields.counter).to.equal('Loket ini tidak ada di unit tersebut.');
      await agent.post('/api/v1/kiosks').send({ unitCode: 'PKM-KEBUNHANDIL' }).expect(403); // no CSRF token
      await request(app).post('/api/v1/kiosks').send({ unitCode: 'PKM-KEBUNHANDIL' }).expect(401);
      expect(await Kiosk.countDocuments()).to.equal(0);
    });

    it('stops the address at once when revoked: a clear 410 page, and its posts are refused', async () => {
      const { agent, csrf, id, url } = await registered();
      const key = keyOf(url);
      const kiosk = request.agent(app);
      const page = await kiosk.get(`/kiosk/survey?key=${key}`).expect(200);
      await agent.delete(`/api/v1/kiosks/${id}`).set('X-CSRF-Token', csrf).expect(200);
      const gone = await kiosk.get(`/kiosk?key=${key}`).expect(410);
      expect(gone.text).to.include('Kios ini sudah dicabut');
      await kiosk
        .post('/kiosk/survey')
        .type('form')
        .send({ _csrf: csrfOf(page.text), key, ...Object.fromEntries(MIXED.map((v, i) => [`answer${i + 1}`, v])) })
        .expect(410);
      expect(await SurveyResponse.countDocuments()).to.equal(0);
      expect(await AuditEntry.countDocuments({ action: 'kiosk.revoke', target: id })).to.equal(1);
      // An address nobody issued is a clear 404 page, in English when asked.
      const unknown = await request(app)
        .get('/kiosk?key=k_' + 'x'.repeat(32) + '&lang=en')
        .expect(404);
      expect(unknown.text).to.include('This kiosk address is not known');
    });
  });

  describe('the staff page (no JavaScript)', () => {
    it('registers, lists and revokes a kiosk through forms, the address shown once', async () => {
      const { agent, csrf } = await headOfKebunHandil();
      const page = await agent.get('/kiosks').expect(200);
      expect(page.text).to.include('Puskesmas Kebun Handil — Loket Pendaftaran');
      const created = await agent
        .post('/kiosks')
        .type('form')
        .send({ _csrf: csrf, place: 'PKM-KEBUNHANDIL|L1' })
        .expect(201);
      const url = /<code class="kiosk-url">([^<]+)<\/code>/.exec(created.text)![1]!.replace(/&#x3D;/g, '=');
      expect(url).to.match(/\/kiosk\?key=k_/);
      const again = await agent.get('/kiosks').expect(200);
      expect(again.text).not.to.include(keyOf(url));
      const id = String((await Kiosk.findOne().lean())!._id);
      await agent.post(`/kiosks/${id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
      expect((await agent.get('/kiosks').expect(200)).text).to.include('Kios dicabut. Alamatnya tidak berlaku lagi.');
      expect((await agent.get('/kiosks?lang=en').expect(200)).text).to.include('Revoked');
      // Another unit's place is refused with the reason beside the picker.
      const refused = await agent.post('/kiosks').type('form').send({ _csrf: csrf, place: 'NOPE|' }).expect(400);
      expect(refused.text).to.include('Unknown unit');
    });
  });

  describe('the kiosk takes respondents back to back', () => {
    it('accepts three answers in a row from one kiosk, one without a profile, each channel kiosk with the kiosk id', async () => {
      const { id, url } = await registered('L1');
      const key = keyOf(url);
      const tablet = request.agent(app);
      await answerAtKiosk(tablet, key, MIXED, { gender: 'female', ageBand: '30_39' });
      await answerAtKiosk(tablet, key, MIXED);
      const last = await answerAtKiosk(tablet, key, ALL_TOP, {
        gender: 'male',
        ageBand: '40_49',
        education: 'sma',
        occupation: 'other',
      });
      expect(last.headers.location).to.equal(`/kiosk/thanks?key=${key}&for=survey`);
      const thanks = await tablet.get(last.headers.location).expect(200);
      const html = thanks.text.replace(/&#x3D;/g, '=');
      expect(html).to.include(`content="6;url=/kiosk?key=${key}"`); // back to the start without JavaScript
      expect(html).to.include(`href="/kiosk?key=${key}"`);

      const answers = await SurveyResponse.find().sort({ submittedAt: 1 }).lean();
      expect(answers).to.have.length(3);
      for (const answer of answers) {
        expect(answer.channel).to.equal('kiosk');
        expect(String(answer.kioskId)).to.equal(id);
        expect(answer.counterCode).to.equal('L1');
      }
      expect(answers[0]!.respondent).to.deep.equal({ gender: 'female', ageBand: '30_39' });
      expect(answers[1]!.respondent ?? {}).to.deep.equal({});
      // The same tablet, no visit refusal; too close together for new people, which the flag records.
      expect(answers[1]!.integrity.flags).to.include('kiosk_pace');
      expect(answers[0]!.integrity.flags).not.to.include('kiosk_pace');
      expect(answers[1]!.integrity.flags).not.to.include('repeat_device');
      expect(answers[1]!.integrity.flags).not.to.include('fresh_device');
    });

    it("keeps the citizen's own form and the API requiring the profile", async () => {
      const response = await request(app)
        .post('/api/v1/surveys')
        .send({ unitCode: 'PKM-KEBUNHANDIL', answers: [4, 3, 3, 4, 3, 4, 4, 3, 3], respondent: {} })
        .expect(400);
      expect(response.body.error.fields).to.have.property('respondent.gender');
    });

    it('shows the survey again with a 400 when a question is unanswered or tampered with, and stores nothing', async () => {
      const { url } = await registered();
      const key = keyOf(url);
      const tablet = request.agent(app);
      const missing = await answerAtKiosk(tablet, key, MIXED.slice(0, 8), {}, 400);
      expect(missing.text).to.include('Masih ada pertanyaan yang belum dijawab');
      await answerAtKiosk(tablet, key, [...MIXED.slice(0, 8), '9'], {}, 400);
      await answerAtKiosk(tablet, key, MIXED, { gender: 'robot', comment: '<script>alert(1)</script>' }, 400);
      await answerAtKiosk(tablet, key, MIXED, { serviceCode: 'NOPE' }, 400);
      await answerAtKiosk(tablet, key, MIXED, { comment: 'x'.repeat(5000) }, 400);
      const page = await tablet.get(`/kiosk/survey?key=${key}`).expect(200);
      await tablet
        .post('/kiosk/survey')
        .type('form')
        .send({ _csrf: csrfOf(page.text), key, comment: 'x'.repeat(200_000) })
        .expect(413);
      // Another kiosk's key in the form is no kiosk at all.
      await tablet
        .post('/kiosk/survey')
        .type('form')
        .send({ _csrf: csrfOf(page.text), key: 'k_' + 'A'.repeat(32) })
        .expect(404);
      expect(await SurveyResponse.countDocuments()).to.equal(0);
      // A hostile comment is kept as typed and escaped wherever it is shown.
      const hostile = await answerAtKiosk(tablet, key, MIXED, { comment: '<script>alert(1)</script>' });
      expect(hostile.status).to.equal(303);
      expect((await SurveyResponse.findOne().lean())!.comment).to.equal('<script>alert(1)</script>');
    });
  });

  describe('integrity rules of a kiosk', () => {
    it('flags the share of all-top answers once most of a kiosk’s recent answers are all-top', async () => {
      const { url } = await registered();
      const key = keyOf(url);
      const tablet = request.agent(app);
      for (let index = 0; index < 10; index++) await answerAtKiosk(tablet, key, ALL_TOP);
      const answers = await SurveyResponse.find().sort({ submittedAt: 1 }).lean();
      expect(answers[8]!.integrity.flags).not.to.include('kiosk_top_share'); // nine answers: too few to judge
      expect(answers[9]!.integrity.flags).to.include('kiosk_top_share');
      expect(answers[9]!.integrity).to.include({ kioskRecent: 10, kioskRecentAllTop: 10 });
    });

    it('flags answers taken outside the unit’s opening hours', async () => {
      const { url } = await registered();
      const today = localDate(new Date(), 'Asia/Jakarta');
      await setOpeningHours(fixtures.admin, 'PKM-KEBUNHANDIL', {
        weekly: [],
        exceptions: [{ date: today, open: null, close: null }],
      });
      try {
        await answerAtKiosk(request.agent(app), keyOf(url), MIXED);
        expect((await SurveyResponse.findOne().lean())!.integrity.flags).to.include('outside_hours');
      } finally {
        await setOpeningHours(fixtures.admin, 'PKM-KEBUNHANDIL', { weekly: [], exceptions: [] });
      }
    });
  });

  describe('beside the IKM', () => {
    it('shows the kiosk flags with the others and a per-kiosk table: answers too close together and the all-top share', async () => {
      const { agent, url } = await registered('L1');
      const key = keyOf(url);
      const today = localDate(new Date(), 'Asia/Jakarta');
      const ikmPage = async () => {
        await eventsSettled();
        const page = await agent
          .get(`/analytics/ikm?unitCode=PKM-KEBUNHANDIL&from=${today}&to=${today}&lang=en`)
          .expect(200);
        return page.text.replace(/&#x27;/g, "'");
      };
      // The flags are counted in the day's rollups, which earlier specs of this file added to: compare before and after.
      const flagCount = (html: string, label: string) =>
        Number(new RegExp(`${label}: <strong>(\\d+)</strong>`).exec(html)?.[1] ?? 0);
      const before = await ikmPage();
      const tablet = request.agent(app);
      for (let index = 0; index < 10; index++) await answerAtKiosk(tablet, key, ALL_TOP);
      await answerAtKiosk(tablet, key, MIXED);
      const html = await ikmPage();
      expect(
        flagCount(html, 'Kiosk: answers too close together') - flagCount(before, 'Kiosk: answers too close together'),
      ).to.equal(10);
      expect(flagCount(html, 'Kiosk: mostly best answers') - flagCount(before, 'Kiosk: mostly best answers')).to.equal(
        2,
      );
      const table = /<div class="kiosk-integrity"[\s\S]*?<\/table>/.exec(html)![0];
      expect(table).to.include('PKM-KEBUNHANDIL · L1');
      expect(table).to.match(/<td class="num"[^>]*>11<\/td>/);
      expect(table).to.include('<strong class="weak-flag">91%</strong> (10)');
    });
  });

  describe('a compliment in three taps', () => {
    it('files an anonymous compliment naming the officer, channel kiosk with the kiosk id', async () => {
      const { id, url } = await registered('L1');
      const key = keyOf(url);
      const tablet = request.agent(app);
      const who = await tablet.get(`/kiosk/compliment?key=${key}`).expect(200);
      expect(who.text).to.include('Siti Rahmawati');
      expect(who.text).not.to.include('198503152010012001'); // never a NIP
      expect(who.text).not.to.include('Budi Santoso'); // another unit's officer
      const what = await tablet.get(`/kiosk/compliment?key=${key}&officer=${fixtures.siti.ref}`).expect(200);
      const sent = await tablet
        .post('/kiosk/compliment')
        .type('form')
        .send({
          _csrf: csrfOf(what.text),
          key,
          officerRef: fixtures.siti.ref,
          points: 'harmonis',
          formToken: formTokenOf(what.text),
        })
        .expect(303);
      expect(sent.headers.location).to.equal(`/kiosk/thanks?key=${key}&for=compliment`);
      const ticket = (await Ticket.findOne().lean())!;
      expect(ticket).to.deep.include({ kind: 'compliment', channel: 'kiosk', privacy: 'anonymous', counterCode: 'L1' });
      expect(String(ticket.kioskId)).to.equal(id);
      expect(ticket.officerIds.map(String)).to.deep.equal([String(fixtures.siti._id)]);
      expect(ticket.description).to.include('Siti Rahmawati').and.include('Ramah dan menghargai');
    });

    it('makes a double tap one answer and one compliment', async () => {
      const { url } = await registered();
      const key = keyOf(url);
      const tablet = request.agent(app);
      const survey = await tablet.get(`/kiosk/survey?key=${key}`).expect(200);
      const answer = {
        _csrf: csrfOf(survey.text),
        key,
        formToken: formTokenOf(survey.text),
        ...Object.fromEntries(MIXED.map((value, index) => [`answer${index + 1}`, value])),
      };
      await Promise.all([1, 2].map(() => tablet.post('/kiosk/survey').type('form').send(answer).expect(303)));
      expect(await SurveyResponse.countDocuments()).to.equal(1);
      const what = await tablet.get(`/kiosk/compliment?key=${key}&officer=${fixtures.siti.ref}`).expect(200);
      const compliment = {
        _csrf: csrfOf(what.text),
        key,
        officerRef: fixtures.siti.ref,
        points: ['kompeten', 'adaptif'],
        formToken: formTokenOf(what.text),
      };
      for (let tap = 0; tap < 2; tap++)
        await tablet.post('/kiosk/compliment').type('form').send(compliment).expect(303);
      expect(await Ticket.countDocuments()).to.equal(1);
    });

    it('refuses an officer of another unit, no point chosen, or a forged point, and files nothing', async () => {
      const { url } = await registered();
      const key = keyOf(url);
      const tablet = request.agent(app);
      const page = await tablet.get(`/kiosk/compliment?key=${key}&officer=${fixtures.siti.ref}`).expect(200);
      const post = (fields: Record<string, unknown>) =>
        tablet
          .post('/kiosk/compliment')
          .type('form')
          .send({ _csrf: csrfOf(page.text), key, ...fields });
      const other = await post({ officerRef: fixtures.budi.ref, points: 'harmonis' }).expect(400);
      expect(other.text).to.include('Petugas ini tidak ada di unit ini');
      const none = await post({ officerRef: fixtures.siti.ref }).expect(400);
      expect(none.text).to.include('Pilih paling sedikit satu hal yang baik');
      await post({ officerRef: fixtures.siti.ref, points: 'bribe' }).expect(400);
      await post({ officerRef: '<img src=x>', points: 'harmonis' }).expect(400);
      expect(await Ticket.countDocuments()).to.equal(0);
    });
  });
});

async function createPutriAyuHead() {
  if (await User.exists({ email: 'kepala.putriayu@suara.test' })) return;
  const root = (await User.findOne({ email: 'root@suara.test' }))!;
  await createUser(toActor(root), {
    email: 'kepala.putriayu@suara.test',
    name: 'kepala.putriayu',
    password: 'rahasia-sekali-123',
    role: 'unit_head',
    unitCode: 'PKM-PUTRIAYU',
  });
}
