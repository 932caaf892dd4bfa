import PDFDocument from 'pdfkit';
import { dateFormatter } from '../../../platform/calendar.js';
import { formatNumber, t, type Lang } from '../../../platform/i18n.js';
import { berakhlakValues } from './model.js';
import type { EvaluationView } from './evaluations.js';

/**
 * An evaluation as an A4 PDF for the officer's SKP file: officer (name, NIP — a staff-only document), unit, period,
 * the period's figures, each rating with its reason, the predikat, who signed and when, and the version.
 */
export async function evaluationPdf(
  view: EvaluationView & { agencyName?: string | null },
  lang: Lang,
  timeZone: string,
): Promise<Buffer> {
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
  const page = pageOf(doc, lang);
  // Until it is signed, every page says it is a draft, across the page and behind the text.
  if (view.status !== 'signed') {
    doc.on('pageAdded', () => watermark(page));
    watermark(page);
  }
  letterhead(page, view);
  heading(page, view);
  figures(page, view);
  ratings(page, view);
  signatures(page, view, timeZone);
  doc.end();
  return finished;
}

type Doc = InstanceType<typeof PDFDocument>;

/** The document with what every section writes with: the language, the text column, a bold "label: value" line. */
function pageOf(doc: Doc, lang: Lang) {
  const tr = (key: string, params: Record<string, unknown> = {}) => t(lang, key, params);
  return {
    doc,
    lang,
    tr,
    left: doc.page.margins.left,
    right: doc.page.width - doc.page.margins.right,
    line: (label: string, value: string) =>
      doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true }).font('Helvetica').text(value),
    rating: (value: string | null) => (value ? tr(`coaching.work.rating.${value}`) : tr('coaching.work.rating.none')),
  };
}
type Page = ReturnType<typeof pageOf>;

function watermark({ doc, tr }: Page): void {
  const { width, height } = doc.page;
  doc.save();
  doc.rotate(-45, { origin: [width / 2, height / 2] });
  doc
    .font('Helvetica-Bold')
    .fontSize(120)
    .fillColor('#d9d9d9')
    .fillOpacity(0.5)
    .text(tr('coaching.work.evaluation.watermark'), 0, height / 2 - 60, { width, align: 'center', lineBreak: false });
  doc.restore();
  doc.fillOpacity(1).fillColor('#111111');
  doc.x = doc.page.margins.left;
  doc.y = doc.page.margins.top;
}

/** The agency, the unit, a double rule. */
function letterhead({ doc, left, right }: Page, view: EvaluationView & { agencyName?: string | null }): void {
  if (view.agencyName)
    doc.font('Helvetica-Bold').fontSize(14).text(view.agencyName.toUpperCase(), left, doc.y, { align: 'center' });
  doc.font('Helvetica').fontSize(11).text(view.officer.unitName, { align: 'center' });
  doc.moveDown(0.3);
  doc.lineWidth(2).moveTo(left, doc.y).lineTo(right, doc.y).stroke('#111111');
  doc
    .lineWidth(0.7)
    .moveTo(left, doc.y + 3)
    .lineTo(right, doc.y + 3)
    .stroke('#111111');
  doc.moveDown(1);
}

/** The title, the officer and the period. */
function heading({ doc, lang, tr, line }: Page, view: EvaluationView): void {
  const day = (date: string) =>
    dateFormatter(lang === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(`${date}T00:00:00Z`),
    );
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
    `${view.period.label[lang]} (${day(view.period.fromDate)} – ${day(view.period.toDate)})`,
  );
  line(
    tr('coaching.work.evaluation.version'),
    `${view.version} · ${tr(`coaching.work.evaluation.status.${view.status}`)}`,
  );
}

