import ExcelJS from 'exceljs';
import { AppError } from '../../../platform/errors.js';
import { localDate } from '../../../platform/calendar.js';
import { assertCan, type Actor } from '../../../platform/access.js';
import { scrubPersonalData } from '../../feedback/index.js';
import { answersForExport, SKM_ELEMENTS, type ExportedAnswer } from '../../surveys/index.js';
import type { Period } from '../shared/period.js';
import type { IkmReport } from './report.js';

/**
 * The IKM report as agencies file it (PermenPANRB 14/2017): an Excel workbook with a summary, the per-element table
 * (totals, means, grades and the IKM row) and the raw answers; the same tables as CSV. Raw answers carry the nine
 * answers, the respondent profile and the date only: never the device or network hashes, and comments only scrubbed.
 */

/** More rows than this do not fit a report a person reads; the workbook says so instead of growing without bound. */
export const RAW_ANSWER_LIMIT = 50_000;

export type RawAnswer = ExportedAnswer;

/** The answers of the period for the unit (and its subtree), oldest first, for staff who may read its analytics. */
export async function rawAnswers(
  actor: Actor | undefined,
  period: Pick<Period, 'unit' | 'from' | 'to' | 'serviceCode' | 'subtree'>,
  limit = RAW_ANSWER_LIMIT,
): Promise<{ rows: RawAnswer[]; truncated: boolean }> {
  if (!actor) throw new AppError('unauthenticated');
  assertCan(actor, 'analytics.read', { unitPath: period.unit.path.map(String) });
  const docs = await answersForExport({
    unitId: period.unit._id,
    subtree: period.subtree,
    from: period.from,
    to: period.to,
    serviceCode: period.serviceCode,
    limit: limit + 1,
  });
  return {
    rows: docs.slice(0, limit).map((doc) => ({
      submittedAt: doc.submittedAt,
      unitCode: doc.unitCode,
      serviceCode: doc.serviceCode ?? null,
      answers: [...doc.answers],
      respondent: {
        gender: doc.respondent?.gender,
        ageBand: doc.respondent?.ageBand,
        education: doc.respondent?.education,
        occupation: doc.respondent?.occupation,
      },
      comment: doc.comment ? scrubPersonalData(doc.comment) : null,
    })),
    truncated: docs.length > limit,
  };
}

type Translate = (key: string, params?: Record<string, unknown>) => string;

const fixed = (value: number | null | undefined, places: number) =>
  value === null || value === undefined ? '' : value.toFixed(places);

/** The per-element rows with their weighted contribution, and the IKM row: one table for xlsx, CSV and the page. */
export function elementTable(report: IkmReport, t: Translate) {
  const rows = report.elements.map((entry, index) => ({
    number: index + 1,
    element: entry.element,
    label: t(`surveys.element.${entry.element}`),
    total: entry.total,
    mean: entry.mean,
    weight: report.weights[index] ?? 1 / SKM_ELEMENTS.length,
    weighted: entry.mean === null ? null : entry.mean * (report.weights[index] ?? 1 / SKM_ELEMENTS.length),
    grade: entry.grade,
  }));
  return { rows, total: rows.reduce((sum, row) => sum + row.total, 0) };
}

const sheetName = (t: Translate, key: string) => t(key).slice(0, 31);

type Workbook = InstanceType<typeof ExcelJS.Workbook>;
type Answers = { rows: RawAnswer[]; truncated: boolean };

