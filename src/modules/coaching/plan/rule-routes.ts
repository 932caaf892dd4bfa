import Joi from 'joi';
import { Router, type Request, type Response } from 'express';
import { requireActor } from '../../../platform/access.js';
import { categoryNames, pageAction, withoutCsrf, choseNoAgency } from '../page-forms.js';
import { activeCourses } from '../training/catalogue.js';
import { createRule, getRule, listRules, updateRule } from './rule-admin.js';
import { describe } from '../../../platform/validate.js';
import { ruleChange, ruleInput } from './rule-schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getCoachingRules: describe({
    summary: 'The agency’s rules that suggest trainings',
    query: Joi.object({ agency: Joi.string().trim().max(40).description('The agency’s code, for a national admin') }),
  }),
  postCoachingRules: describe({
    summary: 'Add a training suggestion rule',
    query: Joi.object({ agency: Joi.string().trim().max(40).description('The agency’s code, for a national admin') }),
    body: ruleInput,
    status: 201,
  }),
  getCoachingRulesCode: describe({
    summary: 'One training suggestion rule',
    query: Joi.object({ agency: Joi.string().trim().max(40).description('The agency’s code, for a national admin') }),
  }),
  patchCoachingRulesCode: describe({
    summary: 'Change a training suggestion rule',
    query: Joi.object({ agency: Joi.string().trim().max(40).description('The agency’s code, for a national admin') }),
    body: ruleChange,
  }),
};

/**
 * The agency's development-plan rules: JSON API (`?agency=CODE`, else the admin's own agency) and the admin pages
 * (the agency in the query or a hidden field). Thin: rule-admin.ts checks and validates.
 */
export function ruleRoutes(): Router {
  const router = Router();
  router.get('/api/v1/coaching-rules', docs.getCoachingRules, requireActor, async (req, res) => {
    res.json(await listRules(req.actor, req.query.agency));
  });
  router.post('/api/v1/coaching-rules', docs.postCoachingRules, requireActor, async (req, res) => {
    res.status(201).json(await createRule(req.actor, req.query.agency, req.body));
  });
  router.get('/api/v1/coaching-rules/:code', docs.getCoachingRulesCode, requireActor, async (req, res) => {
    res.json((await getRule(req.actor, req.query.agency, req.params.code)).rule);
  });
  router.patch('/api/v1/coaching-rules/:code', docs.patchCoachingRulesCode, requireActor, async (req, res) => {
    res.json(await updateRule(req.actor, req.query.agency, req.params.code, req.body));
  });

  router.get('/admin/coaching-rules', requireActor, (req, res) => renderRules(req, res));
  router.get('/admin/coaching-rules/new', requireActor, (req, res) => renderRuleForm(req, res));
  router.post(
    '/admin/coaching-rules',
    requireActor,
    pageAction(
      async (req) => {
        const agency = agencyOf(req);
        await createRule(req.actor, agency, withoutCsrf(req.body, ['agency']));
        return rulesUrl(agency);
      },
      renderRuleForm,
      'coaching.rules.saved',
    ),
  );
  router.get('/admin/coaching-rules/:code/edit', requireActor, (req, res) => renderRuleForm(req, res));
  router.post(
    '/admin/coaching-rules/:code',
    requireActor,
    pageAction(
      async (req) => {
        const agency = agencyOf(req);
        await updateRule(req.actor, agency, req.params.code, withoutCsrf(req.body, ['agency']));
        return rulesUrl(agency);
      },
      renderRuleForm,
      'coaching.rules.saved',
    ),
  );
  router.post(
    '/admin/coaching-rules/:code/active',
    requireActor,
    pageAction(
      async (req) => {
        const agency = agencyOf(req);
        await updateRule(req.actor, agency, req.params.code, { active: req.body?.active === 'true' });
        return rulesUrl(agency);
      },
      renderRules,
      'coaching.rules.saved',
    ),
  );
  return router;
}

const agencyOf = (req: Request): string | undefined => {
  const agency: unknown = req.body?.agency ?? req.query.agency;
  return typeof agency === 'string' && agency ? agency : undefined;
};
const rulesUrl = (agency: string | undefined) =>
  agency ? `/admin/coaching-rules?agency=${encodeURIComponent(agency)}` : '/admin/coaching-rules';

async function renderRules(req: Request, res: Response, extra: object = {}): Promise<void> {
  if (await choseNoAgency(req, res, req.t('coaching.rules.title'))) return;
  const list = await listRules(req.actor, agencyOf(req));
  res.render('pages/admin/coaching-rules', {
    title: `${req.t('coaching.rules.title')} · ${list.agency.name}`,
    list,
    names: await categoryNames(req),
    ...extra,
  });
}

async function renderRuleForm(req: Request, res: Response, extra: object = {}): Promise<void> {
  const code = typeof req.params.code === 'string' ? req.params.code : null;
  const found = code ? await getRule(req.actor, agencyOf(req), code) : null;
  const agency = found?.agency ?? (await listRules(req.actor, agencyOf(req))).agency;
  const rule = found?.rule;
  const values = rule
    ? {
        category: rule.category,
        minCount: rule.minCount,
        windowDays: rule.windowDays,
        competencyId: rule.competency.id,
        competencyEn: rule.competency.en,
        trainingId: rule.training.id,
        trainingEn: rule.training.en,
        jp: rule.jp ?? '',
        courseId: rule.courseId ?? '',
      }
    : { minCount: 2, windowDays: 90 };
  // The picker offers the categories the agency uses (a national one it switched off, or another agency's, is not).
  const names = await categoryNames(req, agency.code);
  res.render('pages/admin/coaching-rule-form', {
    title: req.t(rule ? 'coaching.rules.edit' : 'coaching.rules.new'),
    agency,
    rule,
    action: rule ? `/admin/coaching-rules/${encodeURIComponent(rule.code)}` : '/admin/coaching-rules',
    categories: Object.entries(names).map(([value, name]) => ({ value, name })),
    courses: await activeCourses(agency.id),
    values,
    ...extra,
  });
}
