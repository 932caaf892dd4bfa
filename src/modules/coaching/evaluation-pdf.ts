import PDFDocument from 'pdfkit';
import { dateFormatter } from '../../platform/calendar.js';
import { t, type Lang } from '../../platform/i18n.js';
import { berakhlakValues } from './work-model.js';
import type { EvaluationView } from './work.js';

/**
 * An evaluation as an A4 PDF for the officer's SKP file: officer (name, NIP — a staff-only document), unit, period,
 * the period's figures, each rating with its reason, the predikat, who signed and when, and the version.
 */
export async function evaluationPdf(view: EvaluationView, lang: Lang, timeZone: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: t(lang, 'coaching.work.evaluation.title', { period: view.period.label[lang] }),
      Author: 'Suara',
      Creator: 'Suara',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const tr = (key: string, params: Record<string, unknown> = {}) => t(lang, key, params);
  const rating = (value: string | null) =>
    value ? tr(`coaching.work.rating.${value}`) : tr('coaching.work.rating.none');
  const line = (label: string, value: string) =>
    doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true }).font('Helvetica').text(value);

  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .text(tr('coaching.work.evaluation.title', { period: view.period.label[lang] }));
  doc.font('Helvetica-Oblique').fontSize(8.5).fillColor('#555555').text(tr('coaching.work.evaluation.staff_only'));
  doc.fillColor('#111111').moveDown(0.8);
  line(tr('coaching.work.officer'), view.officer.name);
  line('NIP', view.officer.nip);
  if (view.officer.position) line(tr('coaching.work.position'), view.officer.position);
  line(tr('coaching.work.unit'), view.officer.unitName);
  line(
    tr('coaching.work.evaluation.period'),
    `${view.period.label[lang]} (${view.period.fromDate} – ${view.period.toDate})`,
  );
  line(
    tr('coaching.work.evaluation.version'),
    `${view.version} · ${tr(`coaching.work.evaluation.status.${view.status}`)}`,
  );

  const figures = (view.figures ?? {}) as Record<string, unknown>;
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text(tr('coaching.work.evaluation.figures'));
  const findings = figures.findings as { total?: number } | undefined;
  const survey = figures.survey as { index?: number | null; respondents?: number } | undefined;
  const training = figures.training as { year?: number; jp?: number; target?: number } | undefined;
  line(tr('coaching.work.evaluation.findings'), String(findings?.total ?? view.evidence.length));
  line(tr('coaching.work.evaluation.compliments'), String(figures.compliments ?? 0));
  if (survey?.index !== null && survey?.index !== undefined)
    line(tr('coaching.work.evaluation.survey_index'), `${survey.index.toFixed(2)} (n = ${survey.respondents ?? 0})`);
  line(tr('coaching.work.evaluation.sessions'), String(figures.sessionsHeld ?? 0));
  line(tr('coaching.work.evaluation.open_actions'), String(figures.openActions ?? 0));
  if (training)
    line(
      tr('coaching.work.evaluation.training', { year: training.year }),
      `${training.jp ?? 0} / ${training.target} JP`,
    );
  if (view.evidence.length)
    line(tr('coaching.work.evaluation.evidence'), view.evidence.map((item) => item.code).join(', '));

  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text(tr('coaching.work.evaluation.ratings'));
  const rated = (label: string, value: { rating: string | null; reason: string }) => {
    doc.moveDown(0.3);
    line(label, rating(value.rating));
    if (value.reason)
      doc.font('Helvetica-Oblique').fontSize(9.5).fillColor('#333333').text(value.reason, { indent: 12 });
    doc.fillColor('#111111');
  };
  rated(tr('coaching.work.evaluation.results'), view.results);
  for (const value of berakhlakValues) rated(tr(`coaching.work.value.${value}`), view.values[value]);
  doc.moveDown(0.3);
  line(tr('coaching.work.evaluation.behaviour'), rating(view.behaviour));

  doc
    .moveDown(0.8)
    .font('Helvetica-Bold')
    .fontSize(14)
    .text(`${tr('coaching.work.evaluation.predikat')}: ${view.predikat ?? '—'}`);
  doc.moveDown(0.8).font('Helvetica').fontSize(10);
  if (view.signedBy && view.signedAt) {
    const date = dateFormatter(lang === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'long', timeZone }).format(
      new Date(view.signedAt),
    );
    doc.text(tr('coaching.work.evaluation.signed_by', { name: view.signedBy, date }));
  } else doc.text(tr('coaching.work.evaluation.status.draft'));
  doc
    .moveDown(1)
    .font('Helvetica-Oblique')
    .fontSize(8)
    .fillColor('#777777')
    .text(tr('coaching.work.evaluation.generated'));
  doc.end();
  return finished;
}
