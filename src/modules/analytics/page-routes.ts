import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { formatNumber } from '../../platform/i18n.js';
import { SharedAnswers } from '../../platform/shared-answers.js';
import { type Actor, assertCan, requireActor, scopeOf } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { activeAgencies, citizenUrl, findPublicUnit, printedUrl, qrSvg, unitsInScope } from '../directory/index.js';
import { displayPayload } from './display-gateway.js';
import {
  answersCsv,
  elementsCsv,
  elementTable,
  ikmWorkbook,
  profileGroupLabel,
  profileGroups,
  rawAnswers,
} from './exports.js';
import { completeFollowUp, createFollowUp, followUpsForReport, weakestElements } from './follow-up.js';
import { periodOf, periodQuery, periodShortcuts, type Period } from './period.js';
import { ikmReport, transparencyFigures, type TransparencyFigures } from './service.js';
import { rollupWrites } from './rollups.js';
import {
  approveShowcase,
  approvedShowcase,
  showcaseChanges,
  showcaseCandidates,
  withdrawShowcase,
  type PublicShowcaseItem,
} from './showcase.js';
import { chartData, trendsCsv, trendsView } from './trends-view.js';
import type { SkmElement } from '../surveys/index.js';

/**
 * Analytics pages: the IKM report with its exports and follow-up plans, trends, "you said, we did" moderation,
 * the hall display and the public transparency page. Thin: validate → service → view, file or JSON.
 */
