import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { AppError } from '../../platform/errors.js';
import { t } from '../../platform/i18n.js';
import { assertCan, type Actor } from '../../platform/access.js';
import { findOfficer, findUnitByCode, listPublicOfficers, type PublicOfficer, type UnitDoc } from './service.js';

/**
 * QR codes and printable posters that take a citizen from a counter to the intake form or the survey with the
 * unit (and the counter or officer) already chosen. A link names an officer only by the opaque `ref`, never the
 * NIP, which encodes the birth date (docs/domain.md#officers-and-nip).
 */

export const qrKinds = ['form', 'survey'] as const;
export type QrKind = (typeof qrKinds)[number];

/** Where a code leads: a unit, optionally one of its counters or officers. */
export interface QrLink {
  unitCode: string;
  counter?: string;
  officerRef?: string;
}

/** Error correction Q restores a code with about a quarter of it scratched, stained or covered by tape. */
const ERROR_CORRECTION = 'Q';

/** `<publicUrl>/u/<UNIT>` for the complaint/compliment form, `<publicUrl>/survey/<UNIT>` for the survey. */
export function citizenUrl(publicUrl: string, kind: QrKind, link: QrLink): string {
  const base = `${publicUrl.replace(/\/+$/, '')}/${kind === 'form' ? 'u' : 'survey'}/${encodeURIComponent(link.unitCode)}`;
  const query = new URLSearchParams();
  if (link.counter) query.set('counter', link.counter);
  if (link.officerRef) query.set('officer', link.officerRef);
  return query.size ? `${base}?${query}` : base;
}

/** What a person types when they cannot scan: no scheme, and no query (a counter or officer is chosen on the form). */
export const printedUrl = (url: string) => url.replace(/^https?:\/\//, '').replace(/\?.*$/, '');

/** A QR code as a PNG, 1200 px wide: 10 cm at 300 dpi, sharp on any office printer. */
export async function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: ERROR_CORRECTION, margin: 4, width: 1200 });
}

/** A QR code as an SVG element for a page (no script, so the CSP allows it), scaling to its box. */
export async function qrSvg(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: ERROR_CORRECTION, margin: 2 });
  return svg.replace('<svg ', '<svg role="img" focusable="false" ');
}

/** What a poster says. Names are shown as they are in the directory. */
export interface Poster {
  agencyName?: string;
  unitName: string;
  counterName?: string;
  officerName?: string;
  formUrl: string;
  surveyUrl: string;
}

type Doc = InstanceType<typeof PDFDocument>;

/** Draws a QR code as vector squares (one rectangle per run of dark modules), with its quiet zone, at (x, y). */
function drawQr(doc: Doc, url: string, x: number, y: number, size: number) {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: ERROR_CORRECTION });
  const quiet = 4;
  const unit = size / (modules.size + 2 * quiet);
  doc.save();
  doc.rect(x, y, size, size).fill('#ffffff');
  for (let row = 0; row < modules.size; row++) {
    let runStart = -1;
    for (let col = 0; col <= modules.size; col++) {
      const dark = col < modules.size && modules.get(row, col) === 1;
      if (dark && runStart < 0) runStart = col;
      if (!dark && runStart >= 0) {
        doc.rect(x + (quiet + runStart) * unit, y + (quiet + row) * unit, (col - runStart) * unit, unit);
        runStart = -1;
      }
    }
  }
  doc.fill('#000000');
  doc.restore();
}

const A4_WIDTH = 595.28;
const A4_HEIGHT = 841.89;
const MARGIN = 48;
const QR_SIZE = 210; // 7.4 cm: scans from an arm's length and more

/**
 * A one-page A4 poster: the unit (and counter or officer), then two codes side by side, the form and the survey,
 * each with a short instruction in Indonesian and, below it, in English, and the address to type under it.
 */
