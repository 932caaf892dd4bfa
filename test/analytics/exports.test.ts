import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Express } from 'express';
import request from 'supertest';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { Unit } from '../../src/modules/directory/model.js';
import { useTestDatabase } from '../helpers/db.js';
import { seedDirectory, signIn, testApp } from '../helpers/app.js';
import { insertWorkedExample, WORKED_TOTALS } from './pages-helpers.js';

const QUERY = 'unitCode=PKM-KEBUNHANDIL&from=2026-07-01&to=2026-09-30';

/** Reads a binary response whole (supertest would otherwise try to parse it as text). */
const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const cellText = (sheet: ExcelJS.Worksheet) => {
  const cells: string[] = [];
  sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value ?? ''))));
  return cells.join('\n');
};

describe('IKM exports: the workbook agencies file, CSV and the printable page', function () {
  this.timeout(90_000); // many requests each; the shared machine can be slow
  useTestDatabase();
  let app: Express;
  let head: request.Agent;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    await Unit.updateOne({ code: 'PKM-KEBUNHANDIL' }, { $set: { population: 1000 } });
    // The worked example of docs/domain.md#skm-and-ikm, in Q3 2026 (10:00 WIB), with a comment carrying contact data.
    await insertWorkedExample('PKM-KEBUNHANDIL', new Date('2026-08-10T03:00:00Z'), {
      comment: 'Bagus. Hubungi saya di 081234567890 atau rahmat@contoh.id, NIK 1571010101900001.',
    });
    head = request.agent(app);
    await signIn(head, 'kepala.kebunhandil@suara.test');
  });

  it('writes an .xlsx with the summary, the per-element table (totals, means, grades, IKM row) and raw answers', async () => {
    const response = await head
      .get(`/analytics/ikm.xlsx?${QUERY}`)
      .buffer(true)
      .parse(binary)
      .expect(200)
      .expect('Content-Type', /spreadsheetml/);
    expect(response.headers['content-disposition']).to.match(/IKM_PKM-KEBUNHANDIL_2026-07-01_2026-09-30\.xlsx/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.body as unknown as ExcelJS.Buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).to.deep.equal(['Ringkasan', 'Per unsur', 'Jawaban']);

    const summary = workbook.getWorksheet('Ringkasan')!;
    const summaryRows = new Map<string, unknown>();
    summary.eachRow((row) => summaryRows.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(summaryRows.get('IKM')).to.equal(91.48);
    expect(summaryRows.get('Jumlah responden')).to.equal(29);
    expect(summaryRows.get('Mutu')).to.equal('A (Sangat Baik)');
    expect(summaryRows.get('Sampel minimal (Krejcie–Morgan)')).to.equal(278);
    expect(String(summaryRows.get('Peringatan'))).to.include('di bawah sampel minimal (278)');

    const elements = workbook.getWorksheet('Per unsur')!;
    const rows: unknown[][] = [];
    elements.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]).to.include('Jumlah nilai');
    const elementRows = rows.slice(1, 10);
    expect(elementRows.map((row) => row[2])).to.deep.equal(WORKED_TOTALS);
    expect(elementRows[0]).to.deep.equal([1, 'Persyaratan', 105, 3.6207, 0.111111, 0.402299, 'A']);
    expect(elementRows[2]![6]).to.equal('B'); // 100 / 29 = 3.4483
    const total = rows.find((row) => row[1] === 'Jumlah')!;
    expect(total[2]).to.equal(WORKED_TOTALS.reduce((sum, value) => sum + value, 0));
    const ikm = rows.find((row) => String(row[1]).startsWith('IKM'))!;
    expect(ikm[5]).to.equal(91.48);
    expect(ikm[6]).to.equal('A (Sangat Baik)');

    const answers = workbook.getWorksheet('Jawaban')!;
    expect(answers.rowCount).to.equal(30); // header + 29 respondents
    expect((answers.getRow(2).values as unknown[]).slice(1, 14)).to.deep.equal([
      1,
      '2026-08-10',
      'PKM-KEBUNHANDIL',
      '',
      4,
      4,
      4,
      4,
      4,
      4,
      4,
      4,
      4,
    ]);
    const everything = workbook.worksheets.map(cellText).join('\n');
    // Never the evidence hashes, never contact data or a NIK from a comment.
    expect(everything).not.to.include('d'.repeat(64));
    expect(everything).not.to.include('e'.repeat(64));
    expect(everything).not.to.include('081234567890');
    expect(everything).not.to.include('rahmat@contoh.id');
    expect(everything).not.to.include('1571010101900001');
    expect(everything).to.include('[telepon]');
    // Who took the answers out is on record.
    const audit = await AuditEntry.findOne({ action: 'analytics.export', target: 'PKM-KEBUNHANDIL' }).lean();
    expect(audit!.details).to.deep.include({ format: 'xlsx', from: '2026-07-01', to: '2026-09-30' });
  });

  it('writes the per-element table and the answers as CSV', async () => {
    const elements = await head
      .get(`/analytics/ikm.csv?${QUERY}`)
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const lines = elements.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).to.have.length(13); // header, 9 elements, total, IKM, respondents
    expect(lines[1]).to.equal('1,Persyaratan,105,3.6207,0.111111,0.402299,A');
    expect(lines[10]).to.equal(',Jumlah,955,,,,');
    expect(lines[11]).to.match(/IKM.*,91\.48,A$/);
    const answers = await head
      .get(`/analytics/ikm.csv?${QUERY}&table=answers`)
      .set('Accept-Language', 'en')
      .expect(200);
    const answerLines = answers.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(answerLines).to.have.length(30);
    expect(answerLines[0]).to.match(/^Date,Service unit,Service,U1,/);
    expect(answers.text).not.to.include('081234567890');
    expect(answers.text).not.to.include('d'.repeat(64));
  });

  it('prints: a page with print CSS, the table and a print button', async () => {
    const page = await head.get(`/analytics/ikm/print?${QUERY}`).expect(200);
    expect(page.text).to.include('Cetak / Print');
    expect(page.text).to.include('id="print-button"');
    expect(page.text).to.include('/static/css/analytics.css');
    expect(page.text).to.include('91,48');
    expect(page.text).not.to.include('<nav');
    const css = await request(app).get('/static/css/analytics.css').expect(200);
    expect(css.text).to.include('@media print');
  });

  it('refuses exports to a handler, outside the scope, and without sign-in; bad input is a 400', async () => {
    const handler = request.agent(app);
    await signIn(handler, 'petugas@suara.test');
    await handler.get(`/analytics/ikm.xlsx?${QUERY}`).expect(403);
    await head.get('/analytics/ikm.xlsx?unitCode=AMB-DUKCAPIL&from=2026-07-01&to=2026-09-30').expect(403);
    await request(app).get(`/analytics/ikm.csv?${QUERY}`).expect(303);
    const bad = await head
      .get('/analytics/ikm.csv?unitCode=PKM-KEBUNHANDIL&from=2026-02-30&to=2026-03-31')
      .set('Accept', 'application/json')
      .expect(400);
    expect(bad.body.error.code).to.equal('validation');
    expect(bad.body.error.fields.from).to.equal('Tanggal tidak valid (format TTTT-BB-HH).');
    await head.get(`/analytics/ikm.csv?${QUERY}&table=secrets`).set('Accept', 'application/json').expect(400);
  });
});
