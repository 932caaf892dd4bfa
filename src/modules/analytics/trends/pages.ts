import { Router, type Request, type Response } from 'express';
import { AppError } from '../../../platform/errors.js';
import { assertCan, requireActor } from '../../../platform/access.js';
import { shortcutsFor, withDefaultUnit } from '../shared/page-helpers.js';
import { periodOf, periodQuery } from '../shared/period.js';
import { chartData, trendsCsv, trendsView } from './view.js';

/** The trends page and its tables as CSV. */

/** The trends view of the query's unit and period, for staff who may read the unit's analytics. */
async function viewFor(req: Request) {
  const { units, query } = await withDefaultUnit(req);
  const period = await periodOf(query);
  assertCan(req.actor, 'analytics.read', { unitPath: period.unit.path.map(String) });
  return { units, query, period, view: await trendsView(req.actor!, period, req.t, req.lang) };
}

async function trendsPage(req: Request, res: Response) {
  const { units, period, view } = await viewFor(req);
  const interval = { interval: period.interval };
  res.render('pages/analytics/trends', {
    title: req.t('analytics.pages.trends_title'),
    units,
    services: period.unit.services ?? [],
    period,
    view,
    chartData: chartData(view.tables),
    qs: periodQuery(period, interval),
    shortcuts: shortcutsFor('/analytics/trends', period, interval),
    timeZone: period.unit.timeZone,
  });
}

async function trendsCsvFile(req: Request, res: Response) {
  const { query, period, view } = await viewFor(req);
  const csv = trendsCsv(view, typeof query.table === 'string' ? query.table : '');
  if (csv === null)
    throw AppError.validation({
      table: { key: 'validation.one_of', params: { valids: view.tables.map((table) => table.id).join(', ') } },
    });
  res
    .type('text/csv; charset=utf-8')
    .attachment(`trends_${period.unit.code}_${query.table}_${period.fromDay}_${period.toDay}.csv`)
    .set('Cache-Control', 'private, no-store')
    .send(csv);
}

export function trendsPages(): Router {
  const router = Router();
  router.get('/analytics/trends', requireActor, trendsPage);
  router.get('/analytics/trends.csv', requireActor, trendsCsvFile);
  return router;
}
