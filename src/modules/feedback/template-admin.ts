import Joi from 'joi';
import { assertCan, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import type { Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import { Category } from './categories.js';
import { assertReadsNationalTables, nationalScope } from './category-admin.js';
import { fillTemplate, ResponseTemplate, templatePlaceholders, type ResponseTemplateDoc } from './templates.js';

/**
 * Response templates per category and action, kept beside the national category table and by the same people (a
 * platform administrator; docs/domain.md#categories). A template's text may hold only the placeholders the staff
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

async function assertCategory(category: string | null | undefined): Promise<void> {
  if (!category) return;
  if (!(await Category.exists({ code: category })))
    throw AppError.validation({ category: { key: 'templates.admin.unknown_category' } });
}

export async function listTemplates(actor: Actor | undefined): Promise<TemplateView[]> {
  assertReadsNationalTables(actor);
  return (await ResponseTemplate.find().sort({ category: 1, usedFor: 1, code: 1 }).lean<ResponseTemplateDoc[]>()).map(
    templateView,
  );
}

export async function getTemplate(actor: Actor | undefined, code: unknown): Promise<TemplateView> {
  assertReadsNationalTables(actor);
  const template = await ResponseTemplate.findOne({ code: String(code) }).lean<ResponseTemplateDoc>();
  if (!template) throw new AppError('not_found');
  return templateView(template);
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

export async function createTemplate(actor: Actor | undefined, raw: unknown): Promise<TemplateView> {
  assertCan(actor, 'directory.manage', nationalScope);
  const input = check<TemplateInput>(templateInput, raw);
  assertPlaceholders(input);
  await assertCategory(input.category);
  if (await ResponseTemplate.exists({ code: input.code }))
    throw AppError.validation({ code: { key: 'templates.admin.code_taken' } });
  const created = await ResponseTemplate.create({ code: input.code, ...storedFields(input) });
  const after = templateView(created.toObject());
  await recordAudit(actor!, 'feedback.template.create', after.code, { before: null, after }, null, nationalScope);
  return after;
}

export async function updateTemplate(actor: Actor | undefined, code: unknown, raw: unknown): Promise<TemplateView> {
  assertCan(actor, 'directory.manage', nationalScope);
  const current = await ResponseTemplate.findOne({ code: String(code) }).lean<ResponseTemplateDoc>();
  if (!current) throw new AppError('not_found');
  const input = check<TemplateInput>(templateChange, raw);
  assertPlaceholders(input);
  await assertCategory(input.category);
  const before = templateView(current);
  const updated = await ResponseTemplate.findOneAndUpdate(
    { code: before.code },
    { $set: storedFields(input, before) },
    { returnDocument: 'after' },
  ).lean<ResponseTemplateDoc>();
  if (!updated) throw new AppError('not_found');
  const after = templateView(updated);
  await recordAudit(actor!, 'feedback.template.update', after.code, { before, after }, null, nationalScope);
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
