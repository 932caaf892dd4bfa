import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { Ticket } from '../../src/modules/feedback/model.js';
import { accessTokenFor, shortAccessTokenFor } from '../../src/modules/feedback/codes.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { SECRET_GPS, phoneJpeg } from '../helpers/files.js';

/** The page's form: its CSRF-carrying action and its hidden fields. */
function formOf(html: string) {
  const hidden = (name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? '';
  return {
    action: html
      .match(/<form method="post" action="([^"]+)" enctype="multipart\/form-data"/)![1]!
      .replace(/&amp;/g, '&'),
    formToken: hidden('formToken'),
    stagingId: hidden('stagingId'),
  };
}

const stagedUploads = () => mongoose.connection.db!.collection('staged_uploads');

/** Limits count in fixed ten-minute windows: start a counting spec well inside one, so no window ends mid-spec. */
async function awayFromWindowEdge(windowMs = 10 * 60_000, margin = 20_000) {
  const left = windowMs - (Date.now() % windowMs);
  if (left < margin) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('The complaint form keeps everything across a refused submission', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  beforeEach(async () => {
    await resetRateLimits();
    await Ticket.deleteMany({});
    await stagedUploads().deleteMany({});
  });

  it('names every mistake at once, in specific words tied to each field, and keeps the text', async () => {
    const agent = request.agent(app);
    const { action, formToken, stagingId } = formOf((await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    const page = await agent
      .post(action)
      .field('formToken', formToken)
      .field('stagingId', stagingId)
      .field('kind', 'complaint')
      .field('category', '')
      .field('description', 'Antrean di loket pendaftaran tidak dipanggil sesuai nomor.')
      .field('occurredAt', '2099-01-01T09:00')
      .field('email', 'warga@contoh')
      .field('privacy', 'confidential')
      .expect(400);
    const summary = page.text.match(/<div class="alert intake-errors"[\s\S]*?<\/div>/)![0];
    expect(summary).to.include('<a href="#category">Kategori: Pilih kategori.</a>');
    expect(summary).to.include('<a href="#occurredAt">Kapan terjadi?: Waktu kejadian tidak boleh di masa depan.</a>');
    expect(summary).to.include('<a href="#email">E-mail: Tulis alamat e-mail yang benar');
    expect(summary).to.include('<a href="#consent">Persetujuan pemrosesan data diperlukan');
    expect(summary).not.to.include('Nilai tidak valid');
    expect(page.text).to.match(
      /<select id="category" name="category" aria-describedby="category-hint category-error" aria-invalid="true">/,
    );
    expect(page.text).to.include('<p class="field-error" id="category-error">Pilih kategori.</p>');
    expect(page.text).to.match(
      /id="occurredAt"[^>]*value="2099-01-01T09:00" aria-invalid="true" aria-describedby="occurredAt-error"/,
    );
    expect(page.text).to.match(/id="consent"[^>]*aria-invalid="true" aria-describedby="consent-error"/);
    expect(page.text).to.include('>Antrean di loket pendaftaran tidak dipanggil sesuai nomor.</textarea>');
    expect(page.text).to.match(/id="privacy-confidential" name="privacy" value="confidential" checked/);
    expect(await Ticket.countDocuments()).to.equal(0);
  });

  it('keeps a photo that passed the checks, sends it with the corrected form, and forgets it after', async () => {
    const agent = request.agent(app);
    const { action, formToken, stagingId } = formOf((await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    const refused = await agent
      .post(action)
      .field('formToken', formToken)
      .field('stagingId', stagingId)
      .field('kind', 'complaint')
      .field('description', 'Kursi ruang tunggu patah dan membahayakan lansia.')
      .field('privacy', 'public')
      .field('consent', 'on')
      .attach('attachments', phoneJpeg(), { filename: 'kursi.jpg', contentType: 'image/jpeg' })
      .expect(400);
    expect(refused.text).to.include('<span class="file-name">kursi.jpg</span>');
    expect(refused.text).to.include(`name="stagingId" value="${stagingId}"`);
    expect(refused.text).to.include('Berkas ini ikut terkirim tanpa perlu dipilih lagi.');
    // The staged copy is already without the phone's location.
    const staged = await stagedUploads().findOne({});
    expect(Buffer.from(staged!.data.buffer).includes(Buffer.from(SECRET_GPS, 'latin1'))).to.equal(false);

    const filed = await agent
      .post(action)
      .field('formToken', formToken)
      .field('stagingId', stagingId)
      .field('kind', 'complaint')
      .field('category', 'facilities')
      .field('description', 'Kursi ruang tunggu patah dan membahayakan lansia.')
      .field('privacy', 'public')
      .field('consent', 'on')
      .expect(201);
    expect(filed.text).to.include('Terima kasih, laporan Anda sudah diterima');
    const ticket = await Ticket.findOne().lean();
    expect(ticket!.attachments.map((file) => file.originalName)).to.deep.equal(['kursi.jpg']);
    expect(await stagedUploads().countDocuments()).to.equal(0);
  });

  it('drops a kept photo the citizen ticks for removal, and never lends one form’s photos to another', async () => {
    const agent = request.agent(app);
    const { action, formToken, stagingId } = formOf((await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    const refused = await agent
      .post(action)
      .field('formToken', formToken)
      .field('stagingId', stagingId)
      .field('kind', 'suggestion')
      .field('description', 'Pendek')
      .attach('attachments', phoneJpeg(), { filename: 'salah-foto.jpg', contentType: 'image/jpeg' })
      .expect(400);
    const stagedId = refused.text.match(/name="removeStaged" value="([^"]+)"/)![1]!;

    // Someone else's form, with a made-up staging id, sees nothing of it.
    const other = request.agent(app);
    const otherForm = formOf((await other.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    const stranger = await other
      .post(otherForm.action)
      .field('formToken', otherForm.formToken)
      .field('stagingId', 'A'.repeat(32))
      .field('kind', 'suggestion')
      .field('description', 'Pendek')
      .expect(400);
    expect(stranger.text).not.to.include('salah-foto.jpg');

    await agent
      .post(action)
      .field('formToken', formToken)
      .field('stagingId', stagingId)
      .field('removeStaged', stagedId)
      .field('kind', 'suggestion')
      .field('description', 'Mohon tambah kipas angin di ruang tunggu poli umum.')
      .field('privacy', 'public')
      .field('consent', 'on')
      .expect(201);
    expect((await Ticket.findOne().lean())!.attachments).to.deep.equal([]);
    expect(await stagedUploads().countDocuments()).to.equal(0);
  });

  it('keeps the good photo and names the bad file when one of two is refused, and files nothing', async () => {
    const agent = request.agent(app);
    const { action, formToken, stagingId } = formOf((await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    const page = await agent
      .post(action)
      .field('formToken', formToken)
      .field('stagingId', stagingId)
      .field('kind', 'complaint')
      .field('category', 'facilities')
      .field('description', 'Toilet umum terkunci sepanjang hari pelayanan.')
      .field('privacy', 'public')
      .field('consent', 'on')
      .attach('attachments', phoneJpeg(), { filename: 'toilet.jpg', contentType: 'image/jpeg' })
      .attach('attachments', Buffer.from('<html>bukan foto</html>'), {
        filename: 'foto2.png',
        contentType: 'image/png',
      })
      .expect(400);
    expect(page.text).to.include('<a href="#attachments">');
    expect(page.text).to.include('Berkas &quot;foto2.png&quot; bukan foto');
    expect(page.text).to.include('<span class="file-name">toilet.jpg</span>');
    expect(await Ticket.countDocuments()).to.equal(0);
  });
});

describe('Rate limits on the complaint form count accepted reports, per device and network', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  beforeEach(async function () {
    this.timeout(60_000);
    await awayFromWindowEdge();
    await resetRateLimits();
    await Ticket.deleteMany({});
    await stagedUploads().deleteMany({});
  });

  const send = (agent: request.Agent, action: string, fields: Record<string, string>) => {
    let req = agent.post(action);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    return req;
  };
  const good = (formToken: string) => ({
    formToken,
    kind: 'suggestion',
    description: 'Mohon jadwal poli gigi ditempel di pintu masuk.',
    privacy: 'public',
    consent: 'on',
  });

  it('lets a citizen fix mistakes many times, stops the eleventh accepted report, and shows the form again with everything', async () => {
    const agent = request.agent(app);
    const { action, stagingId } = formOf((await agent.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    for (let i = 0; i < 12; i++)
      await send(agent, action, { ...good(`mistake-${i}`), description: 'Pendek' }).expect(400);
    for (let i = 0; i < 5; i++) await send(agent, action, good(`accepted-${i}`)).expect(201);
    // A double tap of an accepted report is the same report, and does not count as another one.
    await send(agent, action, good('accepted-4')).expect(200);
    for (let i = 5; i < 10; i++) await send(agent, action, good(`accepted-${i}`)).expect(201);

    const limited = await send(agent, action, {
      ...good('eleventh'),
      stagingId,
      kind: 'complaint',
      category: 'facilities',
      description: 'Lampu ruang tunggu mati sejak seminggu, pasien lansia kesulitan membaca nomor antrean.',
      name: 'Rahmat',
      privacy: 'confidential',
    })
      .attach('attachments', phoneJpeg(), { filename: 'lampu.jpg', contentType: 'image/jpeg' })
      .expect(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).to.be.within(1, 600);
    expect(limited.text).to.include('id="intake-form"');
    expect(limited.text).to.match(/Coba kirim lagi dalam \d+ menit, sekitar pukul \d{2}\.\d{2} WIB/);
    expect(limited.text).to.include(
      '>Lampu ruang tunggu mati sejak seminggu, pasien lansia kesulitan membaca nomor antrean.</textarea>',
    );
    expect(limited.text).to.include('value="Rahmat"');
    expect(limited.text).to.match(/<option value="facilities" selected>/);
    expect(limited.text).to.match(/id="privacy-confidential" name="privacy" value="confidential" checked/);
    expect(limited.text).to.include('<span class="file-name">lampu.jpg</span>');
    expect(await Ticket.countDocuments()).to.equal(10);

    // When the window has passed, the same page sends the kept photo without choosing it again.
    await resetRateLimits();
    await send(agent, action, {
      ...good('eleventh'),
      stagingId,
      kind: 'complaint',
      category: 'facilities',
      description: 'Lampu ruang tunggu mati sejak seminggu, pasien lansia kesulitan membaca nomor antrean.',
    }).expect(201);
    const last = await Ticket.findOne({ kind: 'complaint' }).lean();
    expect(last!.attachments.map((file) => file.originalName)).to.deep.equal(['lampu.jpg']);
  });

  it('does not treat a waiting room’s shared Wi-Fi as one citizen', async () => {
    const first = request.agent(app);
    const { action } = formOf((await first.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    for (let i = 0; i < 10; i++) await send(first, action, good(`first-${i}`)).expect(201);
    await send(first, action, good('first-10')).expect(429);

    // Another phone on the same network (the same address here) files at once.
    const second = request.agent(app);
    const other = formOf((await second.get('/u/PKM-KEBUNHANDIL').expect(200)).text);
    await send(second, other.action, good('second-0')).expect(201);
  });

  it('answers the limited page in English when the citizen reads English', async () => {
    const agent = request.agent(app);
    const { action } = formOf((await agent.get('/u/PKM-KEBUNHANDIL?lang=en').expect(200)).text);
    for (let i = 0; i < 10; i++) await send(agent, action, good(`en-${i}`)).expect(201);
    const limited = await send(agent, action, good('en-10')).expect(429);
    expect(limited.text).to.match(/Try sending again in \d+ minutes, at about \d{2}:\d{2} WIB/);
    expect(limited.text).to.include('>Mohon jadwal poli gigi ditempel di pintu masuk.</textarea>');
  });
});

describe('Finding a report again', () => {
  useTestDatabase();
  let app: Express;
  before(async () => {
    app = await testApp();
    await seedDirectory();
  });
  beforeEach(resetRateLimits);

  async function file() {
    const { body } = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode: 'PKM-KEBUNHANDIL',
        category: 'waiting_time',
        description: 'Menunggu dua jam tanpa kejelasan nomor antrean.',
        privacy: 'anonymous',
        consent: true,
      })
      .expect(201);
    const ticket = await Ticket.findOne({ code: body.code }).lean();
    return {
      ...(body as { code: string; accessToken: string }),
      short: shortAccessTokenFor(body.code, ticket!.tokenSalt),
    };
  }

  it('shows the find form again with the error and what was typed when the token is wrong', async () => {
    const { code } = await file();
    const page = await request(app).get(`/track/${code}?token=SALAH-TOKEN-1234`).expect(404);
    expect(page.text).to.include('action="/track/find"');
    expect(page.text).to.include('Kode atau token tidak cocok. Periksa kembali tanda terima Anda.');
    expect(page.text).to.include(`value="${code}"`);
    expect(page.text).to.include('value="SALAH-TOKEN-1234"');
    const empty = await request(app).get('/track/find?code=&token=').expect(400);
    expect(empty.text).to.include('<p class="field-error" id="code-error">Wajib diisi.</p>');
  });

  it('opens with the short token typed in any case and spacing, and with the API’s token, and names the unit', async () => {
    const { code, accessToken, short } = await file();
    expect(short).to.match(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(accessToken).to.equal(accessTokenFor(code, (await Ticket.findOne({ code }).lean())!.tokenSalt));
    const typed = short.toLowerCase().replace(/-/g, ' ');
    const page = await request(app)
      .get(`/track/${code}?token=${encodeURIComponent(typed)}`)
      .expect(200);
    expect(page.text).to.include('<dt>Unit layanan</dt><dd>Puskesmas Kebun Handil</dd>');
    await request(app).get(`/api/v1/tickets/${code}`).set('X-Access-Token', short).expect(200);
    await request(app).get(`/api/v1/tickets/${code}`).set('X-Access-Token', accessToken).expect(200);
  });

  it('gives the receipt as a text file to save, only to whoever holds the token', async () => {
    const { code, short } = await file();
    const saved = await request(app).get(`/track/${code}/receipt.txt?token=${short}`).expect(200);
    expect(saved.headers['content-disposition']).to.equal(`attachment; filename="suara-${code}.txt"`);
    expect(saved.text).to.include(`Kode pemantauan: ${code}`);
    expect(saved.text).to.include(`Token akses: ${short}`);
    expect(saved.text).to.include('Puskesmas Kebun Handil');
    await request(app).get(`/track/${code}/receipt.txt?token=AAAA-AAAA-AAAA`).expect(404);
  });

  it('explains privacy in both languages on /privasi', async () => {
    const id = await request(app).get('/privasi').expect(200);
    expect(id.text).to.include('UU 27/2022');
    expect(id.text).to.include('Hanya verifikator yang berwenang boleh membuka kontak Anda');
    const en = await request(app).get('/privasi?lang=en').expect(200);
    expect(en.text).to.include('Privacy notice');
    expect(en.text).to.include('no one in the agency can open your identity');
  });
});
