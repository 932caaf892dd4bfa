import Joi from 'joi';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { AppError, isApiRequest, translateFields } from '../../platform/errors.js';
import { actionOptions, exportAuditLog, readAuditLog, auditQuery } from './service.js';
import { requireActor } from '../../platform/access.js';
import { describe } from '../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getAudit: describe({
    summary: 'Read the audit log: who did what, when, to which record (CSV with format=csv)',
    query: auditQuery.keys({ format: Joi.string().valid('json', 'csv') }),
  }),
};

/** The audit log for the inspectorate: a page that works without JavaScript, its JSON twin and a CSV export. */
export function auditRoutes(): Router {
  const router = Router();

  const sendCsv = async (req: Request, res: Response) => {
    const lines = await exportAuditLog(req.actor, req.query, req.lang);
    const day = new Date().toISOString().slice(0, 10);
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-${day}.csv"`,
      'Cache-Control': 'no-store',
    });
    await pipeline(Readable.from(lines), res);
  };

  router.get('/api/v1/audit', docs.getAudit, requireActor, async (req, res) => {
    if (req.query.format === 'csv') return sendCsv(req, res);
    res.set('Cache-Control', 'no-store').json(await readAuditLog(req.actor, req.query, req.lang));
  });

  router.get('/admin/audit.csv', requireActor, sendCsv);

  router.get('/admin/audit', requireActor, async (req, res) => {
    if (req.query.format === 'csv') return sendCsv(req, res);
    const values = req.query as Record<string, unknown>;
    const page = { title: req.t('audit.title'), actions: actionOptions(req.lang), values };
    try {
      const log = await readAuditLog(req.actor, req.query, req.lang);
      const link = (to: number) => `/admin/audit?${new URLSearchParams({ ...log.filters, page: String(to) })}`;
      res.set('Cache-Control', 'no-store').render('pages/admin/audit', {
        ...page,
        log,
        csvUrl: `/admin/audit.csv?${new URLSearchParams(log.filters)}`,
        newerUrl: log.page > 1 ? link(log.page - 1) : null,
        olderUrl: log.hasNext ? link(log.page + 1) : null,
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation' || isApiRequest(req)) throw error;
      res.status(400).render('pages/admin/audit', { ...page, errors: translateFields(req, error) });
    }
  });

  return router;
}
