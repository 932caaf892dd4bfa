import { Router, type Request } from 'express';
import { requireActor } from '../../platform/access.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { formRoute } from '../../platform/forms.js';
import {
  berakhlakValues,
  canManageCategories,
  createCategory,
  getCategory,
  listCategories,
  skmElementCount,
  updateCategory,
  type CategoryView,
  categoryChange,
  categoryInput,
} from './category-admin.js';
import { clockDefaults, kinds } from './statuses.js';
import {
  createTemplate,
  getTemplate,
  listTemplates,
  previewTemplate,
  templateUses,
  updateTemplate,
  type TemplateView,
  templateChange,
  templateInput,
  templatePreviewInput,
} from './template-admin.js';
import { templatePlaceholders } from './templates.js';
import { describe } from '../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getCategories: describe({ summary: 'The complaint category table' }),
  postCategories: describe({ summary: 'Add a complaint category', body: categoryInput, status: 201 }),
  getCategoriesCode: describe({ summary: 'One complaint category' }),
  patchCategoriesCode: describe({ summary: 'Change a complaint category', body: categoryChange }),
  getResponseTemplates: describe({ summary: 'The response templates' }),
  postResponseTemplates: describe({ summary: 'Add a response template', body: templateInput, status: 201 }),
  postResponseTemplatesPreview: describe({
    summary: 'Fill a template from a sample ticket, in both languages',
    body: templatePreviewInput,
  }),
  getResponseTemplatesCode: describe({ summary: 'One response template' }),
  patchResponseTemplatesCode: describe({ summary: 'Change a response template', body: templateChange }),
};

/**
 * The category table and the response templates: JSON API under /api/v1 and the admin pages, which work without
 * JavaScript. Thin: category-admin.ts and template-admin.ts check, validate and audit.
 */
export function adminRoutes(): Router {
  return Router().use(categoryRoutes()).use(templateRoutes());
}

function categoryRoutes(): Router {
  const router = Router();
  router.get('/api/v1/categories', docs.getCategories, requireActor, async (req, res) => {
    res.json({ categories: await listCategories(req.actor) });
  });
  router.post('/api/v1/categories', docs.postCategories, requireActor, async (req, res) => {
    res.status(201).json(await createCategory(req.actor, req.body));
  });
  router.get('/api/v1/categories/:code', docs.getCategoriesCode, requireActor, async (req, res) => {
    res.json(await getCategory(req.actor, req.params.code));
  });
  router.patch('/api/v1/categories/:code', docs.patchCategoriesCode, requireActor, async (req, res) => {
    res.json(await updateCategory(req.actor, req.params.code, req.body));
  });

  router.get('/admin/categories', requireActor, async (req, res) => {
    res.render('pages/admin/categories', await categoriesPage(req));
  });
  router.get('/admin/categories/new', requireActor, async (req, res) => {
    res.render('pages/admin/category-form', await categoryForm(req));
  });
  router.post(
    '/admin/categories',
    requireActor,
    formRoute('pages/admin/category-form', categoryForm, async (req) => {
      await createCategory(req.actor, formBody(req));
      return { to: '/admin/categories', flash: req.t('categories.admin.saved') };
    }),
  );
  router.get('/admin/categories/:code/edit', requireActor, async (req, res) => {
    res.render('pages/admin/category-form', await categoryForm(req));
  });
  router.post(
    '/admin/categories/:code',
    requireActor,
    formRoute('pages/admin/category-form', categoryForm, async (req) => {
      // An unticked box sends nothing: the lists start empty and the form's fields fill them.
      await updateCategory(req.actor, req.params.code, {
        kinds: [],
        skmElements: [],
        berakhlakValues: [],
        officerRelated: '0',
        ...formBody(req),
      });
      return { to: '/admin/categories', flash: req.t('categories.admin.saved') };
    }),
  );
  router.post(
    '/admin/categories/:code/active',
    requireActor,
    formRoute('pages/admin/categories', categoriesPage, async (req) => {
      await updateCategory(req.actor, req.params.code, { active: req.body?.active === 'true' });
      return { to: '/admin/categories', flash: req.t('categories.admin.saved') };
    }),
  );

  return router;
}

