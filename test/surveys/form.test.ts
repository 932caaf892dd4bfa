import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { SurveyResponse, SurveyVisit } from '../../src/modules/surveys/model.js';
import { issueFormToken } from '../../src/modules/surveys/service.js';
import { useTestDatabase, resetRateLimits } from '../helpers/db.js';
import { testApp } from '../helpers/app.js';
import { seedSurveyDirectory, setCookieLine } from './fixtures.js';

const hidden = (html: string, name: string) =>
  html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&#x3D;/g, '=') ?? '';

/** Opens the survey page like a phone would and returns the agent with what the form carries. */
async function openForm(app: Express, query = '', agent = request.agent(app)) {
  const page = await agent.get(`/survey/PKM-KEBUNHANDIL${query}`).expect(200);
  return { agent, page, csrf: hidden(page.text, '_csrf'), formToken: hidden(page.text, 'formToken') };
}

const completeAnswers = { answer1: '4', answer2: '3', answer3: '2', answer4: '4', answer5: '3', answer6: '4' };
const completeForm = {
  ...completeAnswers,
  answer7: '4',
  answer8: '3',
  answer9: '3',
  serviceCode: 'POLI-UMUM',
  gender: 'male',
  ageBand: '40_49',
  education: 'd4_s1',
  occupation: 'civil_servant',
  comment: 'Ruang tunggu sejuk.',
};

