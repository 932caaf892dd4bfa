import Joi from 'joi';
import { can, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { AppError } from '../../platform/errors.js';
import { check, checkbox } from '../../platform/validate.js';
import { findUnitByCode, findUnitById } from '../directory/index.js';
import { Category, CategoryOverride, type CategoryDoc, type CategoryOverrideDoc } from './categories.js';
import { clockDefaults, kinds } from './statuses.js';

/**
 * The category tables (docs/domain.md#categories). The national categories are kept by a platform administrator — a
 * grant of `directory.manage` everywhere. An agency admin keeps the agency's own categories (a code unique in the
 * deployment, owned by the agency) and may switch a national category off for the agency's units: an override kept
 * beside the national row, which stays as it is. Every change is audited with the category before and after.
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

/** Whose categories a request reads and changes: the nation's, or one agency's (its root unit). */
export interface CategoryTable {
  agency: { code: string; name: string; path: string[] } | null;
  /** Whether the actor may change this table (a platform administrator, or an admin of the whole agency). */
  manages: boolean;
}

const tableScope = (table: CategoryTable) => (table.agency ? { unitPath: table.agency.path } : nationalScope);

/**
 * The table an admin works on: the agency named, or else their own agency (the agency of their admin grant's unit);
 * a platform administrator naming none keeps the national table. An agency the admin does not administer reads as
 * unknown (404): nothing says whether it exists.
 */
export async function categoryTable(actor: Actor | undefined, agencyCode?: unknown): Promise<CategoryTable> {
  assertReadsNationalTables(actor);
  // A list or an object where a code belongs is forged: it names no agency anyone may see.
  if (agencyCode !== undefined && agencyCode !== null && typeof agencyCode !== 'string')
    throw new AppError('not_found');
  const everywhere = actor!.grants.some((grant) => grant.role === 'admin' && grant.unitId === null);
  const named = typeof agencyCode === 'string' && agencyCode.trim() ? agencyCode.trim() : null;
  if (named && named.length > 40) throw new AppError('not_found'); // no unit code is longer
  if (!named && everywhere) return { agency: null, manages: true };
  const ownAgencies = new Set<string>();
  for (const grant of actor!.grants)
    if (grant.role === 'admin' && grant.unitId) {
      const unit = await findUnitById(grant.unitId);
      if (unit) ownAgencies.add(unit.agencyCode);
    }
  const code = named ?? [...ownAgencies][0];
  const agency = code && (everywhere || ownAgencies.has(code.toUpperCase())) ? await findUnitByCode(code) : null;
  if (!agency || agency.parentId || agency.code !== agency.agencyCode) throw new AppError('not_found');
  const path = agency.path.map(String);
  return {
    agency: { code: agency.code, name: agency.name, path },
    manages: can(actor, 'directory.manage', { unitPath: path }),
  };
}

function assertManages(table: CategoryTable): void {
  if (!table.manages) throw new AppError('forbidden', 'categories.admin.agency_admins_only');
}

/** A category as one table shows it: whose it is, and whether it is offered there. */
export const categoryView = (category: CategoryDoc, switchedOff = false) => ({
  code: category.code,
  name: { id: category.name?.id ?? category.code, en: category.name?.en ?? category.code },
  kinds: [...category.kinds],
  skmElements: [...(category.skmElements ?? [])],
  berakhlakValues: [...(category.berakhlakValues ?? [])],
  competency: category.competency ?? null,
  officerRelated: category.officerRelated ?? true,
  verifyWorkingDays: category.verifyWorkingDays ?? null,
  /** The row itself: for a national category, whether it is offered anywhere. */
  active: category.active ?? true,
  /** 'national', or the code of the agency that owns it. */
  owner: category.agencyCode ?? 'national',
  /** Whether the agency switched this national category off for its units (always false on the national table). */
  switchedOff,
  /** Offered on the public forms of this table's units. */
  offered: (category.active ?? true) && !switchedOff,
});
export type CategoryView = ReturnType<typeof categoryView>;

/** Anyone who administers an agency reads the tables; what they may change, `categoryTable` says. */
export function assertReadsNationalTables(actor: Actor | undefined): void {
  if (!actor) throw new AppError('unauthenticated');
  if (!actor.grants.some((grant) => grant.role === 'admin')) throw new AppError('forbidden');
}
export const canManageCategories = (actor: Actor | undefined) => can(actor, 'directory.manage', nationalScope);

/** The rows a table shows: the national ones, and on an agency's table the agency's own after them. */
const rowsOf = (table: CategoryTable) => ({
  agencyCode: { $in: [null, ...(table.agency ? [table.agency.code] : [])] },
});

async function overridesOf(table: CategoryTable): Promise<Set<string>> {
  if (!table.agency) return new Set();
  const overrides = await CategoryOverride.find({ agencyCode: table.agency.code, active: false }).lean<
    CategoryOverrideDoc[]
  >();
  return new Set(overrides.map((override) => override.code));
}

export async function listCategories(actor: Actor | undefined, agencyCode?: unknown): Promise<CategoryView[]> {
  const table = await categoryTable(actor, agencyCode);
  const [rows, off] = await Promise.all([
    Category.find(rowsOf(table)).sort({ order: 1, code: 1 }).lean<CategoryDoc[]>(),
    overridesOf(table),
  ]);
  const national = rows.filter((row) => !row.agencyCode);
  const own = rows.filter((row) => row.agencyCode);
  return [...national, ...own].map((row) => categoryView(row, off.has(row.code)));
}

/** One category of the table, or 404 for a code it does not show (another agency's, or none at all). */
async function rowOf(table: CategoryTable, code: unknown): Promise<CategoryDoc> {
  const category =
    typeof code === 'string' ? await Category.findOne({ code, ...rowsOf(table) }).lean<CategoryDoc>() : null;
  if (!category) throw new AppError('not_found');
  return category;
}

export async function getCategory(actor: Actor | undefined, agencyCode: unknown, code: unknown): Promise<CategoryView> {
  const table = await categoryTable(actor, agencyCode);
  return categoryView(await rowOf(table, code), (await overridesOf(table)).has(String(code)));
}

/** The categories a template of this table may name: the national ones, and an agency's own on its table. */
export async function categoryCodesOf(table: CategoryTable): Promise<Set<string>> {
  const rows = await Category.find(rowsOf(table)).select({ code: 1 }).lean<Pick<CategoryDoc, 'code'>[]>();
  return new Set(rows.map((row) => row.code));
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

/** A new category of the table: national for a platform administrator, else the agency's own. */
export async function createCategory(
  actor: Actor | undefined,
  agencyCode: unknown,
  raw: unknown,
): Promise<CategoryView> {
  const table = await categoryTable(actor, agencyCode);
  assertManages(table);
  const input = check<CategoryInput>(categoryInput, raw);
  if (await Category.exists({ code: input.code }))
    throw AppError.validation({ code: { key: 'categories.admin.code_taken' } });
  const last = await Category.findOne().sort({ order: -1 }).lean<CategoryDoc>();
  // Two admins racing for one code: the unique index decides, and the loser hears the same as above.
  const created = await Category.create({
    code: input.code,
    agencyCode: table.agency?.code ?? null,
    order: (last?.order ?? 0) + 1,
    ...storedFields(input),
  }).catch((error: { code?: number }) =>
    Promise.reject(
      error?.code === 11000 ? AppError.validation({ code: { key: 'categories.admin.code_taken' } }) : error,
    ),
  );
  const after = categoryView(created.toObject());
  await recordAudit(actor!, 'feedback.category.create', after.code, { before: null, after }, null, tableScope(table));
  return after;
}

/**
 * A rename, new mappings, or (de)activation of a category of the table. A deactivated category keeps its name for
 * the tickets filed under it. On an agency's table a national category can only be switched on or off, for the
 * agency's units alone.
 */
export async function updateCategory(
  actor: Actor | undefined,
  agencyCode: unknown,
  code: unknown,
  raw: unknown,
): Promise<CategoryView> {
  const table = await categoryTable(actor, agencyCode);
  const current = await rowOf(table, code);
  assertManages(table);
  const input = check<CategoryInput>(categoryChange, raw);
  // The checkbox's default is for a new category: a change leaves the flag alone unless it is given.
  if (!(raw && typeof raw === 'object' && 'officerRelated' in raw)) delete input.officerRelated;
  if (table.agency && !current.agencyCode) return switchForAgency(actor!, table, current, input);
  const before = categoryView(current);
  const set = storedFields(input, before);
  const updated = await Category.findOneAndUpdate(
    { code: before.code, agencyCode: current.agencyCode ?? null },
    { $set: set },
    { returnDocument: 'after' },
  ).lean<CategoryDoc>();
  if (!updated) throw new AppError('not_found');
  const after = categoryView(updated);
  const action =
    input.active === undefined || Object.keys(set).length > 1 ? 'update' : input.active ? 'activate' : 'deactivate';
  await recordAudit(actor!, `feedback.category.${action}`, after.code, { before, after }, null, tableScope(table));
  return after;
}

/** An agency switches a national category off (or on again) for its units; the national row is not touched. */
async function switchForAgency(
  actor: Actor,
  table: CategoryTable,
  national: CategoryDoc,
  input: CategoryInput,
): Promise<CategoryView> {
  if (input.active === undefined || Object.keys(input).length > 1)
    throw new AppError('forbidden', 'categories.admin.national_switch_only');
  const agency = table.agency!;
  const before = categoryView(national, (await overridesOf(table)).has(national.code));
  const write = () =>
    CategoryOverride.updateOne(
      { agencyCode: agency.code, code: national.code },
      { $set: { active: input.active } },
      { upsert: true },
    );
  // Two upserts at once may both insert; the unique index refuses one, which then finds the row and updates it.
  await write().catch((error: { code?: number }) => (error?.code === 11000 ? write() : Promise.reject(error)));
  const after = categoryView(national, !input.active);
  await recordAudit(
    actor,
    `feedback.category.${input.active ? 'activate' : 'deactivate'}`,
    national.code,
    { agency: agency.code, before, after },
    null,
    tableScope(table),
  );
  return after;
}
