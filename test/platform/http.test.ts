import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';

describe('HTTP behaviour every client relies on', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });

  it('answers /healthz and /readyz while the database is up', async () => {
    expect((await request(app).get('/healthz').expect(200)).body).to.deep.equal({ status: 'ok' });
    expect((await request(app).get('/readyz').expect(200)).body.status).to.equal('ok');
  });

  it('lists units publicly with parent, agency, time zone and services', async () => {
    const units = (await request(app).get('/api/v1/units').expect(200)).body as Record<string, unknown>[];
    const byCode = Object.fromEntries(units.map((unit) => [unit.code, unit]));
    expect(byCode.JAMBI).to.include({ parentCode: null, agencyCode: 'JAMBI', timeZone: 'Asia/Jakarta' });
    expect(byCode['PKM-KEBUNHANDIL']).to.include({
      parentCode: 'JAMBI-DINKES',
      agencyCode: 'JAMBI',
      timeZone: 'Asia/Jakarta',
    });
    expect(byCode['AMB-DUKCAPIL']).to.include({ parentCode: 'AMBON', timeZone: 'Asia/Jayapura' });
    expect(byCode.JAMBI).to.have.property('services').that.is.an('array');
    expect(units.map((unit) => unit.code).indexOf('JAMBI')).to.be.lessThan(
      units.map((unit) => unit.code).indexOf('PKM-KEBUNHANDIL'),
    );
  });

  it('answers an unknown API route with 404 JSON and an unknown page with a 404 HTML page', async () => {
    const api = await request(app).get('/api/v1/nothing-here').expect(404);
    expect(api.body.error).to.include({ code: 'not_found', message: 'Halaman atau data tidak ditemukan.' });
    const page = await request(app).get('/nothing-here').expect(404);
    expect(page.headers['content-type']).to.match(/text\/html/);
    expect(page.text).to.include('Halaman atau data tidak ditemukan.');
  });

  it('rejects malformed JSON with a 400 validation error in the request language, never a stack trace', async () => {
    const response = await request(app)
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .set('Accept-Language', 'en-US,en;q=0.9')
      .send('{"email": "a@b.c", "password": ')
      .expect(400);
    expect(response.body.error).to.deep.equal({
      code: 'validation',
      message: 'The request body is not valid JSON.',
      fields: {},
    });
    expect(response.text).not.to.match(/at \w+ \(|node_modules/);
  });

  it('rejects an oversized body with 413 before reading it all', async () => {
    const huge = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(10 * 1024 * 1024) });
    const response = await request(app)
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(huge)
      .expect(413);
    expect(response.body.error.code).to.equal('too_large');
  });

  it('names each wrong field, in Indonesian by default and in English when asked', async () => {
    const id = await request(app).post('/api/v1/auth/login').send({ email: 'not-an-email', password: 7 }).expect(400);
    expect(id.body.error.code).to.equal('validation');
    expect(id.body.error.fields).to.deep.equal({ email: 'Alamat e-mail tidak valid.', password: 'Harus berupa teks.' });
    const en = await request(app)
      .post('/api/v1/auth/login?lang=en')
      .send({ email: { $gt: '' } })
      .expect(400);
    expect(en.body.error.fields).to.deep.equal({ email: 'Must be text.', password: 'Required.' });
  });

  it('remembers the language chosen with the visible switch', async () => {
    const agent = request.agent(app);
    const switched = await agent.get('/?lang=en').expect(200);
    expect(switched.text).to.include('<html lang="en">');
    const later = await agent.get('/login').expect(200);
    expect(later.text).to.include('Staff sign-in');
    expect((await request(app).get('/login').expect(200)).text).to.include('Masuk petugas');
  });

  it('keeps the page and its query when switching language (a QR link stays prefilled)', async () => {
    const page = await request(app).get('/u/PKM-KEBUNHANDIL?counter=L1&officer=abc').expect(200);
    const href = page.text
      .match(/class="lang" href="([^"]+)"/)![1]!
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    expect(href).to.equal('/u/PKM-KEBUNHANDIL?counter=L1&officer=abc&lang=en');
  });

  it('sends security headers with a CSP that allows no inline script', async () => {
    const response = await request(app).get('/').expect(200);
    expect(response.headers['content-security-policy']).to.include("script-src 'self'");
    expect(response.headers['content-security-policy']).not.to.include('unsafe-inline');
    expect(response.headers['x-content-type-options']).to.equal('nosniff');
    expect(response.headers).to.have.property('x-request-id');
  });

  it('escapes hostile text wherever it is shown', async () => {
    const response = await request(app).get('/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E').expect(200);
    expect(response.text).not.to.include('<script>alert(1)</script>');
  });
});
