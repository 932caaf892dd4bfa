import Joi from 'joi';
import { Router, type Request, type Response } from 'express';
import { requireActor } from '../../../platform/access.js';
import { pageAction, withoutCsrf, choseNoAgency } from '../page-forms.js';
import { createCourse, getCourse, listCourses, updateCourse } from './catalogue.js';
import { trainingMethods } from './catalogue-model.js';
import { describe } from '../../../platform/validate.js';
import { courseChange, courseInput } from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getTrainingCatalogue: describe({
    summary: 'The agency’s training catalogue',
    query: Joi.object({ agency: Joi.string().trim().max(40).description('The agency’s code, for a national admin') }),
  }),
  postTrainingCatalogue: describe({
    summary: 'Add a course to the training catalogue',
    query: Joi.object({ agency: Joi.string().trim().max(40).description('The agency’s code, for a national admin') }),
    body: courseInput,
    status: 201,
  }),
  patchTrainingCatalogueId: describe({
    summary: 'Change or retire a course',
    query: Joi.object({ agency: Joi.string().trim().max(40).description('The agency’s code, for a national admin') }),
    body: courseChange,
  }),
};

/**
 * The agency's training catalogue: JSON API (`?agency=CODE`, else the admin's own agency) and the admin pages (the
 * agency in the query or a hidden field). Thin: catalogue.ts checks and validates.
 */
export function catalogueRoutes(): Router {
  const router = Router();
  router.get('/api/v1/training-catalogue', docs.getTrainingCatalogue, requireActor, async (req, res) => {
    res.json(await listCourses(req.actor, req.query.agency));
  });
  router.post('/api/v1/training-catalogue', docs.postTrainingCatalogue, requireActor, async (req, res) => {
    res.status(201).json(await createCourse(req.actor, req.query.agency, req.body));
  });
  router.patch('/api/v1/training-catalogue/:id', docs.patchTrainingCatalogueId, requireActor, async (req, res) => {
    res.json(await updateCourse(req.actor, req.query.agency, req.params.id, req.body));
  });

  router.get('/admin/training-catalogue', requireActor, (req, res) => renderCatalogue(req, res));
  router.post(
    '/admin/training-catalogue',
    requireActor,
    pageAction(
      async (req) => {
        const agency = agencyOf(req);
        await createCourse(req.actor, agency, withoutCsrf(req.body, ['agency']));
        return catalogueUrl(agency);
      },
      renderCatalogue,
      'coaching.catalogue.saved',
    ),
  );
  router.get('/admin/training-catalogue/:id/edit', requireActor, (req, res) => renderCourseForm(req, res));
  router.post(
    '/admin/training-catalogue/:id',
    requireActor,
    pageAction(
      async (req) => {
        const agency = agencyOf(req);
        await updateCourse(req.actor, agency, req.params.id, withoutCsrf(req.body, ['agency']));
        return catalogueUrl(agency);
      },
      renderCourseForm,
      'coaching.catalogue.saved',
    ),
  );
  router.post(
    '/admin/training-catalogue/:id/active',
    requireActor,
    pageAction(
      async (req) => {
        const agency = agencyOf(req);
        await updateCourse(req.actor, agency, req.params.id, { active: req.body?.active === 'true' });
        return catalogueUrl(agency);
      },
      renderCatalogue,
      'coaching.catalogue.saved',
    ),
  );
  return router;
}

const agencyOf = (req: Request): string | undefined => {
  const agency: unknown = req.body?.agency ?? req.query.agency;
  return typeof agency === 'string' && agency ? agency : undefined;
};
const catalogueUrl = (agency: string | undefined) =>
  agency ? `/admin/training-catalogue?agency=${encodeURIComponent(agency)}` : '/admin/training-catalogue';

/** The catalogue with the form to add a course (open, with what was typed, after a refused post). */
async function renderCatalogue(req: Request, res: Response, extra: object = {}): Promise<void> {
  if (await choseNoAgency(req, res, req.t('coaching.catalogue.title'))) return;
  const list = await listCourses(req.actor, agencyOf(req));
  res.render('pages/admin/training-catalogue', {
    title: `${req.t('coaching.catalogue.title')} · ${list.agency.name}`,
    list,
    methods: trainingMethods,
    values: {},
    ...extra,
  });
}

async function renderCourseForm(req: Request, res: Response, extra: object = {}): Promise<void> {
  const { agency, course } = await getCourse(req.actor, agencyOf(req), req.params.id);
  res.render('pages/admin/training-course-form', {
    title: `${req.t('coaching.catalogue.edit')} · ${course.title}`,
    agency,
    course,
    methods: trainingMethods,
    values: course,
    ...extra,
  });
}
