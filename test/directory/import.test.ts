import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { Officer, Unit } from '../../src/modules/directory/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';

/** What a real agency sends: Excel's CSV export in an Indonesian locale, with a BOM and semicolons. */
const officersCsv = [
  '\uFEFFNIP;Nama Lengkap;Jabatan;Kode Unit',
  '198705122011012003;Dewi Lestari;Perawat Ahli Pertama;PKM-KEBUNHANDIL', // 2: fine
  '19900704 201503 1 004;"Nasution, Rudi";Analis;PKM-PUTRIAYU', // 3: printed form, quoted comma
  '1.98503E+17;Ratna Sari;Bidan;PKM-KEBUNHANDIL', // 4: Excel scientific notation
  '198502302010012001;Tanggal Salah;Perawat;PKM-KEBUNHANDIL', // 5: 30 February
  '199201012016031005;Tanpa Unit;Perawat;PKM-TIDAK-ADA', // 6: unknown unit
  '199201012016031006;Orang Ambon;Operator;AMB-DUKCAPIL', // 7: outside the admin's agency
  '198705122011012003;Dewi Lagi;Perawat;PKM-KEBUNHANDIL', // 8: duplicate of line 2
  '199305052018011007;;Perawat;PKM-KEBUNHANDIL', // 9: no name
  '',
  '198503152010012001;Siti Rahmawati;Kepala Ruang;PKM-PUTRIAYU', // 11: existing officer moves unit
].join('\r\n');

