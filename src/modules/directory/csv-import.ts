import { parse } from 'csv-parse/sync';

/**
 * Reading what agencies really send: a spreadsheet exported as CSV, often with a BOM, Indonesian headers, and
 * semicolons (Excel in an Indonesian locale) or commas. Rows come back keyed by our field names with the line
 * number the person will see in their spreadsheet.
 */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

export interface Problem {
  key: string;
  params?: Record<string, unknown>;
}

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; problem: Problem };

export const MAX_IMPORT_ROWS = 5000;

const headerKey = (header: string) =>
  header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[_.\s]+/g, ' ');

export function readCsv(text: string, aliases: Record<string, string[]>, required: string[]): CsvResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter: [';', ',', '\t'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    return { ok: false, problem: { key: 'validation.invalid', params: { detail: (error as Error).message } } };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, problem: { key: 'import.empty_file' } };
  if (body.length > MAX_IMPORT_ROWS)
    return { ok: false, problem: { key: 'import.too_many_rows', params: { limit: MAX_IMPORT_ROWS } } };
  const columnOf: Record<string, number> = {};
  header.record.forEach((cell, index) => {
    const key = headerKey(cell);
    const field = Object.keys(aliases).find((name) => aliases[name]!.includes(key));
    if (field && columnOf[field] === undefined) columnOf[field] = index;
  });
  const missing = required.find((field) => columnOf[field] === undefined);
  if (missing)
    return { ok: false, problem: { key: 'import.missing_column', params: { column: aliases[missing]![0] } } };
  const rows = body
    .map(({ record, info }) => ({
      line: info.lines,
      values: Object.fromEntries(Object.entries(columnOf).map(([field, index]) => [field, record[index] ?? ''])),
    }))
    .filter((row) => Object.values(row.values).some((value) => value !== ''));
  return { ok: true, rows };
}

export const officerColumns: Record<string, string[]> = {
  nip: ['nip', 'nip/ni pppk', 'nip / ni pppk', 'ni pppk', 'nip baru', 'nomor induk pegawai'],
  name: ['nama', 'nama lengkap', 'nama pegawai', 'name'],
  position: ['jabatan', 'nama jabatan', 'position'],
  unitCode: ['kode unit', 'kode unit kerja', 'unit', 'unit code', 'unitcode', 'unit kerja'],
};

export const unitColumns: Record<string, string[]> = {
  code: ['kode', 'kode unit', 'code'],
  name: ['nama', 'nama unit', 'name'],
  parentCode: ['kode induk', 'kode unit induk', 'induk', 'parent', 'parent code', 'parentcode'],
  timeZone: ['zona waktu', 'zona', 'time zone', 'timezone'],
  kind: ['jenis', 'jenis unit', 'kind'],
  population: ['jumlah pengguna layanan', 'jumlah pengguna', 'populasi', 'population'],
};

/** "WIB" / "WITA" / "WIT" as people write them, or the IANA name. */
export function timeZoneFromText(text: string): string | undefined {
  const value = text.trim().toUpperCase();
  if (value === '') return undefined;
  const byLabel: Record<string, string> = {
    WIB: 'Asia/Jakarta',
    'UTC+7': 'Asia/Jakarta',
    WITA: 'Asia/Makassar',
    'UTC+8': 'Asia/Makassar',
    WIT: 'Asia/Jayapura',
    'UTC+9': 'Asia/Jayapura',
  };
  return (
    byLabel[value] ??
    ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'].find((zone) => zone.toUpperCase() === value) ??
    'invalid'
  );
}
