import { Router, type Request, type Response } from 'express';
import type { Config } from '../../../config.js';
import { AppError, translateFields } from '../../../platform/errors.js';
import { requireActor, scopeOf } from '../../../platform/access.js';
import { unitsInScope } from '../../directory/index.js';
import { activeCategories, answerFinding, findingAnswerInput } from '../../feedback/index.js';
import { officerRecord, recordQuery } from './officer-record.js';
import { coachingOverview } from './overview.js';
import { NO_CATEGORY } from './summary.js';
import { coachingTrends, type CoachingTrends, trendsQuery } from './trends.js';
import { describe } from '../../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getOfficersNipRecord: describe({
    summary: 'An officer’s record: findings, trainings, sessions and evaluations, newest first',
    query: recordQuery,
  }),
  postFindingsIdAnswer: describe({
    summary: 'The officer answers a finding about them',
    body: findingAnswerInput,
    status: 201,
  }),
  getCoachingTrends: describe({ summary: 'Officers whose findings recur, by month and category', query: trendsQuery }),
};

/**
 * Pages and JSON API of the officer's record (thin: validate → service → view or JSON). The coaching work (sessions,
 * training, plan, evaluations) has its own routes (../work-routes.ts); the record page links to them.
 */
export function coachingRoutes(_config: Config): Router {
  const router = Router();

  // ---- JSON API

  router.get('/api/v1/officers/:nip/record', docs.getOfficersNipRecord, requireActor, async (req, res) => {
    res.json(await officerRecord(req.actor, req.params.nip, req.query));
  });
  router.post('/api/v1/findings/:id/answer', docs.postFindingsIdAnswer, requireActor, async (req, res) => {
    res.status(201).json(await answerFinding(req.actor, req.params.id, req.body));
  });
  router.get('/api/v1/coaching/trends', docs.getCoachingTrends, requireActor, async (req, res) => {
    res.json(await coachingTrends(req.actor, req.query));
  });

  // ---- Pages

  router.get('/coaching', requireActor, async (req, res) => {
    const scope = scopeOf(req.actor, 'coaching.read');
    const readsOthers = scope === 'all' || scope.length > 0;
    // An officer's account has one record to read: their own.
    if (!readsOthers && req.actor!.officerNip) return res.redirect(303, '/coaching/me');
    const [overview, units] = await Promise.all([
      coachingOverview(req.actor, req.query),
      unitsInScope(req.actor!, 'coaching.read'),
    ]);
    res.render('pages/coaching/record-list', { title: req.t('coaching.title'), ...overviewPage(overview), units });
  });

  router.get('/coaching/me', requireActor, (req, res) => {
    if (!req.actor!.officerNip) throw new AppError('not_found');
    res.redirect(303, `/coaching/officers/${encodeURIComponent(req.actor!.officerNip)}`);
  });

  router.get('/coaching/officers/:nip', requireActor, (req, res) => renderRecord(req, res, String(req.params.nip)));

  router.post('/coaching/findings/:id/answer', requireActor, async (req, res) => {
    const { _csrf, ...body } = (req.body ?? {}) as Record<string, unknown>;
    void _csrf;
    try {
      await answerFinding(req.actor, req.params.id, body);
      req.session.flash = req.t('coaching.answer.saved');
      res.redirect(303, `/coaching/officers/${encodeURIComponent(req.actor!.officerNip!)}`);
    } catch (error) {
      if (!(error instanceof AppError) || !['validation', 'conflict'].includes(error.code)) throw error;
      res.status(error.status);
      await renderRecord(req, res, req.actor!.officerNip!, {
        answerError: {
          id: String(req.params.id),
          message: Object.values(translateFields(req, error))[0] ?? req.t(error.messageKey, error.params),
          body: typeof body.body === 'string' ? body.body : '',
        },
      });
    }
  });

  router.get('/coaching/trends', requireActor, async (req, res) => {
    const [trends, units, names] = await Promise.all([
      coachingTrends(req.actor, req.query),
      unitsInScope(req.actor!, 'coaching.read'),
      categoryNames(req.lang),
    ]);
    res.render('pages/coaching/trends', { title: req.t('coaching.trends'), ...trendsPage(trends, names), units });
  });

  return router;
}

/** The overview page: the overview, its time zone, and links to the pages before and after. */
function overviewPage(overview: Awaited<ReturnType<typeof coachingOverview>>) {
  const pageUrl = (page: number) =>
    `/coaching?${new URLSearchParams({ ...(overview.unitCode ? { unitCode: overview.unitCode } : {}), page: String(page) }).toString()}`;
  return {
    overview,
    timeZone: overview.period.timeZone,
    prev: overview.page > 1 ? pageUrl(overview.page - 1) : null,
    next: overview.page < overview.pages ? pageUrl(overview.page + 1) : null,
  };
}

/** The trends page: rows per officer needing attention, per unit and per officer, with month columns and categories. */
function trendsPage(trends: CoachingTrends, names: Record<string, string>) {
  const categoriesOf = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${names[code] ?? code}: ${n}`)
      .join(', ');
  return {
    trends,
    timeZone: trends.period.timeZone,
    attentionRows: trends.needsAttention.map((officer) => ({
      ...officer,
      per100: officer.findingsPer100 === null ? null : String(officer.findingsPer100),
    })),
    unitRows: trends.units.map((unit) => ({
      ...unit,
      months: trends.months.map((month) => unit.findingsByMonth[month] ?? 0),
      categories: categoriesOf(unit.findingsByCategory),
    })),
    officerRows: trends.officers.map((officer) => ({
      ...officer,
      months: trends.months.map((month) => officer.findingsByMonth[month] ?? 0),
      categories: categoriesOf(officer.findingsByCategory),
    })),
  };
}

/** Category code → name in the page's language (findings of a ticket without a category show as "none"). */
async function categoryNames(lang: 'id' | 'en'): Promise<Record<string, string>> {
  const categories = await activeCategories();
  return Object.fromEntries(categories.map((category) => [category.code, category.name?.[lang] ?? category.code]));
}

async function renderRecord(req: Request, res: Response, nip: string, extra: object = {}): Promise<void> {
  const record = await officerRecord(req.actor, nip, req.method === 'GET' ? req.query : {});
  const names: Record<string, string> = {
    ...(await categoryNames(req.lang)),
    [NO_CATEGORY]: req.t('coaching.no_category'),
  };
  const { substantiated, partiallySubstantiated } = record.summary.findings;
  const findingRows = [...new Set([...Object.keys(substantiated), ...Object.keys(partiallySubstantiated)])]
    .map((code) => ({
      code,
      name: names[code] ?? code,
      substantiated: substantiated[code] ?? 0,
      partially: partiallySubstantiated[code] ?? 0,
    }))
    .sort((a, b) => b.substantiated + b.partially - (a.substantiated + a.partially));
  const base = `/coaching/officers/${encodeURIComponent(record.officer.nip)}`;
  const period = { from: record.period.from, to: record.period.to };
  const before = typeof req.query.before === 'string' && req.method === 'GET' ? req.query.before : '';
  res.render('pages/coaching/record', {
    title: req.t('coaching.record_of', { name: record.officer.name }),
    record,
    names,
    findingRows,
    base,
    timeZone: record.period.timeZone,
    older: record.feed.nextBefore
      ? `${base}?${new URLSearchParams({ ...period, before: record.feed.nextBefore }).toString()}`
      : null,
    newest: before ? `${base}?${new URLSearchParams(period).toString()}` : null,
    ...extra,
  });
}
