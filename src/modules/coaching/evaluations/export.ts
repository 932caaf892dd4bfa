import type { Lang } from '../../../platform/i18n.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { type Actor } from '../../../platform/access.js';
import { findUnitByCode } from '../../directory/index.js';
import { getEvaluation, type EvaluationView } from './evaluations.js';
import { berakhlakValues } from './model.js';

/** An evaluation for export (PDF, CSV): the same reading rules, audited as an export. */
export async function evaluationForExport(actor: Actor | undefined, id: unknown, format: 'pdf' | 'csv') {
  const view = await getEvaluation(actor, id);
  await recordAudit(actor!, 'coaching.evaluation.export', view.officer.nip, { evaluationId: view.id, format });
  // The printed copy carries the agency's name at its head.
  const unit = await findUnitByCode(view.officer.unitCode);
  const agency = unit && unit.agencyCode !== unit.code ? await findUnitByCode(unit.agencyCode) : unit;
  return { ...view, agencyName: agency?.name ?? null };
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading =, +, -, @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The evaluation as CSV: one line per rated item, then the figures and the evidence. */
export function evaluationCsv(view: EvaluationView, lang: Lang): string {
  const rows: unknown[][] = [
    ['field', 'value', 'reason'],
    ['officer', view.officer.name, ''],
    ['nip', view.officer.nip, ''],
    ['unit', view.officer.unitName, ''],
    ['period', view.period.label[lang], `${view.period.fromDate}..${view.period.toDate}`],
    ['version', view.version, view.status],
    ['results', view.results.rating ?? '', view.results.reason],
    ...berakhlakValues.map((value) => [value, view.values[value].rating ?? '', view.values[value].reason]),
    ['behaviour', view.behaviour ?? '', view.behaviourDerivation.reason ?? ''],
    ['behaviour_derivation', view.behaviourDerivation.by, ''],
    ['predikat', view.predikat ?? '', ''],
    ['signed_by', view.signedBy ?? '', view.signedAt ? new Date(view.signedAt).toISOString() : ''],
  ];
  const figures = (view.figures ?? {}) as Record<string, unknown>;
  for (const key of ['sessionsHeld', 'openActions', 'compliments'])
    if (typeof figures[key] === 'number') rows.push([`figures.${key}`, figures[key], '']);
  const findings = figures.findings as { total?: number } | undefined;
  if (findings && typeof findings.total === 'number') rows.push(['figures.findings', findings.total, '']);
  const training = figures.training as { year?: number; jp?: number; target?: number } | undefined;
  if (training) rows.push(['figures.training_jp', training.jp ?? 0, `${training.year} / ${training.target} JP`]);
  for (const item of view.evidence) rows.push(['evidence', item.code, `${item.category ?? ''} ${item.outcome}`.trim()]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
