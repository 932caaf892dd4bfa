import { Router, type Request, type Response } from 'express';
import { submitForm } from '../../../platform/forms.js';
import { AppError } from '../../../platform/errors.js';
import { assertCan, requireActor, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { pick, withDefaultUnit, withoutCsrf } from '../shared/page-helpers.js';
import { periodOf, type Period, reportQuery } from '../shared/period.js';
import { INTEGRITY_RULES } from '../../surveys/index.js';
import { answersCsv, elementsCsv, ikmWorkbook, rawAnswers } from './exports.js';
import { completeFollowUp, createFollowUp, followUpsForReport, followUpDoneInput, followUpInput } from './follow-up.js';
import { kioskFiguresFor } from './kiosk-figures.js';
import { ikmReport } from './report.js';
import { ikmPageView, ikmPrintView } from './view.js';
import { describe } from '../../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  postAnalyticsFollowUps: describe({
    summary: 'Plan a follow-up on a weak SKM element',
    body: followUpInput,
    status: 201,
  }),
  postAnalyticsFollowUpsIdDone: describe({ summary: 'Mark a follow-up done, with a note', body: followUpDoneInput }),
  getAnalyticsFollowUps: describe({ summary: 'The follow-ups of a unit’s report period', query: reportQuery }),
};

/** The IKM report page, its printable form and exports, and the follow-up plans (rencana tindak lanjut). */

/** The report of a page's period, for staff who may read the unit's analytics. */
async function reportFor(actor: Actor, period: Period) {
  assertCan(actor, 'analytics.read', { unitPath: period.unit.path.map(String) });
  return ikmReport(actor, {
    unitCode: period.unit.code,
    from: period.fromDay,
    to: period.toDay,
    serviceCode: period.serviceCode,
    subtree: period.subtree,
  });
}

/** The report page; `extra` carries a failed form back (its query, errors and values). */
async function renderReport(req: Request, res: Response, extra: Record<string, unknown> = {}) {
  const { units, query } = await withDefaultUnit(req);
  const period = await periodOf(extra.query ?? query);
  const report = await reportFor(req.actor!, period);
  const [followUps, kiosks] = await Promise.all([
    followUpsForReport(req.actor, period, report),
    kioskFiguresFor(period),
  ]);
  res.render('pages/analytics/ikm', {
    units,
    ...ikmPageView(report, period, followUps, req.t, req.lang),
    kiosks,
    kioskPaceSeconds: INTEGRITY_RULES.kioskPaceSeconds,
    ...extra,
  });
}

const fileName = (period: Period, extension: string) =>
  `IKM_${period.unit.code}_${period.fromDay}_${period.toDay}${period.serviceCode ? `_${period.serviceCode}` : ''}.${extension}`;

/** Who took which answers out, for the inspectorate (the files hold no personal data, but they leave the system). */
const auditExport = (actor: Actor, period: Period, format: string) =>
  recordAudit(
    actor,
    'analytics.export',
    period.unit.code,
    { format, from: period.fromDay, to: period.toDay, serviceCode: period.serviceCode, subtree: period.subtree },
    null,
    { unitPath: period.unit.path },
  );

/** The table a CSV export asks for: the elements (default) or the answers; null for anything else. */
const csvTable = (table: unknown) =>
  table === 'answers' ? 'answers' : table && table !== 'elements' ? null : 'elements';

async function printReport(req: Request, res: Response) {
  const { query } = await withDefaultUnit(req);
  const period = await periodOf(query);
  const report = await reportFor(req.actor!, period);
  res.render('pages/analytics/ikm-print', ikmPrintView(report, period, req.t, req.lang));
}

async function sendWorkbook(req: Request, res: Response) {
  const { query } = await withDefaultUnit(req);
  const period = await periodOf(query);
  const report = await reportFor(req.actor!, period);
  const buffer = await ikmWorkbook(report, period, await rawAnswers(req.actor, period), req.t);
  await auditExport(req.actor!, period, 'xlsx');
  res
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .attachment(fileName(period, 'xlsx'))
    .set('Cache-Control', 'private, no-store')
    .send(buffer);
}

async function sendCsv(req: Request, res: Response) {
  const { query } = await withDefaultUnit(req);
  const table = csvTable(query.table);
  if (!table)
    throw AppError.validation({ table: { key: 'validation.one_of', params: { valids: 'elements, answers' } } });
  const period = await periodOf(query);
  const report = await reportFor(req.actor!, period);
  const csv =
    table === 'answers'
      ? answersCsv(await rawAnswers(req.actor, period), period.unit.timeZone, req.t)
      : elementsCsv(report, req.t);
  await auditExport(req.actor!, period, `csv:${table}`);
  res
    .type('text/csv; charset=utf-8')
    .attachment(fileName(period, table === 'answers' ? 'answers.csv' : 'csv'))
    .set('Cache-Control', 'private, no-store')
    .send(csv);
}

/** The plan form: saved, back to the report; refused, the report again with the form's errors. */
async function postFollowUp(req: Request, res: Response) {
  const body = withoutCsrf(req.body);
  const query = pick(body, 'unitCode', 'from', 'to', 'serviceCode');
  // Without a unit there is no report to show the form on again: that refusal goes to the error page.
  await submitForm(
    req,
    res,
    async () => {
      await createFollowUp(req.actor, body);
      return {
        to: `/analytics/ikm?${new URLSearchParams(query)}#follow-up`,
        flash: req.t('analytics.pages.follow_up_saved'),
      };
    },
    ({ errors, error, values }) =>
      renderReport(req, res, { query, followUpError: error, followUpErrors: errors, values }),
    { shows: body.unitCode ? ['validation'] : [] },
  );
}

async function postFollowUpDone(req: Request, res: Response) {
  const done = await completeFollowUp(req.actor, req.params.id, withoutCsrf(req.body));
  req.session.flash = req.t('analytics.pages.follow_up_done_saved');
  const back = typeof req.body?.back === 'string' && req.body.back.startsWith('/analytics/') ? req.body.back : null;
  const report = new URLSearchParams({ unitCode: done.unitCode, from: done.periodFrom, to: done.periodTo });
  res.redirect(303, back ?? `/analytics/ikm?${report}#follow-up`);
}

export function ikmPages(): Router {
  const router = Router();
  router.get('/analytics', requireActor, (_req, res) => res.redirect(302, '/analytics/ikm'));
  router.get('/analytics/ikm', requireActor, (req, res) => renderReport(req, res));
  router.get('/analytics/ikm/print', requireActor, printReport);
  router.get('/analytics/ikm.xlsx', requireActor, sendWorkbook);
  router.get('/analytics/ikm.csv', requireActor, sendCsv);

  router.post('/api/v1/analytics/follow-ups', docs.postAnalyticsFollowUps, requireActor, async (req, res) => {
    res.status(201).json(await createFollowUp(req.actor, req.body));
  });
  router.post(
    '/api/v1/analytics/follow-ups/:id/done',
    docs.postAnalyticsFollowUpsIdDone,
    requireActor,
    async (req, res) => {
      res.json(await completeFollowUp(req.actor, req.params.id, req.body));
    },
  );
  router.get('/api/v1/analytics/follow-ups', docs.getAnalyticsFollowUps, requireActor, async (req, res) => {
    const period = await periodOf(req.query);
    res.json(await followUpsForReport(req.actor, period, await reportFor(req.actor!, period)));
  });
  router.post('/analytics/follow-ups', requireActor, postFollowUp);
  router.post('/analytics/follow-ups/:id/done', requireActor, postFollowUpDone);
  return router;
}
