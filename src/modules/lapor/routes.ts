import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { requireActor } from '../../platform/access.js';
import { CSV_LIMIT_BYTES, csvText, csvUpload, translatedReport } from '../../platform/csv.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { check, validate } from '../../platform/validate.js';
import { exportForLapor, importFromLapor, toLaporCsv, type ExportQuery, type LaporImportReport } from './service.js';
import { columns } from './format.js';
import { exportQuery, importBody } from './schemas.js';

/** The LAPOR! hand-over: the JSON API (export, import) and the staff page at /inbox/lapor (docs/lapor.md). */

const dayOnly = /^\d{4}-\d{2}-\d{2}$/;

/** A typed date: a bare day is read in WIB, from its first to its last millisecond. */
const dateOf = (value: string | undefined, end: boolean) => {
  if (!value) return undefined;
  return new Date(dayOnly.test(value) ? `${value}T${end ? '23:59:59.999' : '00:00:00'}+07:00` : value);
};

function exportQueryOf(raw: Record<string, unknown>): ExportQuery & { format: 'json' | 'csv' } {
  const query = check(exportQuery, raw) as {
    format: 'json' | 'csv';
    from?: string;
    to?: string;
    codes?: string;
    limit: number;
  };
  const codes = query.codes
    ?.split(/[\s,;]+/)
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
  const from = dateOf(query.from, false);
  const to = dateOf(query.to, true);
  if ([from, to].some((date) => date && Number.isNaN(date.getTime())))
    throw AppError.validation({ from: { key: 'validation.pattern' } });
  return { format: query.format, codes: codes?.length ? codes : undefined, from, to, limit: query.limit };
}

async function sendExport(req: Request, res: Response, query: ReturnType<typeof exportQueryOf>) {
  const rows = await exportForLapor(req.actor!, query);
  const stamp = new Date().toISOString().slice(0, 10);
  res.set('Cache-Control', 'no-store');
  if (query.format === 'csv') {
    res.attachment(`suara-lapor-${stamp}.csv`).type('text/csv; charset=utf-8').send(toLaporCsv(rows));
    return;
  }
  res.attachment(`suara-lapor-${stamp}.json`).json({ format: 'suara-lapor/1', exportedAt: new Date(), reports: rows });
}

const reportOf = (req: Request, report: LaporImportReport) => ({
  ...translatedReport(req, report),
  matched: report.matched,
  unchanged: report.unchanged,
});

export function laporRoutes(config: Config): Router {
  const router = Router();
  const csvBody = express.text({ type: ['text/csv', 'text/plain'], limit: CSV_LIMIT_BYTES });
  const context = (req: Request) => ({ lang: req.lang, publicUrl: config.publicUrl, dataDir: config.dataDir });
  const source = (req: Request) => {
    const body = req.body as { reports?: unknown[] } | string | undefined;
    return body && typeof body === 'object' && Array.isArray(body.reports)
      ? { reports: body.reports }
      : { csv: csvText(req) };
  };

  router.get(
    '/api/v1/lapor/export',
    requireActor,
    validate(
      { query: exportQuery },
      { summary: 'Export the tickets one may see with SP4N-LAPOR!’s fields (CSV or JSON)' },
    ),
    async (req, res) => {
      await sendExport(req, res, exportQueryOf(res.locals.query as Record<string, unknown>));
    },
  );
  router.post(
    '/api/v1/lapor/import',
    requireActor,
    csvUpload.single('file'),
    csvBody,
    validate(
      { body: importBody },
      { summary: 'Import statuses, dispositions and new reports from SP4N-LAPOR!, idempotently' },
    ),
    async (req, res) => {
      res.json(reportOf(req, await importFromLapor(req.actor!, source(req), context(req))));
    },
  );

  // ---- The staff page

  const renderPage = (req: Request, res: Response, extra: object = {}) =>
    res.render('pages/inbox/lapor', {
      title: req.t('lapor.title'),
      values: req.query,
      fileColumns: columns.join(','),
      ...extra,
    });

  router.get('/inbox/lapor', requireActor, (req, res) => renderPage(req, res));
  router.get('/inbox/lapor/export', requireActor, async (req, res) => {
    let query: ReturnType<typeof exportQueryOf>;
    try {
      query = exportQueryOf(req.query as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400);
      return renderPage(req, res, { errors: translateFields(req, error), error: req.t(error.messageKey) });
    }
    await sendExport(req, res, query);
  });
  router.post('/inbox/lapor/import', requireActor, csvUpload.single('file'), async (req, res) => {
    try {
      const report = reportOf(req, await importFromLapor(req.actor!, { csv: csvText(req) }, context(req)));
      renderPage(req, res, { report, values: {} });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400);
      renderPage(req, res, { importErrors: translateFields(req, error), values: {} });
    }
  });
  return router;
}