/** "Ringkasan": the unit, period, index and grade, sample, integrity flags and the respondents' profile. */
function addSummarySheet(
  workbook: Workbook,
  report: IkmReport,
  period: Pick<Period, 'fromDay' | 'toDay'>,
  t: Translate,
) {
  const summary = workbook.addWorksheet('Ringkasan');
  summary.columns = [{ width: 42 }, { width: 48 }];
  const line = (label: string, value: string | number | null) => summary.addRow([label, value ?? '']);
  summary.addRow([t('analytics.pages.ikm_title')]).font = { bold: true, size: 14 };
  line(t('feedback.unit'), `${report.unit.name} (${report.unit.code})`);
  line(t('analytics.pages.period'), `${period.fromDay} – ${period.toDay}`);
  line(t('analytics.pages.service'), report.serviceCode ?? t('analytics.pages.all_services'));
  line(t('analytics.pages.subtree'), report.subtree ? t('analytics.pages.yes') : t('analytics.pages.no'));
  line(t('analytics.pages.respondents'), report.respondents);
  line('IKM', report.ikm);
  line(t('analytics.pages.grade'), report.grade ? `${report.grade} (${report.label})` : '');
  line(t('analytics.pages.population'), report.unit.population);
  line(t('analytics.pages.minimum_sample'), report.minimumSample);
  if (report.sampleTooSmall)
    line(t('analytics.pages.warning'), t('analytics.pages.sample_too_small', { minimum: report.minimumSample }));
  line(t('analytics.pages.integrity_flagged'), report.integrity.flagged);
  for (const [flag, count] of Object.entries(report.integrity.byFlag))
    line(`  ${t(`analytics.pages.flag.${flag}`)}`, count);
  summary.addRow([]);
  summary.addRow([t('analytics.pages.profile')]).font = { bold: true };
  for (const [group, prefix] of profileGroups)
    for (const [code, count] of Object.entries(report.profile[group]))
      line(`${t(groupLabel[group])}: ${t(`${prefix}.${code}`)}`, count);
}

/** The per-element table with weights, the total and the IKM row. */
function addElementSheet(workbook: Workbook, report: IkmReport, t: Translate) {
  const table = elementTable(report, t);
  const elements = workbook.addWorksheet(sheetName(t, 'analytics.pages.sheet_elements'));
  elements.columns = [
    { header: t('analytics.pages.col_number'), width: 5 },
    { header: t('analytics.pages.col_element'), width: 44 },
    { header: t('analytics.pages.col_total'), width: 14 },
    { header: t('analytics.pages.col_mean'), width: 14 },
    { header: t('analytics.pages.col_weight'), width: 12 },
    { header: t('analytics.pages.col_weighted'), width: 16 },
    { header: t('analytics.pages.grade'), width: 10 },
  ];
  elements.getRow(1).font = { bold: true };
  for (const row of table.rows)
    elements.addRow([
      row.number,
      row.label,
      row.total,
      row.mean === null ? null : Number(row.mean.toFixed(4)),
      Number(row.weight.toFixed(6)),
      row.weighted === null ? null : Number(row.weighted.toFixed(6)),
      row.grade ?? '',
    ]);
  elements.addRow(['', t('analytics.pages.total'), table.total]).font = { bold: true };
  const ikmRow = elements.addRow([
    '',
    t('analytics.pages.ikm_row'),
    null,
    null,
    null,
    report.ikm,
    report.grade ? `${report.grade} (${report.label})` : '',
  ]);
  ikmRow.font = { bold: true };
  elements.addRow(['', t('analytics.pages.respondents'), report.respondents]);
}

/** The raw answers, one row each, dated on the unit's local day. */
function addAnswerSheet(workbook: Workbook, answers: Answers, timeZone: string, t: Translate) {
  const raw = workbook.addWorksheet(sheetName(t, 'analytics.pages.sheet_answers'));
  raw.columns = [
    { header: t('analytics.pages.col_number'), width: 6 },
    { header: t('analytics.pages.col_date'), width: 12 },
    { header: t('feedback.unit'), width: 18 },
    { header: t('analytics.pages.service'), width: 14 },
    ...SKM_ELEMENTS.map((_, index) => ({ header: `U${index + 1}`, width: 5 })),
    { header: t('surveys.gender'), width: 12 },
    { header: t('surveys.age_band'), width: 14 },
    { header: t('surveys.education'), width: 14 },
    { header: t('surveys.occupation'), width: 18 },
    { header: t('analytics.pages.col_comment'), width: 50 },
  ];
  raw.getRow(1).font = { bold: true };
  answers.rows.forEach((row, index) =>
    raw.addRow([
      index + 1,
      localDate(row.submittedAt, timeZone),
      row.unitCode,
      row.serviceCode ?? '',
      ...row.answers,
      // A profile field a kiosk respondent skipped stays an empty cell.
      row.respondent.gender ? t(`surveys.gender.${row.respondent.gender}`) : '',
      row.respondent.ageBand ? t(`surveys.age.${row.respondent.ageBand}`) : '',
      row.respondent.education ? t(`surveys.education.${row.respondent.education}`) : '',
      row.respondent.occupation ? t(`surveys.occupation.${row.respondent.occupation}`) : '',
      row.comment ?? '',
    ]),
  );
  if (answers.truncated) raw.addRow(['', t('analytics.pages.truncated', { limit: RAW_ANSWER_LIMIT })]);
}

