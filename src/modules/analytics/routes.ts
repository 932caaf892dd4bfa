import { Router } from 'express';
import type { Config } from '../../config.js';
import { check, describe } from '../../platform/validate.js';
import { requireActor } from '../../platform/access.js';
import { ikmQuery, trendsQuery, weightsInput } from './schemas.js';
import { findUnitByCode } from '../directory/index.js';
import { ikmReport } from './ikm/report.js';
import { quarterToDate, todayIn, type Period } from './shared/days.js';
import { getWeights, setWeights } from './shared/settings.js';
import { ticketTrends, type Interval } from './trends/report.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getAnalyticsIkm: describe({
    summary: 'The IKM (community satisfaction index) of a unit over a period',
    query: ikmQuery,
  }),
  getAnalyticsTrends: describe({ summary: 'Ticket counts and times of a unit by week or month', query: trendsQuery }),
  getAnalyticsWeightsAgencyCode: describe({ summary: 'An agency’s SKM element weights' }),
  putAnalyticsWeightsAgencyCode: describe({
    summary: 'Set an agency’s SKM element weights (null for equal weights)',
    body: weightsInput,
  }),
};

/**
 * JSON API of the analytics module (thin: validate → service → JSON). Dates are agency-local days 'YYYY-MM-DD',
 * `to` inclusive; without them, this quarter to date. The pages live in each capability's pages.ts.
 */
export function analyticsRoutes(_config: Config): Router {
  const router = Router();

  const period = async (query: { unitCode: string; from?: string; to?: string }) => {
    const fallback = await defaultPeriod(query.unitCode);
    return { from: query.from ?? fallback.from, to: query.to ?? fallback.to };
  };

  router.get('/api/v1/analytics/ikm', docs.getAnalyticsIkm, requireActor, async (req, res) => {
    const query = check(ikmQuery, req.query) as {
      unitCode: string;
      from?: string;
      to?: string;
      serviceCode?: string | null;
      subtree: boolean;
    };
    const report = await ikmReport(req.actor!, { ...query, ...(await period(query)) });
    res.json({
      respondents: report.respondents,
      elements: report.elements.map((element) => element.mean),
      ikm: report.ikm,
      grade: report.grade,
      label: report.label,
      minimumSample: report.minimumSample,
      sampleTooSmall: report.sampleTooSmall,
      elementGrades: report.elements.map((element) => element.grade),
      elementTotals: report.elements.map((element) => element.total),
      elementNames: report.elements.map((element) => element.element),
      value: report.value,
      weights: report.weights,
      customWeights: report.customWeights,
      unit: report.unit,
      from: report.from,
      to: report.to,
      serviceCode: report.serviceCode,
      subtree: report.subtree,
      profile: report.profile,
      integrity: report.integrity,
    });
  });

  router.get('/api/v1/analytics/trends', docs.getAnalyticsTrends, requireActor, async (req, res) => {
    const query = check(trendsQuery, req.query) as {
      unitCode: string;
      from?: string;
      to?: string;
      serviceCode?: string | null;
      interval: Interval;
    };
    res.json(await ticketTrends(req.actor!, { ...query, ...(await period(query)) }));
  });

  router.get(
    '/api/v1/analytics/weights/:agencyCode',
    docs.getAnalyticsWeightsAgencyCode,
    requireActor,
    async (req, res) => {
      res.json(await getWeights(req.actor, String(req.params.agencyCode).toUpperCase()));
    },
  );
  router.put(
    '/api/v1/analytics/weights/:agencyCode',
    docs.putAnalyticsWeightsAgencyCode,
    requireActor,
    async (req, res) => {
      res.json(await setWeights(req.actor, String(req.params.agencyCode).toUpperCase(), req.body));
    },
  );

  return router;
}

/** The default period of the API: this quarter to date in the unit's time zone. */
async function defaultPeriod(unitCode: string): Promise<Period> {
  const unit = await findUnitByCode(unitCode);
  return quarterToDate(todayIn(unit?.timeZone ?? 'Asia/Jakarta'));
}
