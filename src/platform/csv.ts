import type { Request } from 'express';
import multer from 'multer';
import { parse } from 'csv-parse/sync';
import { AppError } from './errors.js';

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

export interface ImportReport {
  created: number;
  updated: number;
  rejected: { line: number; problem: Problem }[];
}

export function firstProblem(error: unknown): Problem {
  if (error instanceof AppError && error.fields) {
    const [field] = Object.values(error.fields);
    if (field) return { key: field.key, params: field.params };
  }
  if (error instanceof AppError) return { key: error.messageKey, params: error.params };
  throw error;
}

/** An import file's size limit. */
export const CSV_LIMIT_BYTES = 2 * 1024 * 1024;
export const csvUpload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: CSV_LIMIT_BYTES, files: 1, fields: 10 },
});

/** The CSV text of an import: an uploaded file, a `csv` form/JSON field, or a text/csv body. */
export function csvText(req: Request): string {
  if (req.file) return req.file.buffer.toString('utf8');
  if (typeof req.body === 'string') return req.body;
  const field = (req.body as Record<string, unknown> | undefined)?.csv;
  if (typeof field === 'string' && field.trim()) return field;
  throw AppError.validation({ file: { key: 'validation.required' } });
}

export function translatedReport(req: Request, report: ImportReport) {
  return {
    created: report.created,
    updated: report.updated,
    rejected: report.rejected.map((entry) => ({
      line: entry.line,
      reason: req.t(entry.problem.key, entry.problem.params),
    })),
  };
}
