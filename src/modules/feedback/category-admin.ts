import Joi from 'joi';
import { assertCan, can, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { AppError } from '../../platform/errors.js';
import { check, checkbox } from '../../platform/validate.js';
import { Category, type CategoryDoc } from './categories.js';
import { clockDefaults, kinds } from './statuses.js';

/**
 * The national category table (docs/domain.md#categories). Categories are stored once for the whole deployment (a
 * unique code, no agency), so they are kept by a platform administrator — a grant of `directory.manage` everywhere;
 * an agency admin reads them and changes none. Every change is audited with the category before and after.
 */

/** BerAKHLAK, the civil service's core values (SE MenPANRB 20/2021), as the coaching module reads them. */
export const berakhlakValues = [
  'berorientasi_pelayanan',
  'akuntabel',
  'kompeten',
  'harmonis',
  'loyal',
  'adaptif',
  'kolaboratif',
] as const;
/** The nine SKM elements of PermenPANRB 14/2017, by 0-based index. */
export const skmElementCount = 9;

/** Where a change to a national table is checked and audited: the root, held only by a grant everywhere. */
export const nationalScope = { unitPath: [] };

/** The verification clock may be shortened, never lengthened past the legal bound of `clockDefaults`. */
const fields = {
  nameId: Joi.string().trim().min(3).max(120),
  nameEn: Joi.string().trim().min(3).max(120),
  kinds: Joi.array()
    .single()
    .items(Joi.string().valid(...kinds))
    .min(1)
    .unique(),
  skmElements: Joi.array()
    .single()
    .items(
      Joi.number()
        .integer()
        .min(0)
        .max(skmElementCount - 1),
    )
    .unique(),
  berakhlakValues: Joi.array()
    .single()
    .items(Joi.string().valid(...berakhlakValues))
    .unique(),
  competency: Joi.string()
    .trim()
    .pattern(/^[a-z_]{3,60}$/)
    .allow('', null),
  verifyWorkingDays: Joi.number().integer().min(1).max(clockDefaults.verifyWorkingDays).allow('', null),
  officerRelated: checkbox(true),
};
export const categoryInput = Joi.object({
  ...fields,
  code: Joi.string()
    .trim()
    .pattern(/^[a-z][a-z0-9_]{2,39}$/)
    .required(),
  nameId: fields.nameId.required(),
  nameEn: fields.nameEn.required(),
  kinds: fields.kinds.required(),
});
export const categoryChange = Joi.object({
  ...fields,
  active: Joi.boolean(),
}).min(1);

interface CategoryInput {
  code?: string;
  nameId?: string;
  nameEn?: string;
  kinds?: string[];
  skmElements?: number[];
  berakhlakValues?: string[];
  competency?: string | null;
  verifyWorkingDays?: number | '' | null;
  officerRelated?: boolean;
  active?: boolean;
}

export const categoryView = (category: CategoryDoc) => ({
  code: category.code,
  name: { id: category.name?.id ?? category.code, en: category.name?.en ?? category.code },
  kinds: [...category.kinds],
  skmElements: [...(category.skmElements ?? [])],
  berakhlakValues: [...(category.berakhlakValues ?? [])],
  competency: category.competency ?? null,
  officerRelated: category.officerRelated ?? true,
  verifyWorkingDays: category.verifyWorkingDays ?? null,
  active: category.active ?? true,
});
export type CategoryView = ReturnType<typeof categoryView>;

/** Anyone who administers an agency reads the table; only a platform administrator may change it. */
export function assertReadsNationalTables(actor: Actor | undefined): void {
  if (!actor) throw new AppError('unauthenticated');
  if (!actor.grants.some((grant) => grant.role === 'admin')) throw new AppError('forbidden');
}
export const canManageCategories = (actor: Actor | undefined) => can(actor, 'directory.manage', nationalScope);

export async function listCategories(actor: Actor | undefined): Promise<CategoryView[]> {
  assertReadsNationalTables(actor);
  return (await Category.find().sort({ order: 1, code: 1 }).lean<CategoryDoc[]>()).map(categoryView);
}

export async function getCategory(actor: Actor | undefined, code: unknown): Promise<CategoryView> {
  assertReadsNationalTables(actor);
  const category = await Category.findOne({ code: String(code) }).lean<CategoryDoc>();
  if (!category) throw new AppError('not_found');
  return categoryView(category);
}

function storedFields(input: CategoryInput, before?: CategoryView): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  if (input.nameId !== undefined || input.nameEn !== undefined)
    set.name = { id: input.nameId ?? before!.name.id, en: input.nameEn ?? before!.name.en };
  for (const key of ['kinds', 'skmElements', 'berakhlakValues', 'officerRelated', 'active'] as const)
    if (input[key] !== undefined) set[key] = input[key];
  if (input.competency !== undefined) set.competency = input.competency || null;
  if (input.verifyWorkingDays !== undefined) set.verifyWorkingDays = input.verifyWorkingDays || null;
  return set;
}

export async function createCategory(actor: Actor | undefined, raw: unknown): Promise<CategoryView> {
  assertCan(actor, 'directory.manage', nationalScope);
  const input = check<CategoryInput>(categoryInput, raw);
  if (await Category.exists({ code: input.code }))
    throw AppError.validation({ code: { key: 'categories.admin.code_taken' } });
  const last = await Category.findOne().sort({ order: -1 }).lean<CategoryDoc>();
  const created = await Category.create({ code: input.code, order: (last?.order ?? 0) + 1, ...storedFields(input) });
  const after = categoryView(created.toObject());
  await recordAudit(actor!, 'feedback.category.create', after.code, { before: null, after }, null, nationalScope);
  return after;
}

/** A rename, new mappings, or (de)activation. A deactivated category keeps its name for the tickets filed under it. */
export async function updateCategory(actor: Actor | undefined, code: unknown, raw: unknown): Promise<CategoryView> {
  assertCan(actor, 'directory.manage', nationalScope);
  const current = await Category.findOne({ code: String(code) }).lean<CategoryDoc>();
  if (!current) throw new AppError('not_found');
  const input = check<CategoryInput>(categoryChange, raw);
  // The checkbox's default is for a new category: a change leaves the flag alone unless it is given.
  if (!(raw && typeof raw === 'object' && 'officerRelated' in raw)) delete input.officerRelated;
  const before = categoryView(current);
  const set = storedFields(input, before);
  const updated = await Category.findOneAndUpdate(
    { code: before.code },
    { $set: set },
    { returnDocument: 'after' },
  ).lean<CategoryDoc>();
  if (!updated) throw new AppError('not_found');
  const after = categoryView(updated);
  const action =
    input.active === undefined || Object.keys(set).length > 1 ? 'update' : input.active ? 'activate' : 'deactivate';
  await recordAudit(actor!, `feedback.category.${action}`, after.code, { before, after }, null, nationalScope);
  return after;
}
