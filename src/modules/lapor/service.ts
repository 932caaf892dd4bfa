import { can, scopeOf, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { firstProblem, MAX_IMPORT_ROWS, readCsv, type CsvRow, type ImportReport } from '../../platform/csv.js';
import { AppError } from '../../platform/errors.js';
import type { Lang } from '../../platform/i18n.js';
import { csvCell } from '../analytics/index.js';
import { findUnitByCode, listPublicUnits } from '../directory/index.js';
import {
  activeCategories,
  fileTicket,
  recordLaporState,
  ticketForLaporReport,
  ticketsForHandOver,
  type HandOverTicket,
} from '../feedback/index.js';
import { columnAliases, columns, kindOfJenis, privacyOfKerahasiaan, rowOf, type Column } from './format.js';

/**
 * SP4N-LAPOR! hand-over (docs/lapor.md): exporting the tickets a staff member may see as LAPOR!'s fields, and
 * importing what LAPOR! says of reports, matched by LAPOR!'s tracking number. Both are audited.
 */

export interface ExportQuery {
  codes?: string[];
  from?: Date;
  to?: Date;
  limit: number;
}

/** The rows of an export, in the tickets' order (newest first); the export is written to the audit log. */
export async function exportForLapor(actor: Actor, query: ExportQuery): Promise<Record<Column, string>[]> {
  const [tickets, units, categories] = await Promise.all([
    ticketsForHandOver(actor, query),
    listPublicUnits(),
    activeCategories(),
  ]);
  const names = {
    unit: new Map(units.map((unit) => [unit.code, unit.name])),
    category: new Map(categories.map((category) => [category.code, category.name?.id ?? category.code])),
  };
  // Opening a confidential or anonymous ticket is logged one by one; handing it over is too.
  await recordAudit(actor, 'lapor.export', null, {
    count: tickets.length,
    codes: tickets.slice(0, 100).map((ticket) => ticket.code),
    protected: tickets.filter((ticket) => ticket.privacy !== 'public').map((ticket) => ticket.code),
    from: query.from ?? null,
    to: query.to ?? null,
  });
  return tickets.map((ticket) => rowOf(ticket, names));
}

/** CSV with a BOM (spreadsheets read UTF-8), a header of the column names, formulas defused. */
export function toLaporCsv(rows: Record<Column, string>[]): string {
  const line = (cells: readonly unknown[]) => cells.map(csvCell).join(',');
  return (
    '\uFEFF' + [line(columns), ...rows.map((row) => line(columns.map((column) => row[column])))].join('\r\n') + '\r\n'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Import

export interface LaporImportReport extends ImportReport {
  /** Rows whose report Suara already had: `updated` of them changed something, the rest were already so. */
  matched: number;
  unchanged: number;
}

const headerKey = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[_.\s]+/g, ' ');

/** JSON rows (objects keyed like the CSV header) as CSV rows, numbered from 1. */
function rowsFromJson(reports: unknown[]): CsvRow[] {
  if (reports.length > MAX_IMPORT_ROWS)
    throw AppError.validation({ reports: { key: 'import.too_many_rows', params: { limit: MAX_IMPORT_ROWS } } });
  return reports.map((report, index) => {
    const values: Record<string, string> = {};
    if (report && typeof report === 'object')
      for (const [key, value] of Object.entries(report as Record<string, unknown>)) {
        const field = Object.keys(columnAliases).find((name) => columnAliases[name]!.includes(headerKey(key)));
        if (field && values[field] === undefined && (typeof value === 'string' || typeof value === 'number'))
          values[field] = String(value).trim();
      }
    return { line: index + 1, values };
  });
}

const trackingNumber = /^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/;
const shortText = (value: string | undefined) => (value ?? '').trim().slice(0, 120) || null;

type RowOutcome = 'created' | 'updated' | 'unchanged';

/** One row: matched by its tracking number, or linked to the Suara ticket it names, or filed as a new ticket. */
async function importRow(actor: Actor, row: CsvRow, context: { lang: Lang; publicUrl: string; dataDir: string }) {
  const values = row.values;
  const number = values.nomor_tracking!.trim();
  const state = { trackingNumber: number, status: shortText(values.status), disposition: shortText(values.disposisi) };
  // An empty status or disposition is LAPOR! saying nothing new: what the ticket has stays.
  const keeping = (ticket: HandOverTicket) => ({
    ...state,
    status: state.status ?? ticket.laporStatus,
    disposition: state.disposition ?? ticket.laporDisposition,
  });
  const known = await ticketForLaporReport(number);
  if (known) return recordLaporState(actor, known.code, keeping(known));
  if (values.kode_suara) {
    const code = values.kode_suara.trim().toUpperCase();
    const [linked] = await ticketsForHandOver(actor, { codes: [code], limit: 1 });
    if (!linked) throw new AppError('not_found', 'lapor.unknown_ticket', { code });
    return recordLaporState(actor, code, keeping(linked));
  }
  return fileReport(actor, row, state, context);
}

/** A report Suara does not have yet: filed through the one intake path, channel `lapor`, by someone who triages there. */
async function fileReport(
  actor: Actor,
  row: CsvRow,
  state: { trackingNumber: string; status: string | null; disposition: string | null },
  context: { lang: Lang; publicUrl: string; dataDir: string },
): Promise<RowOutcome> {
  const values = row.values;
  const unitCode = (values.kode_unit ?? '').trim().toUpperCase();
  if (!unitCode) throw new AppError('validation', 'lapor.unit_required');
  const unit = await findUnitByCode(unitCode);
  if (!unit || !can(actor, 'tickets.triage', { unitPath: unit.path.map(String) }))
    throw new AppError('validation', 'import.unknown_unit', { code: unitCode });
  const jenis = (values.jenis || 'pengaduan').trim().toLowerCase().replace(/\s+/g, '_');
  const kind = kindOfJenis[jenis];
  if (!kind) throw new AppError('validation', 'lapor.unknown_kind', { value: values.jenis });
  const kerahasiaan = (values.kerahasiaan || 'rahasia').trim().toLowerCase();
  const privacy = privacyOfKerahasiaan[kerahasiaan];
  if (!privacy) throw new AppError('validation', 'lapor.unknown_privacy', { value: values.kerahasiaan });
  const title = (values.judul ?? '').trim();
  const content = (values.isi ?? '').trim();
  const category = (values.kategori || (kind === 'information_request' ? 'information' : 'other')).trim().toLowerCase();
  const receipt = await fileTicket(
    {
      kind,
      unitCode,
      category,
      description: title && !content.startsWith(title) ? `${title}\n\n${content}` : content,
      privacy,
      reporter: {},
      consent: true,
    },
    // The tracking number keys the filing: a second import, or one cut short, replays the same ticket.
    { ...context, staff: true, channel: 'lapor', idempotencyKey: `lapor:${state.trackingNumber}` },
  );
  const linked = await recordLaporState(actor, receipt.code, state);
  // A replay is a ticket an earlier import filed and could not link: linking it now is an update, not a new ticket.
  return receipt.replayed ? linked : 'created';
}

/**
 * Imports a LAPOR! file (CSV text or JSON rows). Rows are settled one by one: a refused row is reported with its
 * reason and changes nothing; the others stand. The same file twice changes nothing the second time.
 */
export async function importFromLapor(
  actor: Actor,
  source: { csv: string } | { reports: unknown[] },
  context: { lang: Lang; publicUrl: string; dataDir: string },
): Promise<LaporImportReport> {
  const scope = scopeOf(actor, 'tickets.triage');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  let rows: CsvRow[];
  if ('csv' in source) {
    const parsed = readCsv(source.csv, columnAliases, ['nomor_tracking']);
    if (!parsed.ok) throw AppError.validation({ file: parsed.problem });
    rows = parsed.rows;
  } else rows = rowsFromJson(source.reports);
  const report: LaporImportReport = { created: 0, updated: 0, matched: 0, unchanged: 0, rejected: [] };
  const seen = new Map<string, number>();
  for (const row of rows) {
    const number = (row.values.nomor_tracking ?? '').trim();
    if (!trackingNumber.test(number)) {
      report.rejected.push({ line: row.line, problem: { key: 'lapor.bad_tracking_number' } });
      continue;
    }
    const earlier = seen.get(number.toUpperCase());
    if (earlier) {
      report.rejected.push({ line: row.line, problem: { key: 'import.duplicate_in_file', params: { line: earlier } } });
      continue;
    }
    seen.set(number.toUpperCase(), row.line);
    try {
      const outcome = await importRow(actor, row, context);
      if (outcome === 'created') report.created++;
      else {
        report.matched++;
        if (outcome === 'updated') report.updated++;
        else report.unchanged++;
      }
    } catch (error) {
      report.rejected.push({ line: row.line, problem: firstProblem(error) });
    }
  }
  await recordAudit(actor, 'lapor.import', null, {
    rows: rows.length,
    created: report.created,
    matched: report.matched,
    updated: report.updated,
    unchanged: report.unchanged,
    rejected: report.rejected.length,
  });
  return report;
}
