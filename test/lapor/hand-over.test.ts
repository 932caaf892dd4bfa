import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Ticket } from '../../src/modules/feedback/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Reads our own CSV export back: a BOM, a header of column names, quoted cells. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') ((cell += '"'), i++);
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') (row.push(cell), (cell = ''));
    else if (char === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''));
    else if (char !== '\r') cell += char;
  }
  const [header, ...rest] = rows;
  return rest.map((cells) => Object.fromEntries(header!.map((name, index) => [name, cells[index] ?? ''])));
}

describe('SP4N-LAPOR! hand-over: export what one may see, import statuses and new reports idempotently', () => {
  useTestDatabase();
  let app: Express;
  const codes: Record<string, string> = {};

  const fileTicket = async (name: string, unitCode: string, description: string) => {
    const response = await request(app)
      .post('/api/v1/tickets')
      .send({
        kind: 'complaint',
        unitCode,
        category: 'waiting_time',
        description,
        privacy: 'public',
        consent: true,
        reporter: { name: 'Warga Pelapor', email: 'pelapor@contoh.id', phone: '081298765432' },
      })
      .expect(201);
    codes[name] = response.body.code;
  };
  const staff = async (email: string) => {
    const agent = request.agent(app);
    return { agent, csrf: await signIn(agent, email) };
  };
  const importCsv = async (email: string, csv: string, lang = 'id') => {
    const { agent, csrf } = await staff(email);
    return agent
      .post('/api/v1/lapor/import')
      .set('X-CSRF-Token', csrf)
      .set('Accept-Language', lang)
      .attach('file', Buffer.from(csv, 'utf8'), { filename: 'lapor.csv', contentType: 'text/csv' });
  };

  before(async () => {
    app = await testApp();
    await seedDirectory();
    await fileTicket('kebun', 'PKM-KEBUNHANDIL', 'Antrean poli umum lama, saya di 0812-1111-2222 bisa dihubungi.');
    await fileTicket('putri', 'PKM-PUTRIAYU', 'Loket pendaftaran tutup sebelum jam layanan berakhir.');
  });
  beforeEach(resetRateLimits);

  it('exports the tickets a head may see, with LAPOR!’s columns and no personal data, and audits it', async () => {
    const { agent } = await staff('kepala.kebunhandil@suara.test');
    const csv = await agent
      .get('/api/v1/lapor/export?format=csv')
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    expect(csv.headers['content-disposition']).to.match(/attachment; filename="?suara-lapor-\d{4}-\d{2}-\d{2}\.csv/);
    const rows = parseCsv(csv.text);
    expect(rows.map((row) => row.kode_suara)).to.deep.equal([codes.kebun]);
    expect(rows[0]).to.include({
      nomor_tracking: '',
      jenis: 'pengaduan',
      kategori: 'waiting_time',
      kode_unit: 'PKM-KEBUNHANDIL',
      instansi: 'Pemerintah Provinsi Jambi',
      kerahasiaan: 'publik',
      status: 'Belum Terverifikasi',
      status_suara: 'received',
      judul: 'Waktu tunggu lama — Puskesmas Kebun Handil',
    });
    expect(rows[0]!.isi).to.contain('[telepon]');
    expect(csv.text).to.not.match(/0812-1111-2222|pelapor@contoh|Warga Pelapor/);

    const dinkes = await staff('kepala.dinkes@suara.test');
    const json = await dinkes.agent.get(`/api/v1/lapor/export?codes=${codes.kebun},${codes.putri}`).expect(200);
    expect(json.body.format).to.equal('suara-lapor/1');
    expect(json.body.reports.map((row: Doc) => row.kode_suara).sort()).to.deep.equal([codes.kebun, codes.putri].sort());
    expect(await AuditEntry.countDocuments({ action: 'lapor.export' })).to.equal(2);
    await Ticket.updateOne({ code: codes.putri }, { $set: { privacy: 'confidential' } });
    await dinkes.agent.get('/api/v1/lapor/export?format=csv').expect(200);
    const logged = await AuditEntry.findOne({ action: 'lapor.export' }).sort({ _id: -1 }).lean();
    expect((logged!.details as Doc).protected).to.deep.equal([codes.putri]);
    await Ticket.updateOne({ code: codes.putri }, { $set: { privacy: 'public' } });

    // A handler works what is assigned to them and hands over nothing; nobody signed in gets nothing.
    const handler = await staff('petugas@suara.test');
    await handler.agent.get('/api/v1/lapor/export').expect(403);
    await request(app).get('/api/v1/lapor/export').expect(401);
    const bad = await dinkes.agent
      .get('/api/v1/lapor/export?from=kemarin&format=xls')
      .set('Accept-Language', 'en')
      .expect(400);
    expect(Object.keys(bad.body.error.fields)).to.include.members(['from', 'format']);
  });

  it('matches, links and creates by tracking number; the same file twice changes nothing the second time', async () => {
    const csv = [
      'nomor_tracking;kode_suara;status;disposisi;kode_unit;jenis;kategori;kerahasiaan;judul;isi',
      `LAPOR-1001;${codes.kebun};Proses;Puskesmas Kebun Handil;;;;;;`, // 2: links an existing ticket
      'LAPOR-1002;;Belum Ditindaklanjuti;Dinas Kesehatan;PKM-KEBUNHANDIL;pengaduan;facilities;;Toilet rusak;Toilet ruang tunggu rusak sejak minggu lalu.', // 3: new
      ';;Proses;;PKM-KEBUNHANDIL;;;;;Tanpa nomor', // 4: no tracking number
      'LAPOR-1003;;Proses;;PKM-TIDAK-ADA;pengaduan;;;;Unit yang tidak dikenal sama sekali.', // 5: unknown unit
      `LAPOR-1001;${codes.kebun};Selesai;;;;;;;`, // 6: duplicate of line 2
      `LAPOR-1004;${codes.putri};Proses;;;;;;;`, // 7: a ticket outside the head's unit
      'LAPOR-1005;;Proses;;PKM-KEBUNHANDIL;keluhan;;;;Jenis laporan yang tidak dikenal.', // 8: unknown kind
    ].join('\r\n');
    const first = await importCsv('kepala.kebunhandil@suara.test', csv, 'en');
    expect(first.status).to.equal(200);
    expect(first.body).to.deep.include({ matched: 1, updated: 1, unchanged: 0, created: 1 });
    expect(first.body.rejected).to.deep.equal([
      { line: 4, reason: 'The LAPOR! tracking number is empty or invalid (3–40 letters, digits, hyphens).' },
      { line: 5, reason: 'Unit code "PKM-TIDAK-ADA" is unknown or outside your scope.' },
      { line: 6, reason: 'Duplicate of line 2.' },
      { line: 7, reason: `Ticket ${codes.putri} does not exist or is outside your scope.` },
      { line: 8, reason: 'Unknown kind "keluhan": pengaduan, aspirasi, permintaan_informasi or apresiasi.' },
    ]);

    const linked = await Ticket.findOne({ code: codes.kebun }).lean();
    expect(linked!.lapor).to.deep.include({
      trackingNumber: 'LAPOR-1001',
      status: 'Proses',
      disposition: 'Puskesmas Kebun Handil',
    });
    // LAPOR!'s status sits beside the ticket's own, which the agency's workflow keeps.
    expect(linked!.status).to.equal('received');
    const created = await Ticket.findOne({ 'lapor.trackingNumber': 'LAPOR-1002' }).lean();
    expect(created).to.include({
      channel: 'lapor',
      kind: 'complaint',
      category: 'facilities',
      privacy: 'confidential',
    });
    expect(created!.description).to.equal('Toilet rusak\n\nToilet ruang tunggu rusak sejak minggu lalu.');

    const snapshot = async () =>
      (await Ticket.find().sort({ code: 1 }).lean()).map((ticket) => ({
        code: ticket.code,
        revision: ticket.revision,
        history: ticket.history.length,
        lapor: ticket.lapor,
      }));
    const before = await snapshot();
    const second = await importCsv('kepala.kebunhandil@suara.test', csv);
    expect(second.body).to.deep.include({ matched: 2, updated: 0, unchanged: 2, created: 0 });
    expect(second.body.rejected.map((row: Doc) => row.line)).to.deep.equal([4, 5, 6, 7, 8]);
    expect(second.body.rejected[0].reason).to.equal(
      'Nomor tracking LAPOR! kosong atau tidak sah (3–40 huruf, angka, tanda hubung).',
    );
    expect(await snapshot()).to.deep.equal(before);
    expect(await AuditEntry.countDocuments({ action: 'lapor.import' })).to.equal(2);

    // LAPOR! moves on: the new status is kept, once, with a history entry.
    const moved = await request(app)
      .post('/api/v1/lapor/import')
      .set('Authorization', 'Bearer none')
      .send({ reports: [] })
      .expect(401);
    void moved;
    const { agent, csrf } = await staff('kepala.kebunhandil@suara.test');
    const update = await agent
      .post('/api/v1/lapor/import')
      .set('X-CSRF-Token', csrf)
      .send({ reports: [{ 'Nomor Tracking': 'LAPOR-1001', status: 'Selesai', disposisi: 'Puskesmas Kebun Handil' }] })
      .expect(200);
    expect(update.body).to.deep.include({ matched: 1, updated: 1, created: 0 });
    const after = await Ticket.findOne({ code: codes.kebun }).lean();
    expect(after!.lapor!.status).to.equal('Selesai');
    expect(after!.history.filter((entry) => entry.action === 'lapor').map((entry) => entry.to)).to.deep.equal([
      'Proses / Puskesmas Kebun Handil',
      'Selesai / Puskesmas Kebun Handil',
    ]);
  });

  it('files a new report once when the same file is imported twice at the same moment', async () => {
    const csv = `nomor_tracking;kode_unit;jenis;kategori;isi;status\nLAPOR-3001;PKM-PUTRIAYU;aspirasi;procedure;Mohon jadwal layanan diumumkan di papan depan.;Proses\nLAPOR-3002;PKM-PUTRIAYU;;;Papan informasi tarif tidak ada di ruang tunggu.;`;
    const before = await Ticket.countDocuments();
    const answers = await Promise.all([
      importCsv('kepala.dinkes@suara.test', csv),
      importCsv('kepala.dinkes@suara.test', csv),
      importCsv('kepala.dinkes@suara.test', csv),
    ]);
    expect(answers.map((answer) => answer.status)).to.deep.equal([200, 200, 200]);
    expect(answers.every((answer) => answer.body.rejected.length === 0)).to.equal(true);
    expect(await Ticket.countDocuments()).to.equal(before + 2);
    const filed = await Ticket.find({ 'lapor.trackingNumber': { $in: ['LAPOR-3001', 'LAPOR-3002'] } }).lean();
    expect(filed.map((ticket) => ticket.kind).sort()).to.deep.equal(['complaint', 'suggestion']);
    expect(filed.every((ticket) => ticket.history.filter((entry) => entry.action === 'lapor').length === 1)).to.equal(
      true,
    );
  });

  it('refuses an import by someone who does not triage, and files that are not LAPOR! files, changing nothing', async () => {
    const count = await Ticket.countDocuments();
    const handler = await importCsv('petugas@suara.test', 'nomor_tracking;status\nLAPOR-2001;Proses');
    expect(handler.status).to.equal(403);
    const noColumn = await importCsv('kepala.dinkes@suara.test', 'judul;isi\nA;B', 'en');
    expect(noColumn.status).to.equal(400);
    expect(noColumn.body.error.fields.file).to.equal(
      'The required column "nomor tracking" is missing from the header row.',
    );
    const { agent, csrf } = await staff('kepala.dinkes@suara.test');
    await agent.post('/api/v1/lapor/import').set('X-CSRF-Token', csrf).send({ reports: 'semua' }).expect(400);
    expect(await Ticket.countDocuments()).to.equal(count);
  });

  it('defuses spreadsheet formulas and keeps hostile text intact in both formats', async () => {
    await fileTicket(
      'formula',
      'PKM-KEBUNHANDIL',
      '=HYPERLINK("http://jahat.example","klik"); "kutip", baris\nbaru <b>',
    );
    const { agent } = await staff('kepala.kebunhandil@suara.test');
    const csv = await agent.get(`/api/v1/lapor/export?format=csv&codes=${codes.formula}`).expect(200);
    const [row] = parseCsv(csv.text);
    expect(row!.isi).to.equal(`'=HYPERLINK("http://jahat.example","klik"); "kutip", baris\nbaru <b>`);
    const json = await agent.get(`/api/v1/lapor/export?codes=${codes.formula}`).expect(200);
    expect(json.body.reports[0].isi).to.equal('=HYPERLINK("http://jahat.example","klik"); "kutip", baris\nbaru <b>');
  });

  it('offers export and import on a page that works without JavaScript, in both languages', async () => {
    const { agent } = await staff('kepala.kebunhandil@suara.test');
    const page = await agent.get('/inbox/lapor?lang=en').expect(200);
    expect(page.text).to.contain('SP4N-LAPOR! hand-over');
    const csrf = /name="_csrf" value="([^"]+)"|_csrf=([^"&]+)/.exec(page.text);
    const token = csrf![1] ?? csrf![2]!;
    const download = await agent.get('/inbox/lapor/export?format=csv&from=&to=&codes=').expect(200);
    expect(download.text).to.contain('nomor_tracking,kode_suara');
    const refused = await agent.get('/inbox/lapor/export?from=31-12-2026&lang=id').expect(400);
    expect(refused.text).to.contain('Serah terima SP4N-LAPOR!');
    const imported = await agent
      .post(`/inbox/lapor/import?_csrf=${encodeURIComponent(token)}`)
      .attach('file', Buffer.from(`nomor_tracking,status\nLAPOR-1001,Selesai\nX,Proses\n`, 'utf8'), {
        filename: 'lapor.csv',
        contentType: 'text/csv',
      })
      .expect(200);
    expect(imported.text).to.contain('1 cocok (0 diperbarui, 1 tidak berubah), 0 tiket baru, 1 ditolak.');
    expect(imported.text).to.contain('Baris 3: Nomor tracking LAPOR! kosong atau tidak sah');
  });
});