/** The period's figures as they were when the evaluation was drafted. */
function figures({ doc, lang, tr, line }: Page, view: EvaluationView): void {
  const figures = (view.figures ?? {}) as Record<string, unknown>;
  doc.moveDown(0.8).font('Helvetica-Bold').fontSize(12).text(tr('coaching.work.evaluation.figures'));
  const findings = figures.findings as { total?: number } | undefined;
  const survey = figures.survey as { index?: number | null; respondents?: number } | undefined;
  const training = figures.training as { year?: number; jp?: number; target?: number } | undefined;
  line(tr('coaching.work.evaluation.findings'), String(findings?.total ?? view.evidence.length));
  line(tr('coaching.work.evaluation.compliments'), String(figures.compliments ?? 0));
  if (survey?.index !== null && survey?.index !== undefined)
    line(
      tr('coaching.work.evaluation.survey_index'),
      `${formatNumber(lang, survey.index, 2)} (n = ${survey.respondents ?? 0})`,
    );
  line(tr('coaching.work.evaluation.sessions'), String(figures.sessionsHeld ?? 0));
  line(tr('coaching.work.evaluation.open_actions'), String(figures.openActions ?? 0));
  if (training)
    line(
      tr('coaching.work.evaluation.training', { year: training.year }),
      `${training.jp ?? 0} / ${training.target} JP`,
    );
  if (view.evidence.length)
    line(tr('coaching.work.evaluation.evidence'), view.evidence.map((item) => item.code).join(', '));
}

/** Each rating with its reason, the behaviour rating and the predikat. */
function ratings({ doc, tr, line, rating }: Page, view: EvaluationView): void {
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
  // How the rating was reached is part of it: the rule, or the assessor's override with the reason the officer reads.
  doc
    .font('Helvetica')
    .fontSize(9.5)
    .text(tr(`coaching.work.behaviour_by.${view.behaviourDerivation.by}`), { indent: 12 });
  if (view.behaviourDerivation.reason)
    doc.font('Helvetica-Oblique').text(view.behaviourDerivation.reason, { indent: 12 });
  doc
    .moveDown(0.8)
    .font('Helvetica-Bold')
    .fontSize(14)
    .text(`${tr('coaching.work.evaluation.predikat')}: ${view.predikat ?? '—'}`);
}

/** Who signed and when; then the assessor on the left, the officer on the right, each with room to sign by hand. */
function signatures({ doc, lang, tr, left, right }: Page, view: EvaluationView, timeZone: string): void {
  doc.moveDown(0.8).font('Helvetica').fontSize(10);
  if (view.signedBy && view.signedAt) {
    const date = dateFormatter(lang === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'long', timeZone }).format(
      new Date(view.signedAt),
    );
    doc.text(tr('coaching.work.evaluation.signed_by', { name: view.signedBy, date }));
  } else doc.text(tr('coaching.work.evaluation.status.draft'));

  if (doc.y > doc.page.height - doc.page.margins.bottom - 130) doc.addPage();
  doc.moveDown(1.5);
  const top = doc.y;
  const column = (right - left) / 2 - 10;
  const block = (x: number, title: string, name: string, id?: string) => {
    doc.font('Helvetica').fontSize(10).fillColor('#111111').text(title, x, top, { width: column, align: 'center' });
    doc
      .moveTo(x + 20, top + 70)
      .lineTo(x + column - 20, top + 70)
      .lineWidth(0.7)
      .stroke('#111111');
    doc.font('Helvetica-Bold').text(name, x, top + 75, { width: column, align: 'center' });
    if (id) doc.font('Helvetica').text(id, x, doc.y, { width: column, align: 'center' });
  };
  block(left, tr('coaching.work.evaluation.assessor'), view.signedBy ?? view.createdBy);
  block(left + column + 20, tr('coaching.work.evaluation.assessed'), view.officer.name, `NIP ${view.officer.nip}`);
  doc.x = left;
  doc.moveDown(1);
  doc
    .moveDown(1)
    .font('Helvetica-Oblique')
    .fontSize(8)
    .fillColor('#777777')
    .text(tr('coaching.work.evaluation.generated'), left, doc.y);
}
