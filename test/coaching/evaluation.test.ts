import { expect } from 'chai';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express } from 'express';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import request from 'supertest';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { FeedItem } from '../../src/modules/coaching/record/feed-model.js';
import { periodOf } from '../../src/modules/coaching/evaluations/periods.js';
import { berakhlakValues, Evaluation } from '../../src/modules/coaching/evaluations/model.js';
import { Finding } from '../../src/modules/feedback/model.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { coachingWorld, findingAbout, complaintAbout, JOHANIS, SITI, type Signed } from './work-helpers.js';

const standardFontDataUrl =
  path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

async function pdfText(pdf: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(pdf), standardFontDataUrl, verbosity: 0 }).promise;
  let text = '';
  for (let number = 1; number <= doc.numPages; number++) {
    const content = await (await doc.getPage(number)).getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join('');
  }
  await doc.destroy();
  return text.replace(/\s+/g, ' ');
}

/** A Buffer body for binary responses (supertest leaves PDFs unparsed otherwise). */
const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const allValues = (rating: string, reason = 'Sesuai pengamatan') =>
  Object.fromEntries(berakhlakValues.map((value) => [value, { rating, reason }]));

describe('Periodic evaluations: draft, rate, sign, version, export', () => {
  useTestDatabase();
  let app: Express;
  let coach: Signed;
  let farCoach: Signed;
  let siteHead: Signed;
  let head: Signed;
  let handler: Signed;
  let siti: Signed;
  let admin: Signed;

  before(async function () {
    this.timeout(30_000);
    const world = await coachingWorld();
    app = world.app;
    coach = await world.as('pembina.dinkes@suara.test');
    farCoach = await world.as('pembina.ambon@suara.test');
    siteHead = await world.as('kepala.kebunhandil@suara.test');
    head = await world.as('kepala.dinkes@suara.test');
    handler = await world.as('petugas@suara.test');
    siti = await world.as('siti@suara.test');
    admin = await world.as('admin.jambi@suara.test');
  });
  beforeEach(resetRateLimits);

  const post = (who: Signed, url: string, body: object = {}) =>
    who.agent.post(url).set('X-CSRF-Token', who.csrf).send(body);
  const patch = (who: Signed, url: string, body: object) =>
    who.agent.patch(url).set('X-CSRF-Token', who.csrf).send(body);

  async function rateAll(id: string, revision: number, results = 'above', values = 'above') {
    return (
      await patch(coach, `/api/v1/evaluations/${id}`, {
        revision,
        results: { rating: results, reason: 'Target layanan tercapai' },
        values: allValues(values),
      }).expect(200)
    ).body;
  }

  it('drafts the current period from its figures, with the substantiated findings as evidence and never a bare complaint', async () => {
    const substantiated = await findingAbout(app, head, SITI, 'substantiated');
    const dismissed = await findingAbout(app, head, SITI, 'not_substantiated');
    const allegation = await complaintAbout(app, SITI);
    const draft = (await post(coach, `/api/v1/officers/${SITI}/evaluations`).expect(201)).body;
    expect(draft).to.include({ status: 'draft', version: 1, predikat: null });
    expect(draft.period.kind).to.equal('quarterly');
    expect(draft.officer).to.include({ nip: SITI, name: 'Siti Rahmawati' });
    const codes = draft.evidence.map((item: { code: string }) => item.code);
    expect(codes).to.deep.equal([substantiated]);
    expect(codes).not.to.include(dismissed);
    expect(codes).not.to.include(allegation);
    const finding = (await Finding.findOne({ code: substantiated }).lean())!;
    expect(draft.evidence[0].findingId).to.equal(String(finding._id));
    expect(draft.figures).to.have.property('sessionsHeld');
    expect(draft.figures.training).to.include({ target: 20 });
    // One evaluation per period: a second draft is a conflict.
    await post(coach, `/api/v1/officers/${SITI}/evaluations`).expect(409);
  });

  it('rates, derives the predikat, signs (locking it) and versions a change after signing', async () => {
    const draft = (await post(coach, `/api/v1/officers/${SITI}/evaluations`, { year: 2025, part: 2 }).expect(201)).body;
    expect(draft.period).to.include({ key: '2025-Q2', fromDate: '2025-04-01', toDate: '2025-06-30' });
    // Signing an incomplete draft: 400 naming what is missing.
    const incomplete = (
      await post(coach, `/api/v1/evaluations/${draft.id}/sign`, { revision: draft.revision }).expect(400)
    ).body;
    expect(incomplete.error.fields).to.have.property('results.rating');
    expect(incomplete.error.fields).to.have.property('values.loyal.reason');

    const rated = await rateAll(draft.id, draft.revision);
    expect(rated).to.include({ behaviour: 'above', predikat: 'Sangat Baik' });
    // A stale revision is refused.
    await patch(coach, `/api/v1/evaluations/${draft.id}`, {
      revision: draft.revision,
      results: { rating: 'below' },
    }).expect(409);
    const one = (
      await patch(coach, `/api/v1/evaluations/${draft.id}`, {
        revision: rated.revision,
        values: { harmonis: { rating: 'below', reason: 'Dua keluhan sikap terbukti' } },
      }).expect(200)
    ).body;
    expect(one).to.include({ behaviour: 'below', predikat: 'Kurang / Misconduct' });

    const signed = (await post(coach, `/api/v1/evaluations/${draft.id}/sign`, { revision: one.revision }).expect(200))
      .body;
    expect(signed).to.include({ status: 'signed', signedBy: 'Pembina Dinkes', predikat: 'Kurang / Misconduct' });
    // Locked: any direct change is 409, signing again too.
    const refused = (
      await patch(coach, `/api/v1/evaluations/${draft.id}`, {
        revision: signed.revision,
        results: { rating: 'below' },
      }).expect(409)
    ).body;
    expect(refused.error.message).to.include('terkunci');
    await post(coach, `/api/v1/evaluations/${draft.id}/sign`, { revision: signed.revision }).expect(409);
    const item = await FeedItem.findOne({ type: 'evaluation', sourceId: draft.id }).lean();
    expect(item?.data).to.include({ predikat: 'Kurang / Misconduct', version: 1, superseded: false });

    // A change after signing: version 2, linked to version 1, which is kept.
    const v2 = (await post(coach, `/api/v1/evaluations/${draft.id}/versions`).expect(201)).body;
    expect(v2).to.include({ version: 2, previousId: draft.id, status: 'draft', predikat: 'Kurang / Misconduct' });
    await post(coach, `/api/v1/evaluations/${draft.id}/versions`).expect(409); // one n + 1 only
    const v2rated = (
      await patch(coach, `/api/v1/evaluations/${v2.id}`, {
        revision: v2.revision,
        values: { harmonis: { rating: 'as_expected', reason: 'Temuan kedua ternyata keliru' } },
      }).expect(200)
    ).body;
    expect(v2rated.predikat).to.equal('Sangat Baik');
    const v2signed = (
      await post(coach, `/api/v1/evaluations/${v2.id}/sign`, { revision: v2rated.revision }).expect(200)
    ).body;
    expect(v2signed.status).to.equal('signed');
    const v1 = (await coach.agent.get(`/api/v1/evaluations/${draft.id}`).expect(200)).body;
    expect(v1).to.include({ status: 'superseded', supersededBy: v2.id, predikat: 'Kurang / Misconduct' });
    expect(
      v1.versions.map((version: { version: number; status: string }) => [version.version, version.status]),
    ).to.deep.equal([
      [1, 'superseded'],
      [2, 'signed'],
    ]);
    expect(await Evaluation.countDocuments({ officerId: signed.officer.id, 'period.key': '2025-Q2' })).to.equal(2);
    // A superseded version can neither change nor branch.
    await patch(coach, `/api/v1/evaluations/${draft.id}`, {
      revision: v1.revision,
      results: { rating: 'above' },
    }).expect(409);
    await post(coach, `/api/v1/evaluations/${draft.id}/versions`).expect(409);
    // Both signed versions are on the record; the old one marked superseded.
    const items = await FeedItem.find({ type: 'evaluation' }).lean();
    const byId = new Map(items.map((entry) => [String(entry.sourceId), entry.data as Record<string, unknown>]));
    expect(byId.get(draft.id)).to.include({ superseded: true, supersededBy: v2.id });
    expect(byId.get(v2.id)).to.include({ version: 2, predikat: 'Sangat Baik' });
  });

  it('exports the evaluation as a PDF (officer name, NIP, predikat, signer) and as CSV', async () => {
    const draft = (await post(coach, `/api/v1/officers/${SITI}/evaluations`, { year: 2025, part: 3 }).expect(201)).body;
    const rated = await rateAll(draft.id, draft.revision, 'below', 'as_expected');
    expect(rated.predikat).to.equal('Butuh Perbaikan');
    await post(coach, `/api/v1/evaluations/${draft.id}/sign`, { revision: rated.revision }).expect(200);
    const pdf = await coach.agent.get(`/coaching/evaluations/${draft.id}.pdf`).buffer(true).parse(binary).expect(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    const text = await pdfText(pdf.body as Buffer);
    expect(text).to.include('Siti Rahmawati');
    expect(text).to.include(SITI);
    expect(text).to.include('Butuh Perbaikan');
    expect(text).to.include('Pembina Dinkes');
    expect(text).to.include('Puskesmas Kebun Handil');
    expect(text).to.include('Triwulan III 2025');
    const csv = await coach.agent.get(`/coaching/evaluations/${draft.id}.csv`).expect(200);
    expect(csv.headers['content-type']).to.include('text/csv');
    expect(csv.text).to.include('predikat,Butuh Perbaikan');
    expect(csv.text).to.include('results,below,Target layanan tercapai');
    expect(csv.text).to.include(`nip,${SITI}`);
    expect(await AuditEntry.countDocuments({ action: 'coaching.evaluation.export', target: SITI })).to.equal(2);
  });

  it('prints the evaluation on the agency letterhead with signature blocks, marked DRAF across every page until signed', async () => {
    const draft = (await post(coach, `/api/v1/officers/${SITI}/evaluations`, { year: 2021, part: 1 }).expect(201)).body;
    const draftPdf = await coach.agent.get(`/coaching/evaluations/${draft.id}.pdf`).buffer(true).parse(binary);
    const draftText = await pdfText(draftPdf.body as Buffer);
    expect(draftText).to.include('PEMERINTAH PROVINSI JAMBI');
    expect(draftText).to.include('Pejabat penilai kinerja');
    expect(draftText).to.include('Pegawai yang dinilai');
    expect(draftText).to.include(`NIP ${SITI}`);
    expect(draftText).to.include('DRAF');
    const rated = await rateAll(draft.id, draft.revision, 'as_expected', 'as_expected');
    await post(coach, `/api/v1/evaluations/${draft.id}/sign`, { revision: rated.revision }).expect(200);
    const signed = await coach.agent.get(`/coaching/evaluations/${draft.id}.pdf`).buffer(true).parse(binary);
    const signedText = await pdfText(signed.body as Buffer);
    expect(signedText).to.include('PEMERINTAH PROVINSI JAMBI');
    expect(signedText).not.to.include('DRAF');
    const english = await coach.agent
      .get(`/coaching/evaluations/${draft.id}.pdf`)
      .set('Accept-Language', 'en')
      .buffer(true)
      .parse(binary);
    expect(await pdfText(english.body as Buffer)).to.include('Performance assessor');
  });

  it('scopes evaluations: coach out of scope 403, unit head reads only, the officer reads own signed ones, handler none', async () => {
    const draft = (await post(coach, `/api/v1/officers/${SITI}/evaluations`, { year: 2024, part: 4 }).expect(201)).body;
    await post(farCoach, `/api/v1/officers/${SITI}/evaluations`, { year: 2024, part: 3 }).expect(403);
    await post(siteHead, `/api/v1/officers/${SITI}/evaluations`, { year: 2024, part: 3 }).expect(403);
    await post(siti, `/api/v1/officers/${SITI}/evaluations`, { year: 2024, part: 3 }).expect(403);
    await post(handler, `/api/v1/officers/${SITI}/evaluations`, { year: 2024, part: 3 }).expect(403);
    await post(coach, `/api/v1/officers/${JOHANIS}/evaluations`, { year: 2024, part: 3 }).expect(403);

    await siteHead.agent.get(`/api/v1/evaluations/${draft.id}`).expect(200);
    await patch(siteHead, `/api/v1/evaluations/${draft.id}`, {
      revision: draft.revision,
      results: { rating: 'above' },
    }).expect(403);
    await farCoach.agent.get(`/api/v1/evaluations/${draft.id}`).expect(403);
    await handler.agent.get(`/api/v1/evaluations/${draft.id}`).expect(403);
    // The officer does not see drafts; once signed, she reads it and its PDF, but cannot change or sign it.
    await siti.agent.get(`/api/v1/evaluations/${draft.id}`).expect(404);
    expect((await siti.agent.get(`/api/v1/officers/${SITI}/evaluations`).expect(200)).body.items).to.have.length(
      await Evaluation.countDocuments({ status: { $ne: 'draft' } }),
    );
    const rated = await rateAll(draft.id, draft.revision, 'as_expected', 'as_expected');
    await post(siti, `/api/v1/evaluations/${draft.id}/sign`, { revision: rated.revision }).expect(403);
    await post(coach, `/api/v1/evaluations/${draft.id}/sign`, { revision: rated.revision }).expect(200);
    const own = (await siti.agent.get(`/api/v1/evaluations/${draft.id}`).expect(200)).body;
    expect(own).to.include({ predikat: 'Baik', canWrite: false });
    await siti.agent.get(`/coaching/evaluations/${draft.id}.pdf`).expect(200);
    await post(siti, `/api/v1/evaluations/${draft.id}/versions`).expect(403);
    await farCoach.agent.get(`/coaching/evaluations/${draft.id}.pdf`).expect(403);
    await coach.agent.get('/api/v1/evaluations/000000000000000000000000').expect(404);
  });

  it('refuses bad input with 400 in the request language', async () => {
    const bad = (
      await coach.agent
        .post(`/api/v1/officers/${SITI}/evaluations`)
        .set('X-CSRF-Token', coach.csrf)
        .set('Accept-Language', 'en')
        .send({ year: 2025, part: 9 })
        .expect(400)
    ).body;
    expect(bad.error.code).to.equal('validation');
    expect(bad.error.fields.part).to.be.a('string');
    const draft = (await post(coach, `/api/v1/officers/${SITI}/evaluations`, { year: 2023, part: 1 }).expect(201)).body;
    const rating = (
      await coach.agent
        .patch(`/api/v1/evaluations/${draft.id}`)
        .set('X-CSRF-Token', coach.csrf)
        .set('Accept-Language', 'id')
        .send({ revision: draft.revision, results: { rating: 'excellent' } })
        .expect(400)
    ).body;
    expect(rating.error.fields['results.rating']).to.be.a('string');
  });

  it('follows the agency’s evaluation period (quarterly by default; semester once the admin sets it)', async () => {
    await coach.agent
      .put('/api/v1/agencies/JAMBI/coaching-settings')
      .set('X-CSRF-Token', coach.csrf)
      .send({ evaluationPeriod: 'semester' })
      .expect(403);
    await admin.agent
      .put('/api/v1/agencies/JAMBI-DINKES/coaching-settings')
      .set('X-CSRF-Token', admin.csrf)
      .send({ evaluationPeriod: 'semester' })
      .expect(404); // not an agency
    await admin.agent
      .put('/api/v1/agencies/JAMBI/coaching-settings')
      .set('X-CSRF-Token', admin.csrf)
      .send({ evaluationPeriod: 'yearly' })
      .expect(400);
    await admin.agent
      .put('/api/v1/agencies/JAMBI/coaching-settings')
      .set('X-CSRF-Token', admin.csrf)
      .send({ evaluationPeriod: 'semester' })
      .expect(200);
    expect((await admin.agent.get('/api/v1/agencies/JAMBI/coaching-settings').expect(200)).body).to.include({
      evaluationPeriod: 'semester',
    });
    const page = await admin.agent.get('/coaching/agencies/JAMBI/settings').expect(200);
    expect(page.text).to.include('value="semester" selected');
    await coach.agent.get('/coaching/agencies/JAMBI/settings').expect(403);
    await admin.agent
      .post('/coaching/agencies/JAMBI/settings')
      .type('form')
      .send({ _csrf: admin.csrf, evaluationPeriod: 'annual' })
      .expect(303);
    expect(
      (await admin.agent.get('/api/v1/agencies/JAMBI/coaching-settings').expect(200)).body.evaluationPeriod,
    ).to.equal('annual');
    await admin.agent
      .put('/api/v1/agencies/JAMBI/coaching-settings')
      .set('X-CSRF-Token', admin.csrf)
      .send({ evaluationPeriod: 'semester' })
      .expect(200);
    const semester = (await post(coach, `/api/v1/officers/${SITI}/evaluations`, { year: 2022, part: 2 }).expect(201))
      .body;
    expect(semester.period).to.include({
      kind: 'semester',
      key: '2022-S2',
      fromDate: '2022-07-01',
      toDate: '2022-12-31',
    });
    await post(coach, `/api/v1/officers/${SITI}/evaluations`, { year: 2022, part: 3 }).expect(400);
    // Period bounds are the agency's local days: Q1 in WIT starts at 15:00 UTC on 31 December.
    const wit = periodOf('quarterly', 2026, 1, 'Asia/Jayapura');
    expect(wit.from.toISOString()).to.equal('2025-12-31T15:00:00.000Z');
    expect(wit.to.toISOString()).to.equal('2026-03-31T14:59:59.999Z');
  });

  it('drafts, rates and signs through the pages, and shows the predikat', async () => {
    const created = await coach.agent
      .post(`/coaching/officers/${SITI}/evaluations`)
      .type('form')
      .send({ _csrf: coach.csrf, year: '2021', part: '1' })
      .expect(303);
    const url = created.headers.location!;
    const page = await coach.agent.get(url).expect(200);
    expect(page.text).to.include('name="rating_results"');
    const revision = /name="revision" value="(\d+)"/.exec(page.text)![1];
    const form: Record<string, string> = {
      _csrf: coach.csrf,
      revision: revision!,
      rating_results: 'as_expected',
      reason_results: 'Sesuai target',
    };
    for (const value of berakhlakValues)
      Object.assign(form, { [`rating_${value}`]: 'above', [`reason_${value}`]: 'Baik' });
    delete form.reason_loyal;
    const missing = await coach.agent.post(`${url}/sign`).type('form').send(form).expect(400);
    expect(missing.text).to.include('Tulis alasan singkat.');
    const again = await coach.agent.get(url).expect(200);
    form.revision = /name="revision" value="(\d+)"/.exec(again.text)![1]!;
    form.reason_loyal = 'Setia pada tugas';
    await coach.agent.post(`${url}/sign`).type('form').send(form).expect(303);
    const signed = await coach.agent.get(url).expect(200);
    expect(signed.text).to.include('Baik');
    expect(signed.text).to.include('Ditandatangani');
    expect(signed.text).not.to.include('name="rating_results"');
  });
});