/** The workbook: "Ringkasan" (summary), the per-element table, the raw answers. */
export async function ikmWorkbook(
  report: IkmReport,
  period: Pick<Period, 'fromDay' | 'toDay' | 'unit'>,
  answers: Answers,
  t: Translate,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Suara';
  workbook.created = new Date();
  addSummarySheet(workbook, report, period, t);
  addElementSheet(workbook, report, t);
  addAnswerSheet(workbook, answers, period.unit.timeZone, t);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const profileGroups = [
  ['gender', 'surveys.gender'],
  ['ageBand', 'surveys.age'],
  ['education', 'surveys.education'],
  ['occupation', 'surveys.occupation'],
] as const;
const groupLabel = {
  gender: 'surveys.gender',
  ageBand: 'surveys.age_band',
  education: 'surveys.education',
  occupation: 'surveys.occupation',
} as const;
export { groupLabel as profileGroupLabel };

/** One CSV cell: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\n\r;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text (with a BOM, so spreadsheet programs read UTF-8) from a header and rows. */
export function toCsv(header: readonly unknown[], rows: readonly (readonly unknown[])[]): string {
  return '\uFEFF' + [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The per-element table with totals and the IKM row, as CSV. */
export function elementsCsv(report: IkmReport, t: Translate): string {
  const table = elementTable(report, t);
  return toCsv(
    [
      t('analytics.pages.col_number'),
      t('analytics.pages.col_element'),
      t('analytics.pages.col_total'),
      t('analytics.pages.col_mean'),
      t('analytics.pages.col_weight'),
      t('analytics.pages.col_weighted'),
      t('analytics.pages.grade'),
    ],
    [
      ...table.rows.map((row) => [
        row.number,
        row.label,
        row.total,
        fixed(row.mean, 4),
        fixed(row.weight, 6),
        fixed(row.weighted, 6),
        row.grade ?? '',
      ]),
      ['', t('analytics.pages.total'), table.total, '', '', '', ''],
      ['', t('analytics.pages.ikm_row'), '', '', '', fixed(report.ikm, 2), report.grade ?? ''],
      ['', t('analytics.pages.respondents'), report.respondents, '', '', '', ''],
    ],
  );
}

/** The raw answers as CSV (same columns and rules as the workbook's sheet). */
export function answersCsv(answers: { rows: RawAnswer[] }, timeZone: string, t: Translate): string {
  return toCsv(
    [
      t('analytics.pages.col_date'),
      t('feedback.unit'),
      t('analytics.pages.service'),
      ...SKM_ELEMENTS.map((_, index) => `U${index + 1}`),
      t('surveys.gender'),
      t('surveys.age_band'),
      t('surveys.education'),
      t('surveys.occupation'),
      t('analytics.pages.col_comment'),
    ],
    answers.rows.map((row) => [
      localDate(row.submittedAt, timeZone),
      row.unitCode,
      row.serviceCode ?? '',
      ...row.answers,
      row.respondent.gender,
      row.respondent.ageBand,
      row.respondent.education,
      row.respondent.occupation,
      row.comment ?? '',
    ]),
  );
}