describe('CSV import of officers and units', () => {
  useTestDatabase();
  let app: Express;
  let agent: request.Agent;
  let csrf: string;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    agent = request.agent(app);
    csrf = await signIn(agent, 'admin.jambi@suara.test');
  });

  it('imports the good lines of an officer spreadsheet and says per line what it rejected and why', async () => {
    const response = await agent
      .post('/api/v1/officers/import')
      .set('X-CSRF-Token', csrf)
      .attach('file', Buffer.from(officersCsv, 'utf8'), { filename: 'pegawai.csv', contentType: 'text/csv' })
      .expect(200);
    expect(response.body.created).to.equal(2);
    expect(response.body.updated).to.equal(1);
    expect(response.body.rejected).to.deep.equal([
      { line: 4, reason: 'NIP tampaknya diubah spreadsheet menjadi notasi ilmiah; format kolom NIP sebagai teks.' },
      { line: 5, reason: 'Tanggal lahir dalam NIP (digit 1–8) bukan tanggal yang ada.' },
      { line: 6, reason: 'Kode unit "PKM-TIDAK-ADA" tidak dikenal atau di luar cakupan Anda.' },
      { line: 7, reason: 'Kode unit "AMB-DUKCAPIL" tidak dikenal atau di luar cakupan Anda.' },
      { line: 8, reason: 'Duplikat dari baris 2.' },
      { line: 9, reason: 'Wajib diisi.' },
    ]);
    const rudi = await Officer.findOne({ nip: '199007042015031004' }).lean();
    expect(rudi).to.include({ name: 'Nasution, Rudi', unitCode: 'PKM-PUTRIAYU', employment: 'pns' });
    expect(rudi!.ref).to.match(/^[\w-]{8,}$/);
    expect(rudi!.ref).not.to.include('1990');
    const moved = await Officer.findOne({ nip: '198503152010012001' }).lean();
    expect(moved).to.include({ unitCode: 'PKM-PUTRIAYU', position: 'Kepala Ruang' });
    expect(await Officer.exists({ nip: '199201012016031006' })).to.equal(null);
  });

  it('refuses a file without the required columns, naming the missing one, and imports nothing', async () => {
    const before = await Officer.countDocuments();
    const response = await agent
      .post('/api/v1/officers/import')
      .set('X-CSRF-Token', csrf)
      .set('Accept-Language', 'en')
      .set('Content-Type', 'text/csv')
      .send('Nama,Jabatan\nA,B\n')
      .expect(400);
    expect(response.body.error.fields.file).to.equal('The required column "nip" is missing from the header row.');
    expect(await Officer.countDocuments()).to.equal(before);
  });

  it('imports units with commas, children before their parents, and reports bad codes and time zones', async () => {
    const csv = [
      'Kode,Nama,Kode Induk,Zona Waktu,Jenis',
      'PKM-PAALMERAH,Puskesmas Paal Merah,JAMBI-DINKES-KOTA,,puskesmas', // parent comes on the next line
      'JAMBI-DINKES-KOTA,Dinas Kesehatan Kota Jambi,JAMBI,,dinas',
      'bad code!,Unit Rusak,JAMBI,,dinas',
      'KOTA-BARU,Pemerintah Kota Baru,,WITA,',
      'KOTA-LAIN,Pemerintah Kota Lain,,GMT+3,',
      'ANAK-YATIM,Unit Tanpa Induk,TIDAK-ADA,,dinas',
    ].join('\n');
    const root = request.agent(app);
    const rootCsrf = await signIn(root, 'root@suara.test');
    const response = await root.post('/api/v1/units/import').set('X-CSRF-Token', rootCsrf).send({ csv }).expect(200);
    expect(response.body).to.deep.equal({
      created: 3,
      updated: 0,
      rejected: [
        { line: 4, reason: 'Formatnya tidak sesuai.' },
        { line: 6, reason: 'Zona waktu harus Asia/Jakarta (WIB), Asia/Makassar (WITA), atau Asia/Jayapura (WIT).' },
        { line: 7, reason: 'Kode unit induk "TIDAK-ADA" tidak dikenal.' },
      ],
    });
    const child = await Unit.findOne({ code: 'PKM-PAALMERAH' }).lean();
    const parent = await Unit.findOne({ code: 'JAMBI-DINKES-KOTA' }).lean();
    const agency = await Unit.findOne({ code: 'JAMBI' }).lean();
    expect(child!.path.map(String)).to.deep.equal([agency!._id, parent!._id, child!._id].map(String));
    expect(child).to.include({ agencyCode: 'JAMBI', timeZone: 'Asia/Jakarta', kind: 'puskesmas' });
    expect(await Unit.findOne({ code: 'KOTA-BARU' }).lean()).to.include({ timeZone: 'Asia/Makassar', kind: 'agency' });
  });

  it('shows the import report on the admin page after a file upload from the form', async () => {
    const page = await agent.get('/admin/officers').expect(200);
    const action = page.text.match(/action="(\/admin\/officers\/import\?_csrf=[^"]+)"/)![1]!.replace(/&amp;/g, '&');
    const csv =
      '\uFEFFNIP;Nama;Jabatan;Kode Unit\n199411112019032008;Putri Maharani;Perawat;PKM-KEBUNHANDIL\n12345;Salah;Perawat;PKM-KEBUNHANDIL\n';
    const response = await agent.post(action).attach('file', Buffer.from(csv), 'pegawai.csv').expect(200);
    expect(response.text).to.include('1 dibuat, 0 diperbarui, 1 ditolak.');
    expect(response.text).to.include('Baris 3: NIP harus 18 digit angka.');
    expect(response.text).to.include('Putri Maharani');
  });

  it('refuses an upload form post whose token is missing', async () => {
    const csv = 'NIP;Nama;Jabatan;Kode Unit\n199411112019032009;Tanpa Token;Perawat;PKM-KEBUNHANDIL\n';
    await agent.post('/admin/officers/import').attach('file', Buffer.from(csv), 'pegawai.csv').expect(403);
    expect(await Officer.exists({ nip: '199411112019032009' })).to.equal(null);
  });

  it('validates the single-officer form and keeps what was typed', async () => {
    const response = await agent
      .post('/admin/officers')
      .type('form')
      .send({
        _csrf: csrf,
        nip: '198513012010012001',
        name: 'Bulan Tiga Belas',
        position: 'Perawat',
        unitCode: 'PKM-KEBUNHANDIL',
      })
      .expect(400);
    expect(response.text).to.include('Tanggal lahir dalam NIP (digit 1–8) bukan tanggal yang ada.');
    expect(response.text).to.include('value="Bulan Tiga Belas"');
  });
});