export function analyticsPageRoutes(config: Config): Router {
  const router = Router();
  // The report tabs offer "you said, we did" only to those who may approve it.
  router.use('/analytics', (req, res, next) => {
    const scope = scopeOf(req.actor, 'tickets.triage');
    res.locals.canShowcase = scope === 'all' || scope.length > 0;
    next();
  });

  /** The unit picker (limited to the actor's scope); without a unit chosen, the first unit of that scope. */
  const withDefaultUnit = async (req: Request, action: 'analytics.read' | 'tickets.triage' = 'analytics.read') => {
    const units = await unitsInScope(req.actor!, action);
    if (units.length === 0) throw new AppError('forbidden');
    const query = { ...(req.query as Record<string, unknown>) };
    if (!query.unitCode) query.unitCode = units[0]!.code;
    return { units, query };
  };

  const reportFor = async (actor: Actor, period: Period) => {
    assertCan(actor, 'analytics.read', { unitPath: period.unit.path.map(String) });
    return ikmReport(actor, {
      unitCode: period.unit.code,
      from: period.fromDay,
      to: period.toDay,
      serviceCode: period.serviceCode,
      subtree: period.subtree,
    });
  };

  // ---- IKM report

  const renderReport = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const { units, query } = await withDefaultUnit(req);
    const period = await periodOf(extra.query ?? query);
    const report = await reportFor(req.actor!, period);
    const followUps = await followUpsForReport(req.actor, period, report);
    const table = elementTable(report, req.t);
    const weakest = weakestElements(report.elements);
    const qs = periodQuery(period, { subtree: period.subtree ? '1' : '0' });
    res.render('pages/analytics/ikm', {
      title: req.t('analytics.pages.ikm_title'),
      units,
      services: period.unit.services ?? [],
      period,
      report,
      ikmText: fixed(req.lang, report.ikm, 2),
      table,
      rows: table.rows.map((row) => ({
        ...row,
        meanText: fixed(req.lang, row.mean, 4),
        weak: weakest.includes(row.element as SkmElement),
      })),
      weakest,
      followUps: {
        ...followUps,
        previous: followUps.previous.map((entry) => ({
          ...entry,
          previousMeanText: fixed(req.lang, entry.previousMean, 4) || '—',
          currentMeanText: fixed(req.lang, entry.currentMean, 4) || '—',
          changeText:
            entry.change === null
              ? ''
              : `${entry.change >= 0 ? '+' : '−'}${fixed(req.lang, Math.abs(entry.change), 4)}`,
          changeSign: entry.change === null ? 'none' : entry.change > 0 ? 'up' : entry.change < 0 ? 'down' : 'same',
        })),
      },
      profile: profileGroups.map(([group, prefix]) => ({
        label: profileGroupLabel[group],
        entries: Object.entries(report.profile[group] ?? {}).map(([code, count]) => ({
          label: `${prefix}.${code}`,
          count,
          share: report.respondents ? Math.round((count / report.respondents) * 100) : 0,
        })),
      })),
      flags: Object.entries(report.integrity.byFlag)
        .filter(([, count]) => count > 0)
        .map(([flag, count]) => ({ flag, count })),
      qs,
      shortcuts: shortcutsFor('/analytics/ikm', period, { subtree: period.subtree ? '1' : '0' }),
      timeZone: period.unit.timeZone,
      ...extra,
    });
  };
  router.get('/analytics', requireActor, (_req, res) => res.redirect(302, '/analytics/ikm'));
  router.get('/analytics/ikm', requireActor, (req, res) => renderReport(req, res));

  router.get('/analytics/ikm/print', requireActor, async (req, res) => {
    const { query } = await withDefaultUnit(req);
    const period = await periodOf(query);
    const report = await reportFor(req.actor!, period);
    const table = elementTable(report, req.t);
    res.render('pages/analytics/ikm-print', {
      layout: false,
      title: req.t('analytics.pages.ikm_title'),
      period,
      report,
      ikmText: fixed(req.lang, report.ikm, 2),
      table,
      rows: table.rows.map((row) => ({
        ...row,
        meanText: fixed(req.lang, row.mean, 4),
        weightText: fixed(req.lang, row.weight, 4),
        weightedText: fixed(req.lang, row.weighted, 4),
      })),
      profile: profileGroups.map(([group, prefix]) => ({
        label: profileGroupLabel[group],
        entries: Object.entries(report.profile[group] ?? {}).map(([code, count]) => ({
          label: `${prefix}.${code}`,
          count,
        })),
      })),
      printedAt: new Date(),
      timeZone: period.unit.timeZone,
    });
  });

  const fileName = (period: Period, extension: string) =>
    `IKM_${period.unit.code}_${period.fromDay}_${period.toDay}${period.serviceCode ? `_${period.serviceCode}` : ''}.${extension}`;

  router.get('/analytics/ikm.xlsx', requireActor, async (req, res) => {
    const { query } = await withDefaultUnit(req);
    const period = await periodOf(query);
    const report = await reportFor(req.actor!, period);
    const answers = await rawAnswers(req.actor, period);
    const buffer = await ikmWorkbook(report, period, answers, req.t);
    await auditExport(req.actor!, period, 'xlsx');
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .attachment(fileName(period, 'xlsx'))
      .set('Cache-Control', 'private, no-store')
      .send(buffer);
  });

  router.get('/analytics/ikm.csv', requireActor, async (req, res) => {
    const { query } = await withDefaultUnit(req);
    const table = query.table === 'answers' ? 'answers' : query.table && query.table !== 'elements' ? null : 'elements';
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
  });

  // ---- Follow-up (rencana tindak lanjut)

  router.post('/api/v1/analytics/follow-ups', requireActor, async (req, res) => {
    res.status(201).json(await createFollowUp(req.actor, req.body));
  });
  router.post('/api/v1/analytics/follow-ups/:id/done', requireActor, async (req, res) => {
    res.json(await completeFollowUp(req.actor, req.params.id, req.body));
  });
  router.get('/api/v1/analytics/follow-ups', requireActor, async (req, res) => {
    const period = await periodOf(req.query);
    const report = await reportFor(req.actor!, period);
    res.json(await followUpsForReport(req.actor, period, report));
  });

  router.post('/analytics/follow-ups', requireActor, async (req, res) => {
    const body = withoutCsrf(req.body);
    try {
      await createFollowUp(req.actor, body);
      req.session.flash = req.t('analytics.pages.follow_up_saved');
      res.redirect(
        303,
        `/analytics/ikm?${new URLSearchParams(pick(body, 'unitCode', 'from', 'to', 'serviceCode'))}#follow-up`,
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation' || !body.unitCode) throw error;
      res.status(400);
      await renderReport(req, res, {
        query: pick(body, 'unitCode', 'from', 'to', 'serviceCode'),
        followUpError: req.t(error.messageKey, error.params),
        followUpErrors: translateFields(req, error),
        values: body,
      });
    }
  });
  router.post('/analytics/follow-ups/:id/done', requireActor, async (req, res) => {
    const done = await completeFollowUp(req.actor, req.params.id, withoutCsrf(req.body));
    req.session.flash = req.t('analytics.pages.follow_up_done_saved');
    const back = typeof req.body?.back === 'string' && req.body.back.startsWith('/analytics/') ? req.body.back : null;
    res.redirect(
      303,
      back ??
        `/analytics/ikm?${new URLSearchParams({ unitCode: done.unitCode, from: done.periodFrom, to: done.periodTo })}#follow-up`,
    );
  });

  // ---- Trends

  router.get('/analytics/trends', requireActor, async (req, res) => {
    const { units, query } = await withDefaultUnit(req);
    const period = await periodOf(query);
    assertCan(req.actor, 'analytics.read', { unitPath: period.unit.path.map(String) });
    const view = await trendsView(req.actor!, period, req.t, req.lang);
    res.render('pages/analytics/trends', {
      title: req.t('analytics.pages.trends_title'),
      units,
      services: period.unit.services ?? [],
      period,
      view,
      chartData: chartData(view.tables),
      qs: periodQuery(period, { interval: period.interval }),
      shortcuts: shortcutsFor('/analytics/trends', period, { interval: period.interval }),
      timeZone: period.unit.timeZone,
    });
  });
  router.get('/analytics/trends.csv', requireActor, async (req, res) => {
    const { query } = await withDefaultUnit(req);
    const period = await periodOf(query);
    assertCan(req.actor, 'analytics.read', { unitPath: period.unit.path.map(String) });
    const view = await trendsView(req.actor!, period, req.t, req.lang);
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
  });

  // ---- "You said, we did" moderation

  router.get('/api/v1/analytics/showcase', requireActor, async (req, res) => {
    res.json({ items: await showcaseCandidates(req.actor, req.query) });
  });
  router.post('/api/v1/analytics/showcase', requireActor, async (req, res) => {
    res.status(201).json(await approveShowcase(req.actor, req.body));
  });
  router.post('/api/v1/analytics/showcase/:id/withdraw', requireActor, async (req, res) => {
    res.json(await withdrawShowcase(req.actor, req.params.id));
  });

  const renderShowcase = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const units = await unitsInScope(req.actor!, 'tickets.triage');
    if (units.length === 0) throw new AppError('forbidden');
    const query = (extra.query ?? req.query) as Record<string, string>;
    res.render('pages/analytics/showcase', {
      title: req.t('analytics.pages.showcase_title'),
      units,
      query,
      candidates: await showcaseCandidates(req.actor, { unitCode: query.unitCode ?? '' }),
      ...extra,
    });
  };
  router.get('/analytics/showcase', requireActor, (req, res) => renderShowcase(req, res));
  router.post('/analytics/showcase', requireActor, async (req, res) => {
    const body = withoutCsrf(req.body);
    const back = `/analytics/showcase?${new URLSearchParams(pick(body, 'unitCode'))}`;
    try {
      await approveShowcase(req.actor, body);
      req.session.flash = req.t('analytics.pages.showcase_saved');
      res.redirect(303, back);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400);
      await renderShowcase(req, res, {
        query: pick(body, 'unitCode'),
        error: req.t(error.messageKey, error.params),
        errors: translateFields(req, error),
        failedCode: body.ticketCode,
        values: body,
      });
    }
  });
  router.post('/analytics/showcase/:id/withdraw', requireActor, async (req, res) => {
    await withdrawShowcase(req.actor, req.params.id);
    req.session.flash = req.t('analytics.pages.showcase_withdrawn');
    res.redirect(303, `/analytics/showcase?${new URLSearchParams(pick(withoutCsrf(req.body), 'unitCode'))}`);
  });

  // ---- The hall display (public)

  router.get('/display/:unitCode', async (req, res) => {
    const unit = /^[A-Za-z0-9][A-Za-z0-9-]{1,39}$/.test(req.params.unitCode)
      ? await findPublicUnit(req.params.unitCode)
      : null;
    if (!unit) throw new AppError('not_found');
    const surveyUrl = citizenUrl(config.publicUrl, 'survey', { unitCode: unit.code });
    res.render('pages/display/unit', {
      layout: false,
      title: `${unit.name} · ${req.t('analytics.pages.display_title')}`,
      display: await displayPayload(unit.code),
      surveyQr: await qrSvg(surveyUrl),
      surveyAddress: printedUrl(surveyUrl),
      timeZone: unit.timeZone,
    });
  });

  // ---- Transparency (public)

  /**
   * The public figures, shared by every visitor for up to a minute (what `Cache-Control` already promises), until
   * this process writes rollups or changes the showcase; another process's changes show within the minute. Unit
   * codes are few: a flood of made-up ones only costs recomputing.
   */
  const computed = new SharedAnswers<{ units: TransparencyFigures; youSaidWeDid: PublicShowcaseItem[] }>({
    ttlMs: TRANSPARENCY_TTL_MS,
    maxEntries: 500,
    version: () => rollupWrites() + showcaseChanges(),
  });
  const transparency = (unitCode?: string) =>
    computed.get(unitCode?.toUpperCase() ?? '', async () => {
      const units = await transparencyFigures(unitCode);
      const showcase = await approvedShowcase({ kind: 'you_said_we_did', limit: 20 });
      return { units, youSaidWeDid: showcase };
    });
  router.get('/api/v1/transparency', async (req, res) => {
    const unitCode = typeof req.query.unitCode === 'string' && req.query.unitCode ? req.query.unitCode : undefined;
    res.set('Cache-Control', 'public, max-age=60').json(await transparency(unitCode));
  });
  const transparencyPage = async (req: Request, res: Response) => {
    const unitCode = typeof req.query.unitCode === 'string' && req.query.unitCode ? req.query.unitCode : undefined;
    const [figures, agencies] = await Promise.all([transparency(unitCode), activeAgencies()]);
    res.set('Cache-Control', 'public, max-age=60');
    res.render('pages/transparency/index', {
      title: req.t('analytics.pages.transparency_title'),
      rows: figures.units.slice(0, TRANSPARENCY_ROWS).map((unit) => ({
        ...unit,
        ikmText: formatNumber(req.lang, unit.ikm, 2) || '—',
        inTimeText:
          unit.answeredInTimeShare === null ? '—' : `${formatNumber(req.lang, unit.answeredInTimeShare * 100)}%`,
        medianText:
          unit.medianResolveHours === null
            ? '—'
            : unit.medianResolveHours >= 48
              ? req.t('analytics.pages.days', { n: formatNumber(req.lang, unit.medianResolveHours / 24, 1) })
              : req.t('analytics.pages.hours', { n: formatNumber(req.lang, unit.medianResolveHours) }),
      })),
      truncated: figures.units.length > TRANSPARENCY_ROWS,
      youSaidWeDid: figures.youSaidWeDid,
      agencies,
      periodFrom: figures.units[0]?.from ?? null,
      periodTo: figures.units[0]?.to ?? null,
      unitCode,
    });
  };
  router.get('/transparansi', transparencyPage);
  router.get('/transparency', transparencyPage);

  return router;
}

/** Rows on the public page (kept under 60 KB); the JSON has them all. */
const TRANSPARENCY_ROWS = 150;
const TRANSPARENCY_TTL_MS = 60_000;

/** Links to ready-made periods for a page, keeping the unit, service and the rest of the query. */
const shortcutsFor = (path: string, period: Period, extra: Record<string, string> = {}) =>
  periodShortcuts(period.unit.timeZone).map((shortcut) => ({
    key: shortcut.key,
    current: shortcut.fromDay === period.fromDay && shortcut.toDay === period.toDay,
    href: `${path}?${periodQuery({ ...period, fromDay: shortcut.fromDay, toDay: shortcut.toDay }, extra)}`,
  }));

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

/** Figures on pages follow the page's language (decimal comma in Indonesian); '' for a missing one. */
const fixed = formatNumber;

function withoutCsrf(body: unknown): Record<string, string> {
  const { _csrf, ...rest } = (body ?? {}) as Record<string, unknown>;
  void _csrf;
  return Object.fromEntries(
    Object.entries(rest)
      .filter(([, value]) => typeof value === 'string' && value !== '')
      .map(([key, value]) => [key, value as string]),
  );
}

function pick(body: Record<string, string>, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => body[key]).map((key) => [key, body[key]!]));
}