describe('The survey page /survey/:unitCode, without JavaScript', () => {
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

  it('asks the 9 questions of PermenPANRB 14/2017 in order, each with its 4 standard answers', async () => {
    const { page } = await openForm(app);
    const html = page.text;
    const legends = [...html.matchAll(/<span class="survey-qnum">Pertanyaan (\d) dari 9 · ([^<]+)<\/span>/g)];
    expect(legends.map((m) => m[2])).to.deep.equal([
      'Persyaratan',
      'Sistem, mekanisme, dan prosedur',
      'Waktu penyelesaian',
      'Biaya/tarif',
      'Produk spesifikasi jenis pelayanan',
      'Kompetensi pelaksana',
      'Perilaku pelaksana',
      'Penanganan pengaduan, saran dan masukan',
      'Sarana dan prasarana',
    ]);
    expect(html.match(/<fieldset class="survey-question/g)).to.have.length(9);
    expect(html.match(/type="radio" name="answer\d"/g)).to.have.length(36);
    const labels = (n: number) =>
      [
        ...html.matchAll(
          new RegExp(
            `name="answer${n}" value="\\d"[^>]*>\\s*<span><b class="survey-score">\\d</b> ([^<]+)</span>`,
            'g',
          ),
        ),
      ].map((m) => m[1]);
    expect(labels(1)).to.deep.equal(['Tidak sesuai', 'Kurang sesuai', 'Sesuai', 'Sangat sesuai']);
    expect(labels(3)).to.deep.equal(['Tidak cepat', 'Kurang cepat', 'Cepat', 'Sangat cepat']);
    expect(labels(4)).to.deep.equal(['Sangat mahal', 'Cukup mahal', 'Murah', 'Gratis']);
    expect(labels(7)).to.deep.equal([
      'Tidak sopan dan ramah',
      'Kurang sopan dan ramah',
      'Sopan dan ramah',
      'Sangat sopan dan ramah',
    ]);
    expect(labels(8)).to.deep.equal([
      'Tidak ada',
      'Ada tetapi tidak berfungsi',
      'Berfungsi kurang maksimal',
      'Dikelola dengan baik',
    ]);
    // The respondent profile.
    expect(html).to.include('value="male"').and.include('Laki-laki').and.include('Perempuan');
    for (const education of ['SD', 'SMP', 'D1–D3', 'D4/S1', 'S2', 'S3'])
      expect(html).to.include(`>${education}</option>`);
    for (const occupation of ['PNS', 'TNI', 'POLRI', 'Wirausaha', 'Pelajar/mahasiswa', 'Lainnya'])
      expect(html).to.include(`>${occupation}</option>`);
    expect(html).to.include('<textarea id="comment" name="comment" rows="4" maxlength="1000"');
  });

  it('is in English when asked, with faithful labels', async () => {
    const { page } = await openForm(app, '?lang=en');
    expect(page.text).to.include('Public satisfaction survey');
    expect(page.text).to.include('Question 3 of 9 · Completion time');
    for (const label of [
      'Not fast',
      'Not quite fast',
      'Very fast',
      'Very expensive',
      'Free of charge',
      'It is well managed',
    ])
      expect(page.text).to.include(label);
  });

  it('shows officers by name for the picker but never a NIP anywhere in the page source', async () => {
    const { page } = await openForm(app, `?service=POLI-UMUM&officer=${fixtures.siti.ref}&counter=L1`);
    expect(page.text).to.include(`<option value="${fixtures.siti.ref}" selected>Siti Rahmawati — Perawat</option>`);
    expect(page.text).not.to.include(fixtures.siti.nip);
    expect(page.text).not.to.match(/\d{18}/);
    expect(page.text).not.to.include('Budi Santoso'); // an officer of another unit
    // The QR link's choices arrive preselected.
    expect(page.text).to.include('<option value="POLI-UMUM" selected>Poli Umum</option>');
    expect(page.text).to.include('name="counter" value="L1"');
    expect(page.text).to.include('Loket Pendaftaran');
  });

  it('ignores QR choices the unit does not have instead of failing', async () => {
    const { page } = await openForm(app, `?service=GIGI&officer=${fixtures.budi.ref}&counter=L9`);
    expect(page.text).not.to.include(' selected>');
    expect(page.text).not.to.include('name="counter"');
  });

  it('gives the browser a long-lived, httpOnly, SameSite=Lax device cookie', async () => {
    const { page } = await openForm(app);
    const cookie = setCookieLine(page.headers['set-cookie'], 'suara.device')!;
    expect(cookie).to.match(/^suara\.device=[\w-]{43};/);
    expect(cookie)
      .to.match(/HttpOnly/)
      .and.match(/SameSite=Lax/)
      .and.match(/Max-Age=\d{8}/);
  });

  it('takes a plain form post, thanks the citizen, and keeps the evidence of the visit', async () => {
    const { agent, csrf } = await openForm(app);
    // A form rendered a minute ago (signed the same way the page does).
    const formToken = issueFormToken('PKM-KEBUNHANDIL', new Date(Date.now() - 60_000));
    const posted = await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, officerRef: fixtures.siti.ref, counter: 'L1', _csrf: csrf, formToken })
      .expect(303);
    expect(posted.headers.location).to.equal('/survey/PKM-KEBUNHANDIL/thanks');
    const thanks = await agent.get(posted.headers.location).expect(200);
    expect(thanks.text).to.include('Terima kasih');
    expect(thanks.text).to.include('Penilaian Anda untuk Puskesmas Kebun Handil sudah kami terima.');

    const stored = (await SurveyResponse.findOne().lean())!;
    expect(stored).to.deep.include({
      channel: 'form',
      serviceCode: 'POLI-UMUM',
      counterCode: 'L1',
      answers: [4, 3, 2, 4, 3, 4, 4, 3, 3],
      comment: 'Ruang tunggu sejuk.',
    });
    expect(stored.respondent).to.deep.equal({
      gender: 'male',
      ageBand: '40_49',
      education: 'd4_s1',
      occupation: 'civil_servant',
    });
    expect(String(stored.officerId)).to.equal(String(fixtures.siti._id));
    expect(stored.integrity!.secondsToComplete).to.be.within(59, 120);
    expect(stored.integrity!.flags).to.deep.equal([]); // a device cookie, a human pace, mixed answers
  });

  it('flags an answer sent seconds after the form appeared, and one whose rendered-at token was forged', async () => {
    const { agent, csrf, formToken } = await openForm(app);
    await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, _csrf: csrf, formToken })
      .expect(303);
    const fast = (await SurveyResponse.findOne().lean())!;
    expect(fast.integrity!.secondsToComplete).to.be.below(15);
    expect(fast.integrity!.flags).to.deep.equal(['too_fast']);

    const [nonce, , signature] = issueFormToken('PKM-KEBUNHANDIL').split('.');
    const backDated = `${nonce}.${(Date.now() - 3_600_000).toString(36)}.${signature}`;
    await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, serviceCode: 'KIA', _csrf: csrf, formToken: backDated })
      .expect(303);
    const forged = (await SurveyResponse.findOne({ serviceCode: 'KIA' }).lean())!;
    expect(forged.integrity!.secondsToComplete).to.equal(null);
    expect(forged.integrity!.flags).to.include.members(['no_form_token', 'repeat_device']);
  });

  it('shows each error beside its field, keeps everything typed, and stores nothing', async () => {
    const { agent, csrf, formToken } = await openForm(app);
    const comment = 'Antre lama <script>alert("x")</script> & "sekali"';
    const response = await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({
        ...completeAnswers,
        answer9: '2',
        education: 'sma',
        officerRef: fixtures.siti.ref,
        comment,
        _csrf: csrf,
        formToken,
      })
      .expect(400);
    const html = response.text;
    // Unanswered questions 7 and 8, and the missing service, sex, age and occupation, each beside its field.
    expect(html).to.include('Ada jawaban yang perlu dilengkapi.');
    for (const n of [7, 8])
      expect(html).to.match(
        new RegExp(
          `id="q-${n}" aria-describedby="q-${n}-error">[\\s\\S]*?<p class="field-error" id="q-${n}-error">Pilih salah satu jawaban.</p>`,
        ),
      );
    expect(html).not.to.include('id="q-1-error"');
    for (const field of ['serviceCode', 'gender', 'ageBand', 'occupation'])
      expect(html).to.include(`<p class="field-error" id="${field}-error">Wajib diisi.</p>`);
    expect(html).to.include('<a href="#q-7">7. Perilaku pelaksana: Pilih salah satu jawaban.</a>');
    // Nothing lost: the chosen answers, profile, officer and comment are all still there (escaped).
    expect(html).to.match(/name="answer3" value="2" checked/);
    expect(html).to.match(/name="answer9" value="2" checked/);
    expect(html).to.include('<option value="sma" selected>');
    expect(html).to.include(`<option value="${fixtures.siti.ref}" selected>`);
    expect(html).to.include(
      'Antre lama &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;sekali&quot;</textarea>',
    );
    expect(html).not.to.include('<script>alert');
    // The same rendered-at token, so the correction does not reset the time to complete.
    expect(hidden(html, 'formToken')).to.equal(formToken);
    expect(await SurveyResponse.countDocuments()).to.equal(0);

    // Completing it stores the comment as the text typed.
    await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, comment, _csrf: csrf, formToken })
      .expect(303);
    expect((await SurveyResponse.findOne().lean())!.comment).to.equal(comment);
  });

  it('answers in English when the citizen chose English', async () => {
    const { agent, csrf, formToken } = await openForm(app, '?lang=en');
    const response = await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, answer2: '', _csrf: csrf, formToken })
      .expect(400);
    expect(response.text).to.include('<p class="field-error" id="q-2-error">Choose one answer.</p>');
    const done = await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, _csrf: csrf, formToken })
      .expect(303);
    const thanks = await agent.get(done.headers.location).expect(200);
    expect(thanks.text).to.include('We have received your rating for Puskesmas Kebun Handil.');
  });

  it('makes one answer of a double tap, and kindly refuses a second visit from the same phone', async () => {
    const { agent, csrf, formToken } = await openForm(app);
    const form = { ...completeForm, _csrf: csrf, formToken };
    const taps = await Promise.all([1, 2].map(() => agent.post('/survey/PKM-KEBUNHANDIL').type('form').send(form)));
    expect(taps.map((tap) => tap.status)).to.deep.equal([303, 303]);
    expect(taps.map((tap) => tap.headers.location)).to.deep.equal(Array(2).fill('/survey/PKM-KEBUNHANDIL/thanks'));
    expect(await SurveyResponse.countDocuments()).to.equal(1);

    // Later the same phone opens a new form for the same service.
    const again = await openForm(app, '', agent);
    const refused = await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, _csrf: again.csrf, formToken: again.formToken })
      .expect(409);
    expect(refused.text).to.include('Anda sudah mengisi survei ini');
    expect(refused.text).to.include('dalam 12 jam terakhir');
    expect(await SurveyResponse.countDocuments()).to.equal(1);

    // A neighbour's phone is another device.
    const neighbour = await openForm(app);
    await neighbour.agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, _csrf: neighbour.csrf, formToken: neighbour.formToken })
      .expect(303);
    expect(await SurveyResponse.countDocuments()).to.equal(2);
  });

  it('refuses a form post without its CSRF token, and unknown units with a 404 page', async () => {
    const { agent, formToken } = await openForm(app);
    await agent
      .post('/survey/PKM-KEBUNHANDIL')
      .type('form')
      .send({ ...completeForm, formToken })
      .expect(403);
    expect(await SurveyResponse.countDocuments()).to.equal(0);
    const missing = await request(app).get('/survey/PKM-TIDAK-ADA').expect(404);
    expect(missing.headers['content-type']).to.match(/html/);
    await request(app).get('/survey/PKM-TIDAK-ADA/thanks').expect(404);
    await request(app).get('/survey/%3Cscript%3E').expect(404);
  });
});
