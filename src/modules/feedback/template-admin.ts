import Joi from 'joi';
import type { Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import type { Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import {
  assertReadsNationalTables,
  categoryCodesOf,
  categoryTable,
  nationalScope,
  type CategoryTable,
} from './category-admin.js';
import { fillTemplate, ResponseTemplate, templatePlaceholders, type ResponseTemplateDoc } from './templates.js';

/**
 * Response templates per category and action, kept beside the category tables and by the same people: national ones
 * by a platform administrator, an agency's own by its admins, who read the national ones (docs/domain.md#categories). A template's text may hold only the placeholders the staff
 * pages fill (`templatePlaceholders`); anything else in braces is refused on save, so no citizen reads a raw `{…}`.
 */

export const templateUses = ['reply', 'ask', 'resolve', 'reject'] as const;

const text = Joi.string().trim().min(3).max(2000);
const fields = {
  category: Joi.string().trim().max(40).allow('', null),
  usedFor: Joi.string().valid(...templateUses),
  titleId: Joi.string().trim().min(3).max(120),
  titleEn: Joi.string().trim().min(3).max(120),
  bodyId: text,
  bodyEn: text,
};
export const templateInput = Joi.object({
  ...fields,
  code: Joi.string()
    .trim()
    .pattern(/^[a-z][a-z0-9_]{2,39}$/)
    .required(),
  usedFor: fields.usedFor.required(),
  titleId: fields.titleId.required(),
  titleEn: fields.titleEn.required(),
  bodyId: fields.bodyId.required(),
  bodyEn: fields.bodyEn.required(),
});
export const templateChange = Joi.object({ ...fields, active: Joi.boolean() }).min(1);

interface TemplateInput {
  code?: string;
  category?: string | null;
  usedFor?: (typeof templateUses)[number];
  titleId?: string;
  titleEn?: string;
  bodyId?: string;
  bodyEn?: string;
  active?: boolean;
}

export const templateView = (template: ResponseTemplateDoc) => ({
  code: template.code,
  /** 'national', or the code of the agency that owns it. */
  owner: template.agencyCode ?? 'national',
  category: template.category ?? null,
  usedFor: template.usedFor,
  title: { id: template.title?.id ?? '', en: template.title?.en ?? '' },
  body: { id: template.body?.id ?? '', en: template.body?.en ?? '' },
  active: template.active ?? true,
});
export type TemplateView = ReturnType<typeof templateView>;

/** The first fault of a template text's braces: an unknown placeholder, or a brace that does not pair. */
export function placeholderFault(body: string): 'unknown' | 'unbalanced' | null {
  const known = new Set<string>(templatePlaceholders);
  let depth = 0;
  for (const char of body) {
    if (char === '{') depth += 1;
    else if (char === '}') depth -= 1;
    if (depth < 0 || depth > 1) return 'unbalanced';
  }
  if (depth !== 0) return 'unbalanced';
  for (const [, name] of body.matchAll(/\{([^{}]*)\}/g)) if (!known.has(name)) return 'unknown';
  return null;
}

function assertPlaceholders(input: TemplateInput): void {
  const fields: FieldErrors = {};
  for (const key of ['bodyId', 'bodyEn', 'titleId', 'titleEn'] as const) {
    const fault = input[key] === undefined ? null : placeholderFault(input[key]);
    if (fault)
      fields[key] = {
        key: `templates.admin.placeholder_${fault}`,
        params: { known: templatePlaceholders.map((name) => `{${name}}`).join(', ') },
      };
  }
  if (Object.keys(fields).length) throw AppError.validation(fields);
}

/** A template names a category its table shows: a national one, or on an agency's table the agency's own. */
async function assertCategory(table: CategoryTable, category: string | null | undefined): Promise<void> {
  if (!category) return;
  if (!(await categoryCodesOf(table)).has(category))
    throw AppError.validation({ category: { key: 'templates.admin.unknown_category' } });
}

const templatesOf = (table: CategoryTable) => ({
  agencyCode: { $in: [null, ...(table.agency ? [table.agency.code] : [])] },
});

export async function listTemplates(actor: Actor | undefined, agencyCode?: unknown): Promise<TemplateView[]> {
  const table = await categoryTable(actor, agencyCode);
  return (
    await ResponseTemplate.find(templatesOf(table))
      .sort({ category: 1, usedFor: 1, code: 1 })
      .lean<ResponseTemplateDoc[]>()
  ).map(templateView);
}

/** One template the table shows, or 404 for any other code (another agency's, or none at all). */
async function templateOf(table: CategoryTable, code: unknown): Promise<ResponseTemplateDoc> {
  const template =
    typeof code === 'string'
      ? await ResponseTemplate.findOne({ code, ...templatesOf(table) }).lean<ResponseTemplateDoc>()
      : null;
  if (!template) throw new AppError('not_found');
  return template;
}

export async function getTemplate(actor: Actor | undefined, agencyCode: unknown, code: unknown): Promise<TemplateView> {
  return templateView(await templateOf(await categoryTable(actor, agencyCode), code));
}

function storedFields(input: TemplateInput, before?: TemplateView): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (input.category !== undefined) set.category = input.category || null;
  if (input.usedFor !== undefined) set.usedFor = input.usedFor;
  if (input.active !== undefined) set.active = input.active;
  if (input.titleId !== undefined || input.titleEn !== undefined)
    set.title = { id: input.titleId ?? before!.title.id, en: input.titleEn ?? before!.title.en };
  if (input.bodyId !== undefined || input.bodyEn !== undefined)
    set.body = { id: input.bodyId ?? before!.body.id, en: input.bodyEn ?? before!.body.en };
  return set;
}

const scopeOf = (table: CategoryTable) => (table.agency ? { unitPath: table.agency.path } : nationalScope);

/** A template of the table: national for a platform administrator, else the agency's own. */
export async function createTemplate(
  actor: Actor | undefined,
  agencyCode: unknown,
  raw: unknown,
): Promise<TemplateView> {
  const table = await categoryTable(actor, agencyCode);
  if (!table.manages) throw new AppError('forbidden', 'categories.admin.agency_admins_only');
  const input = check<TemplateInput>(templateInput, raw);
  assertPlaceholders(input);
  await assertCategory(table, input.category);
  if (await ResponseTemplate.exists({ code: input.code }))
    throw AppError.validation({ code: { key: 'templates.admin.code_taken' } });
  const created = await ResponseTemplate.create({
    code: input.code,
    agencyCode: table.agency?.code ?? null,
    ...storedFields(input),
  }).catch((error: { code?: number }) =>
    Promise.reject(
      error?.code === 11000 ? AppError.validation({ code: { key: 'templates.admin.code_taken' } }) : error,
    ),
  );
  const after = templateView(created.toObject());
  await recordAudit(actor!, 'feedback.template.create', after.code, { before: null, after }, null, scopeOf(table));
  return after;
}

/** A change to a template the table owns; an agency admin reads the national ones and changes only the agency's. */
export async function updateTemplate(
  actor: Actor | undefined,
  agencyCode: unknown,
  code: unknown,
  raw: unknown,
): Promise<TemplateView> {
  const table = await categoryTable(actor, agencyCode);
  const current = await templateOf(table, code);
  if (!table.manages) throw new AppError('forbidden', 'categories.admin.agency_admins_only');
  if ((current.agencyCode ?? null) !== (table.agency?.code ?? null))
    throw new AppError('forbidden', 'templates.admin.national_read_only');
  const input = check<TemplateInput>(templateChange, raw);
  assertPlaceholders(input);
  await assertCategory(table, input.category);
  const before = templateView(current);
  const updated = await ResponseTemplate.findOneAndUpdate(
    { code: before.code, agencyCode: current.agencyCode ?? null },
    { $set: storedFields(input, before) },
    { returnDocument: 'after' },
  ).lean<ResponseTemplateDoc>();
  if (!updated) throw new AppError('not_found');
  const after = templateView(updated);
  await recordAudit(actor!, 'feedback.template.update', after.code, { before, after }, null, scopeOf(table));
  return after;
}

/** What a preview takes: a template's texts as typed, not yet saved. */
export const templatePreviewInput = Joi.object({
  titleId: fields.titleId,
  titleEn: fields.titleEn,
  bodyId: text,
  bodyEn: text,
}).min(1);

/** A made-up ticket for previews: never a real citizen's report. */
export const sampleTicket = { code: 'SR-CONTOH-0001', unit: 'Puskesmas Contoh' };

/** A template (saved, or as typed on the form) filled from the sample ticket, in both languages. */
export async function previewTemplate(actor: Actor | undefined, raw: unknown) {
  assertReadsNationalTables(actor);
  const input = check<TemplateInput>(templatePreviewInput, raw);
  assertPlaceholders(input);
  const fill = (lang: Lang) => fillTemplate(input[lang === 'id' ? 'bodyId' : 'bodyEn'] ?? '', sampleTicket);
  return { sample: sampleTicket, body: { id: fill('id'), en: fill('en') } };
}
