import { Router, type Request, type RequestHandler } from 'express';
import Joi from 'joi';
import { can, requireActor, type Actor } from '../../platform/access.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { formRoute } from '../../platform/forms.js';
import { activeAgencies } from '../directory/index.js';
import {
  berakhlakValues,
  categoryTable,
  createCategory,
  getCategory,
  listCategories,
  skmElementCount,
  updateCategory,
  type CategoryTable,
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

const agencyParam = Joi.object({ agency: Joi.string().max(40) });

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const previewDocs = describe({
  summary: 'Fill a template from a sample ticket, in both languages',
  body: templatePreviewInput,
});
/**
 * The category tables and the response templates: JSON API under /api/v1 and the admin pages, which work without
 * JavaScript. Both are one shape (`tableRoutes`): a list, a form to add, a form to edit, a switch on and off, each
 * on the national table or an agency's (`?agency=CODE` or the form's hidden `agency`; an agency admin's own agency
 * when none is named). Thin: category-admin.ts and template-admin.ts check, validate and audit.
 */
export function adminRoutes(): Router {
  return (
    Router()
      .use(tableRoutes(categories))
      // The preview paths come before the table's, where `/admin/templates/preview` would read as a template's code.
      .use(templatePreviewRoutes())
      .use(tableRoutes(templates))
  );
}

/** One admin table: where it lives, what the services do, and the view models of its two pages. */
interface AdminTable<View> {
  /** The JSON collection, e.g. /api/v1/categories, and the key its listing answers under. */
  api: string;
  listKey: string;
  /** The admin pages' base path, e.g. /admin/categories. */
  page: string;
  views: { list: string; form: string };
  /** The flash message after a saved change. */
  saved: string;
  list(actor: Actor | undefined, agency: unknown): Promise<View[]>;
  get(actor: Actor | undefined, agency: unknown, code: unknown): Promise<View>;
  create(actor: Actor | undefined, agency: unknown, body: unknown): Promise<View>;
  update(actor: Actor | undefined, agency: unknown, code: unknown, body: unknown): Promise<View>;
  /** What an edit form's post starts from: an unticked box or an emptied choice sends nothing. */
  emptied: Record<string, unknown>;
  listModel(req: Request): Promise<object>;
  formModel(req: Request): Promise<object>;
  /** What the API document says of the four JSON routes. */
  docs: { list: RequestHandler; create: RequestHandler; get: RequestHandler; update: RequestHandler };
}

function tableRoutes<View>(table: AdminTable<View>): Router {
  const router = Router();
  const { api, page } = table;
  router.get(api, table.docs.list, requireActor, async (req, res) => {
    const owner = await categoryTable(req.actor, req.query.agency);
    res.json({
      agency: owner.agency?.code ?? null,
      manages: owner.manages,
      [table.listKey]: await table.list(req.actor, req.query.agency),
    });
  });
  router.post(api, table.docs.create, requireActor, async (req, res) => {
    res.status(201).json(await table.create(req.actor, req.query.agency, req.body));
  });
  router.get(`${api}/:code`, table.docs.get, requireActor, async (req, res) => {
    res.json(await table.get(req.actor, req.query.agency, req.params.code));
  });
  router.patch(`${api}/:code`, table.docs.update, requireActor, async (req, res) => {
    res.json(await table.update(req.actor, req.query.agency, req.params.code, req.body));
  });

  const done = (req: Request) => ({ to: `${page}${agencyQuery(req)}`, flash: req.t(table.saved) });
  router.get(page, requireActor, async (req, res) => {
    res.render(table.views.list, await table.listModel(req));
  });
  router.get(`${page}/new`, requireActor, async (req, res) => {
    res.render(table.views.form, await table.formModel(req));
  });
  router.post(
    page,
    requireActor,
    formRoute(table.views.form, table.formModel, async (req) => {
      await table.create(req.actor, agencyOf(req), formBody(req));
      return done(req);
    }),
  );
  router.get(`${page}/:code/edit`, requireActor, async (req, res) => {
    res.render(table.views.form, await table.formModel(req));
  });
  router.post(
    `${page}/:code`,
    requireActor,
    formRoute(table.views.form, table.formModel, async (req) => {
      await table.update(req.actor, agencyOf(req), req.params.code, { ...table.emptied, ...formBody(req) });
      return done(req);
    }),
  );
  router.post(
    `${page}/:code/active`,
    requireActor,
    formRoute(table.views.list, table.listModel, async (req) => {
      await table.update(req.actor, agencyOf(req), req.params.code, { active: req.body?.active === 'true' });
      return done(req);
    }),
  );
  return router;
}

/** The agency a page or form names: the query's `agency`, or the form's hidden field. */
const agencyOf = (req: Request): string | undefined => {
  const agency: unknown = req.body?.agency ?? req.query.agency;
  return typeof agency === 'string' && agency ? agency : undefined;
};
const agencyQuery = (req: Request) => {
  const agency = agencyOf(req);
  return agency ? `?agency=${encodeURIComponent(agency)}` : '';
};

/** A form's fields without the CSRF token, the agency and empty ones (an empty field is "not given"), or only `keep`. */
function formBody(req: Request, keep?: string[]): Record<string, unknown> {
  const body = { ...((req.body ?? {}) as Record<string, unknown>) };
  delete body._csrf;
  delete body.agency;
  return Object.fromEntries(
    Object.entries(body).filter(([key, value]) => value !== '' && (!keep || keep.includes(key))),
  );
}

const codeParam = (req: Request) => (typeof req.params.code === 'string' ? req.params.code : null);

/**
 * What both tables' pages show of whose table it is. Someone who manages several tables (a platform administrator:
 * the national one and every agency's; an admin of two agencies: both) gets links between them, and the agency is
 * named in links and forms; an admin of one agency sees only theirs, the default, and nothing is named.
 */
async function tableHeading(req: Request, owner: CategoryTable) {
  const everywhere = req.actor!.grants.some((grant) => grant.role === 'admin' && grant.unitId === null);
  const managed = (await activeAgencies()).filter((agency) =>
    can(req.actor, 'directory.manage', { unitPath: [agency._id] }),
  );
  const several = everywhere || managed.length > 1;
  const agencyField = several && owner.agency ? owner.agency.code : null;
  return {
    manages: owner.manages,
    agency: owner.agency,
    agencyField,
    agencyQuery: agencyField ? `?agency=${encodeURIComponent(agencyField)}` : '',
    nationalLink: everywhere,
    agencies: several ? managed.map(({ code, name }) => ({ code, name, current: code === owner.agency?.code })) : [],
  };
}

const ownerOf = (owner: CategoryTable) => owner.agency?.code ?? 'national';

const categories: AdminTable<CategoryView> = {
  api: '/api/v1/categories',
  docs: {
    list: describe({ summary: 'The complaint category table (national, or an agency’s)', query: agencyParam }),
    create: describe({ summary: 'Add a complaint category', query: agencyParam, body: categoryInput, status: 201 }),
    get: describe({ summary: 'One complaint category', query: agencyParam }),
    update: describe({ summary: 'Change a complaint category', query: agencyParam, body: categoryChange }),
  },
  listKey: 'categories',
  page: '/admin/categories',
  views: { list: 'pages/admin/categories', form: 'pages/admin/category-form' },
  saved: 'categories.admin.saved',
  list: listCategories,
  get: getCategory,
  create: createCategory,
  update: updateCategory,
  emptied: { kinds: [], skmElements: [], berakhlakValues: [], officerRelated: '0' },

  async listModel(req) {
    const owner = await categoryTable(req.actor, agencyOf(req));
    const heading = await tableHeading(req, owner);
    return {
      title: req.t('categories.admin.title'),
      ...heading,
      categories: (await listCategories(req.actor, agencyOf(req))).map((category) => {
        // On an agency's table a national category is switched for the agency only (an override).
        const national = owner.agency !== null && category.owner === 'national';
        return {
          ...category,
          skmLabel: category.skmElements.map((index) => `U${index + 1}`).join(', '),
          national: category.owner === 'national',
          on: national ? !category.switchedOff : category.active,
          canEdit: owner.manages && category.owner === ownerOf(owner),
          canSwitch: owner.manages && (!national || category.active),
        };
      }),
    };
  },

  async formModel(req) {
    const code = codeParam(req);
    const owner = await categoryTable(req.actor, agencyOf(req));
    const category: CategoryView | null = code ? await getCategory(req.actor, agencyOf(req), code) : null;
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
      ...(await tableHeading(req, owner)),
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
  },
};

const known = templatePlaceholders.map((name) => `{${name}}`).join(', ');
/** Category code → its name in the page's language, for the table's categories. */
const categoryNamesFor = async (req: Request) =>
  (await listCategories(req.actor, agencyOf(req))).map((category) => ({
    value: category.code,
    name: category.name[req.lang],
  }));

const templates: AdminTable<TemplateView> = {
  api: '/api/v1/response-templates',
  docs: {
    list: describe({ summary: 'The response templates (national, or an agency’s)', query: agencyParam }),
    create: describe({ summary: 'Add a response template', query: agencyParam, body: templateInput, status: 201 }),
    get: describe({ summary: 'One response template', query: agencyParam }),
    update: describe({ summary: 'Change a response template', query: agencyParam, body: templateChange }),
  },
  listKey: 'templates',
  page: '/admin/templates',
  views: { list: 'pages/admin/templates', form: 'pages/admin/template-form' },
  saved: 'templates.admin.saved',
  list: listTemplates,
  get: getTemplate,
  create: createTemplate,
  update: updateTemplate,
  // "Any category" is the empty choice, which formBody drops: it is set first, and a chosen one replaces it.
  emptied: { category: '' },

  async listModel(req) {
    const owner = await categoryTable(req.actor, agencyOf(req));
    return {
      title: req.t('templates.admin.title'),
      ...(await tableHeading(req, owner)),
      templates: (await listTemplates(req.actor, agencyOf(req))).map((template) => ({
        ...template,
        national: template.owner === 'national',
        canEdit: owner.manages && template.owner === ownerOf(owner),
      })),
      names: Object.fromEntries((await categoryNamesFor(req)).map(({ value, name }) => [value, name])),
      known,
    };
  },

  async formModel(req) {
    const code = codeParam(req);
    const owner = await categoryTable(req.actor, agencyOf(req));
    const template: TemplateView | null = code ? await getTemplate(req.actor, agencyOf(req), code) : null;
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
      : { usedFor: 'reply', category: typeof req.query.category === 'string' ? req.query.category : '' };
    const base = template ? `/admin/templates/${encodeURIComponent(template.code)}` : '/admin/templates';
    return {
      title: req.t(template ? 'templates.admin.edit' : 'templates.admin.new'),
      ...(await tableHeading(req, owner)),
      template,
      action: base,
      previewAction: `${base}/preview`,
      values,
      categories: await categoryNamesFor(req),
      uses: templateUses,
      known,
    };
  },
};

/** A template as typed, filled from the sample ticket: JSON, and the form's preview button (nothing saved). */
function templatePreviewRoutes(): Router {
  const router = Router();
  router.post('/api/v1/response-templates/preview', previewDocs, requireActor, async (req, res) => {
    res.json(await previewTemplate(req.actor, req.body));
  });
  router.post(['/admin/templates/preview', '/admin/templates/:code/preview'], requireActor, async (req, res) => {
    const model = await templates.formModel(req);
    const texts = formBody(req, ['bodyId', 'bodyEn']);
    try {
      res.render(templates.views.form, {
        ...model,
        values: req.body,
        preview: await previewTemplate(req.actor, texts),
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(error.status).render(templates.views.form, {
        ...model,
        values: req.body,
        errors: translateFields(req, error),
        error: req.t(error.messageKey),
      });
    }
  });
  return router;
}