function templateRoutes(): Router {
  const router = Router();
  router.get('/api/v1/response-templates', docs.getResponseTemplates, requireActor, async (req, res) => {
    res.json({ templates: await listTemplates(req.actor) });
  });
  router.post('/api/v1/response-templates', docs.postResponseTemplates, requireActor, async (req, res) => {
    res.status(201).json(await createTemplate(req.actor, req.body));
  });
  router.post(
    '/api/v1/response-templates/preview',
    docs.postResponseTemplatesPreview,
    requireActor,
    async (req, res) => {
      res.json(await previewTemplate(req.actor, req.body));
    },
  );
  router.get('/api/v1/response-templates/:code', docs.getResponseTemplatesCode, requireActor, async (req, res) => {
    res.json(await getTemplate(req.actor, req.params.code));
  });
  router.patch('/api/v1/response-templates/:code', docs.patchResponseTemplatesCode, requireActor, async (req, res) => {
    res.json(await updateTemplate(req.actor, req.params.code, req.body));
  });

  router.get('/admin/templates', requireActor, async (req, res) => {
    res.render('pages/admin/templates', await templatesPage(req));
  });
  router.get('/admin/templates/new', requireActor, async (req, res) => {
    res.render('pages/admin/template-form', await templateForm(req));
  });
  router.post(
    '/admin/templates',
    requireActor,
    formRoute('pages/admin/template-form', templateForm, async (req) => {
      await createTemplate(req.actor, formBody(req));
      return { to: '/admin/templates', flash: req.t('templates.admin.saved') };
    }),
  );
  // The form's preview button posts here: the same form again, filled from the sample ticket, nothing saved.
  router.post(['/admin/templates/preview', '/admin/templates/:code/preview'], requireActor, async (req, res) => {
    const model = await templateForm(req);
    const texts = formBody(req, ['bodyId', 'bodyEn']);
    try {
      res.render('pages/admin/template-form', {
        ...model,
        values: req.body,
        preview: await previewTemplate(req.actor, texts),
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(error.status).render('pages/admin/template-form', {
        ...model,
        values: req.body,
        errors: translateFields(req, error),
        error: req.t(error.messageKey),
      });
    }
  });
  router.get('/admin/templates/:code/edit', requireActor, async (req, res) => {
    res.render('pages/admin/template-form', await templateForm(req));
  });
  router.post(
    '/admin/templates/:code',
    requireActor,
    formRoute('pages/admin/template-form', templateForm, async (req) => {
      // "Any category" is the empty choice, which formBody drops: it is set first, and a chosen one replaces it.
      await updateTemplate(req.actor, req.params.code, { category: '', ...formBody(req) });
      return { to: '/admin/templates', flash: req.t('templates.admin.saved') };
    }),
  );
  router.post(
    '/admin/templates/:code/active',
    requireActor,
    formRoute('pages/admin/templates', templatesPage, async (req) => {
      await updateTemplate(req.actor, req.params.code, { active: req.body?.active === 'true' });
      return { to: '/admin/templates', flash: req.t('templates.admin.saved') };
    }),
  );
  return router;
}

/** A form's fields without the CSRF token and without empty ones (an empty field is "not given"), or only `keep`. */
function formBody(req: Request, keep?: string[]): Record<string, unknown> {
  const body = { ...((req.body ?? {}) as Record<string, unknown>) };
  delete body._csrf;
  return Object.fromEntries(
    Object.entries(body).filter(([key, value]) => value !== '' && (!keep || keep.includes(key))),
  );
}

const codeParam = (req: Request) => (typeof req.params.code === 'string' ? req.params.code : null);

async function categoriesPage(req: Request) {
  return {
    title: req.t('categories.admin.title'),
    categories: (await listCategories(req.actor)).map((category) => ({
      ...category,
      skmLabel: category.skmElements.map((index) => `U${index + 1}`).join(', '),
    })),
    manages: canManageCategories(req.actor),
  };
}

async function categoryForm(req: Request) {
  const code = codeParam(req);
  const category: CategoryView | null = code ? await getCategory(req.actor, code) : null;
  const values = category
    ? {
        code: category.code,
        nameId: category.name.id,
        nameEn: category.name.en,
        kinds: category.kinds,
        skmElements: category.skmElements.map(String),
        berakhlakValues: category.berakhlakValues,
        competency: category.competency ?? '',
        verifyWorkingDays: category.verifyWorkingDays ?? '',
        officerRelated: category.officerRelated,
      }
    : { kinds: ['complaint'], officerRelated: true };
  // A refused post shows the boxes as the admin ticked them; a tick is one value or a list of them.
  const shown = (req.method === 'POST' ? (req.body ?? {}) : values) as Record<string, unknown>;
  const chosen = (list: unknown, value: string) =>
    (Array.isArray(list) ? list.map(String) : [String(list)]).includes(value);
  return {
    title: req.t(category ? 'categories.admin.edit' : 'categories.admin.new'),
    category,
    action: category ? `/admin/categories/${encodeURIComponent(category.code)}` : '/admin/categories',
    values,
    kinds: kinds.map((kind) => ({ value: kind, checked: chosen(shown.kinds, kind) })),
    skm: Array.from({ length: skmElementCount }, (_, index) => ({
      value: String(index),
      label: `U${index + 1}`,
      checked: chosen(shown.skmElements, String(index)),
    })),
    berakhlak: berakhlakValues.map((value) => ({ value, checked: chosen(shown.berakhlakValues, value) })),
    maxVerifyDays: clockDefaults.verifyWorkingDays,
  };
}

async function templatesPage(req: Request) {
  return {
    title: req.t('templates.admin.title'),
    templates: await listTemplates(req.actor),
    names: Object.fromEntries(
      (await listCategories(req.actor)).map((category) => [category.code, category.name[req.lang]]),
    ),
    known: templatePlaceholders.map((name) => `{${name}}`).join(', '),
    manages: canManageCategories(req.actor),
  };
}

async function templateForm(req: Request) {
  const code = codeParam(req);
  const template: TemplateView | null = code ? await getTemplate(req.actor, code) : null;
  const values = template
    ? {
        code: template.code,
        category: template.category ?? '',
        usedFor: template.usedFor,
        titleId: template.title.id,
        titleEn: template.title.en,
        bodyId: template.body.id,
        bodyEn: template.body.en,
      }
    : { usedFor: 'reply' };
  const base = template ? `/admin/templates/${encodeURIComponent(template.code)}` : '/admin/templates';
  return {
    title: req.t(template ? 'templates.admin.edit' : 'templates.admin.new'),
    template,
    action: base,
    previewAction: `${base}/preview`,
    values,
    categories: (await listCategories(req.actor)).map((category) => ({
      value: category.code,
      name: category.name[req.lang],
    })),
    uses: templateUses,
    known: templatePlaceholders.map((name) => `{${name}}`).join(', '),
  };
}
