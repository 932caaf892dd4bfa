import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Officer } from '../../src/modules/directory/model.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';

/** The page's form: its CSRF-carrying action and its double-tap token. */
function formOf(html: string) {
  return {
    action: html
      .match(/<form method="post" action="([^"]+)" enctype="multipart\/form-data"/)![1]!
      .replace(/&amp;/g, '&'),
    formToken: html.match(/name="formToken" value="([^"]+)"/)![1]!,
  };
}

describe('The public intake form, without JavaScript', () => {
  useTestDatabase();
  let app: Express;
  let officerRef: string;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    officerRef = (await Officer.findOne({ nip: '198503152010012001' }).lean())!.ref;
  });
  beforeEach(async () => {
    await resetRateLimits();
    await Ticket.deleteMany({});
  });

  it('opens prefilled from a QR link, offers officers by name, and never shows a NIP', async () => {
    const page = await request(app).get(`/u/pkm-kebunhandil?counter=L1&officer=${officerRef}`).expect(200);
    expect(page.text).to.include('Puskesmas Kebun Handil');
    expect(page.text).to.match(new RegExp(`<option value="${officerRef}" selected>Siti Rahmawati`));
    expect(page.text).to.match(/<option value="L1" selected>Loket Pendaftaran/);
    expect(page.text).to.include('Standar waktu tunggu Pelayanan Poli Umum: 30 menit.');
    expect(page.text).not.to.match(/\d{18}/);
  });

  it('files from the form and shows the receipt with code and token; a double tap makes one ticket', async () => {
    const agent = request.agent(app);
    const { action, formToken } = formOf((await agent.get('/u/PKM-KEBUNHANDIL?counter=L1').expect(200)).text);
    const send = () =>
      agent
        .post(action)
        .field('formToken', formToken)
        .field('kind', 'compliment')
        .field('category', 'officer_conduct')
        .field('officerRef', officerRef)
        .field('counter', 'L1')
        .field('description', 'Bu Siti sangat sabar menjelaskan alur rujukan BPJS.')
        .field('privacy', 'public')
        .field('consent', 'on');
    const first = await send().expect(201);
    expect(first.text).to.include('Terima kasih, laporan Anda sudah diterima');
    const code = first.text.match(/<code class="big">([A-Z0-9-]+)<\/code>/)![1];
    const again = await send().expect(200);
    expect(again.text).to.include(code);
    expect(await Ticket.countDocuments()).to.equal(1);
    expect((await Ticket.findOne().lean())!.officerIds).to.have.length(1);
  });

  it('shows errors beside the fields and keeps what was typed', async () => {
    const agent = request.agent(app);
    const { action, formToken } = formOf((await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    const response = await agent
      .post(action)
      .field('formToken', formToken)
      .field('kind', 'complaint')
      .field('description', 'Pendek')
      .field('email', 'saya@contoh.id')
      .field('privacy', 'anonymous')
      .expect(400);
    expect(response.text).to.include('Minimal 10 karakter.');
    expect(response.text).to.include('Persetujuan pemrosesan data diperlukan');
    expect(response.text).to.include('>Pendek</textarea>');
    expect(response.text).to.include('value="saya@contoh.id"');
    expect(await Ticket.countDocuments()).to.equal(0);
  });

  it('refuses a post whose form token is missing (CSRF), and the bot that fills the hidden field', async () => {
    const agent = request.agent(app);
    const { action, formToken } = formOf((await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    await agent
      .post('/u/PKM-KEBUNHANDIL')
      .field('kind', 'suggestion')
      .field('description', 'Tambah kursi ruang tunggu.')
      .expect(403);
    const bot = await agent
      .post(action)
      .field('formToken', formToken)
      .field('kind', 'suggestion')
      .field('description', 'Tambah kursi ruang tunggu ya.')
      .field('privacy', 'public')
      .field('consent', 'on')
      .field('website', 'http://spam.example')
      .expect(400);
    expect(bot.text).to.include('Formulir tidak dapat diproses.');
    expect(await Ticket.countDocuments()).to.equal(0);
  });

  it('answers an unknown unit with a 404 page', async () => {
    const page = await request(app).get('/u/TIDAK-ADA').expect(404);
    expect(page.text).to.include('Unit layanan tidak dikenal.');
  });

  it('lists the units to choose from, searchable without JavaScript', async () => {
    const page = await request(app).get('/lapor?q=putri').expect(200);
    expect(page.text).to.include('href="/u/PKM-PUTRIAYU"');
    expect(page.text).not.to.include('href="/u/PKM-KEBUNHANDIL"');
  });
});