export async function posterPdf(poster: Poster): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `${t('id', 'qr.page_title')}: ${poster.unitName}`, Author: 'Suara', Creator: 'Suara' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = A4_WIDTH - 2 * MARGIN;
  const center = { width, align: 'center' as const };
  /** Names come from the directory and may be long: smaller type down to a floor, then cut with an ellipsis. */
  const fitted = (text: string, font: string, size: number, floor: number, lines: number, y: number) => {
    doc.font(font).fontSize(size);
    while (size > floor && doc.heightOfString(text, center) > lines * doc.currentLineHeight(true) + 1)
      doc.fontSize(--size);
    doc.text(text, MARGIN, y, { ...center, height: lines * doc.currentLineHeight(true), ellipsis: true });
  };
  doc.fillColor('#555555');
  if (poster.agencyName && poster.agencyName !== poster.unitName)
    fitted(poster.agencyName, 'Helvetica', 12, 12, 1, MARGIN);
  doc.fillColor('#111111');
  fitted(poster.unitName, 'Helvetica-Bold', 26, 16, 2, doc.y + 4);
  const place = (key: 'qr.counter' | 'qr.officer', name: string) =>
    fitted(`${t('id', key)} / ${t('en', key)}: ${name}`, 'Helvetica', 15, 15, 1, doc.y + 6);
  if (poster.counterName) place('qr.counter', poster.counterName);
  if (poster.officerName) place('qr.officer', poster.officerName);

  doc.moveDown(1);
  doc
    .font('Helvetica-Bold')
    .fontSize(17)
    .fillColor('#0b6b3a')
    .text(t('id', 'qr.poster_heading'), MARGIN, doc.y, center);
  doc.font('Helvetica-Oblique').fontSize(12).fillColor('#555555').text(t('en', 'qr.poster_heading'), center);

  const top = doc.y + 36;
  const gap = 24;
  const columnWidth = (width - gap) / 2;
  const padding = 14;
  const columns = [
    { url: poster.formUrl, title: 'qr.form_title', help: 'qr.form_help' },
    { url: poster.surveyUrl, title: 'qr.survey_title', help: 'qr.survey_help' },
  ] as const;
  const inner = { width: columnWidth - 2 * padding, align: 'center' as const };
  // Addresses on one line, both in the same size, smaller if they must be: a break inside an address gets typed.
  doc.font('Courier-Bold').fontSize(10);
  const widest = Math.max(...columns.map((column) => doc.widthOfString(printedUrl(column.url))));
  const addressSize = Math.max(6, Math.min(10, (10 * inner.width) / widest));
  let bottom = top;
  columns.forEach((column, index) => {
    const x = MARGIN + index * (columnWidth + gap);
    drawQr(doc, column.url, x + (columnWidth - QR_SIZE) / 2, top + padding, QR_SIZE);
    doc
      .font('Helvetica-Bold')
      .fontSize(15)
      .fillColor('#111111')
      .text(t('id', column.title), x + padding, top + padding + QR_SIZE + 10, inner);
    doc.font('Helvetica-Oblique').fontSize(11).fillColor('#555555').text(t('en', column.title), inner);
    doc.moveDown(0.6);
    doc.font('Helvetica').fontSize(10.5).fillColor('#222222').text(t('id', column.help), inner);
    doc.font('Helvetica-Oblique').fontSize(9.5).fillColor('#555555').text(t('en', column.help), inner);
    doc.moveDown(0.6);
    doc.font('Courier-Bold').fontSize(addressSize).fillColor('#111111').text(printedUrl(column.url), inner);
    bottom = Math.max(bottom, doc.y + padding);
  });
  columns.forEach((_, index) => {
    const x = MARGIN + index * (columnWidth + gap);
    doc
      .roundedRect(x, top, columnWidth, bottom - top, 10)
      .lineWidth(1.2)
      .strokeColor('#9aa5a0')
      .stroke();
  });

  const footer = Math.max(bottom + 28, A4_HEIGHT - MARGIN - 48);
  doc.font('Helvetica').fontSize(10.5).fillColor('#222222').text(t('id', 'qr.privacy'), MARGIN, footer, center);
  doc.font('Helvetica-Oblique').fontSize(9.5).fillColor('#555555').text(t('en', 'qr.privacy'), center);
  doc.end();
  return finished;
}

// ---------------------------------------------------------------------------------------------------------------
// Use cases for the admin pages

/** The unit, counter and officer a code is for, after the permission check; unknown ones (or another unit's) → 404. */
async function qrTarget(actor: Actor, unitCode: string, wanted: { counter?: string; officer?: string }) {
  const unit = await findUnitByCode(unitCode);
  if (!unit) throw new AppError('not_found');
  assertCan(actor, 'directory.read', { unitPath: unit.path.map(String) });
  const counter = wanted.counter
    ? unit.counters.find((candidate) => candidate.code === wanted.counter!.toUpperCase())
    : undefined;
  if (wanted.counter && !counter) throw new AppError('not_found');
  const officer = wanted.officer ? await findOfficer({ ref: wanted.officer }) : null;
  if (wanted.officer && (!officer || officer.unitCode !== unit.code)) throw new AppError('not_found');
  const link: QrLink = { unitCode: unit.code, counter: counter?.code, officerRef: officer?.ref };
  // Only the name travels on: the officer document also holds the NIP.
  return { unit, counter, officerName: officer?.name, link };
}

/** A fitting file name part: unit, counter, officer reference. */
const fileStem = (link: QrLink) => [link.unitCode, link.counter, link.officerRef].filter(Boolean).join('-');

/** The QR code of one kind for a unit, counter or officer, as a PNG. */
export async function unitQrCode(
  actor: Actor,
  publicUrl: string,
  unitCode: string,
  wanted: { kind: QrKind; counter?: string; officer?: string },
): Promise<{ png: Buffer; fileName: string }> {
  const { link } = await qrTarget(actor, unitCode, wanted);
  return {
    png: await qrPng(citizenUrl(publicUrl, wanted.kind, link)),
    fileName: `qr-${wanted.kind}-${fileStem(link)}.png`,
  };
}

/** The A4 poster for a unit, counter or officer, as a PDF. */
export async function unitPoster(
  actor: Actor,
  publicUrl: string,
  unitCode: string,
  wanted: { counter?: string; officer?: string },
): Promise<{ pdf: Buffer; fileName: string }> {
  const { unit, counter, officerName, link } = await qrTarget(actor, unitCode, wanted);
  const agency: UnitDoc | null = unit.parentId ? await findUnitByCode(unit.agencyCode) : unit;
  const pdf = await posterPdf({
    agencyName: agency?.name,
    unitName: unit.name,
    counterName: counter?.name,
    officerName,
    formUrl: citizenUrl(publicUrl, 'form', link),
    surveyUrl: citizenUrl(publicUrl, 'survey', link),
  });
  return { pdf, fileName: `poster-${fileStem(link)}.pdf` };
}

/** What the poster page offers: the unit, its counters, and its active officers by public reference. */
export async function qrChoices(
  actor: Actor,
  unitCode: string,
): Promise<{ unit: UnitDoc; counters: { code: string; name: string }[]; officers: PublicOfficer[] }> {
  const { unit } = await qrTarget(actor, unitCode, {});
  return {
    unit,
    counters: unit.counters.map((counter) => ({ code: counter.code, name: counter.name })),
    officers: await listPublicOfficers(unit.code),
  };
}
