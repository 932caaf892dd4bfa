import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { countWrites, keptLookups } from '../../platform/shared-answers.js';
import type { Kind } from './statuses.js';

/**
 * Categories are data (editable per deployment); these are the defaults seeded on start. Each maps to the SKM
 * elements (0-based, in PermenPANRB 14/2017 order), BerAKHLAK values and a competency area, which the coaching
 * module uses; `officerRelated` says whether a finding against a named officer can come of it.
 */
export const defaultCategories = [
  {
    code: 'waiting_time',
    id: 'Waktu tunggu lama',
    en: 'Long waiting time',
    kinds: ['complaint', 'suggestion'],
    skm: [2],
    values: ['berorientasi_pelayanan'],
    competency: 'pelayanan_prima',
    officerRelated: true,
  },
  {
    code: 'slow_processing',
    id: 'Penundaan berlarut',
    en: 'Slow processing',
    kinds: ['complaint'],
    skm: [2],
    values: ['akuntabel'],
    competency: 'manajemen_waktu',
    officerRelated: true,
  },
  {
    code: 'officer_conduct',
    id: 'Sikap dan perilaku petugas',
    en: 'Officer conduct',
    kinds: ['complaint', 'compliment'],
    skm: [6],
    values: ['berorientasi_pelayanan', 'harmonis'],
    competency: 'etika_pelayanan',
    officerRelated: true,
  },
  {
    code: 'competence',
    id: 'Kompetensi petugas',
    en: 'Officer competence',
    kinds: ['complaint', 'compliment'],
    skm: [5],
    values: ['kompeten'],
    competency: 'teknis_layanan',
    officerRelated: true,
  },
  {
    code: 'illegal_fee',
    id: 'Pungutan liar / permintaan imbalan',
    en: 'Illegal fee or bribe request',
    kinds: ['complaint'],
    skm: [3],
    values: ['akuntabel', 'loyal'],
    competency: 'integritas',
    officerRelated: true,
  },
  {
    code: 'procedure',
    id: 'Prosedur dan persyaratan',
    en: 'Procedure and requirements',
    kinds: ['complaint', 'suggestion'],
    skm: [0, 1],
    values: ['berorientasi_pelayanan'],
    competency: 'pelayanan_prima',
    officerRelated: true,
  },
  {
    code: 'discrimination',
    id: 'Diskriminasi / perlakuan tidak patut',
    en: 'Discrimination or improper treatment',
    kinds: ['complaint'],
    skm: [6],
    values: ['harmonis'],
    competency: 'etika_pelayanan',
    officerRelated: true,
  },
  {
    code: 'service_refused',
    id: 'Pelayanan ditolak',
    en: 'Service refused',
    kinds: ['complaint'],
    skm: [4],
    values: ['berorientasi_pelayanan', 'akuntabel'],
    competency: 'pelayanan_prima',
    officerRelated: true,
  },
  {
    code: 'facilities',
    id: 'Sarana dan prasarana',
    en: 'Facilities',
    kinds: ['complaint', 'suggestion', 'compliment'],
    skm: [8],
    values: [],
    competency: null,
    officerRelated: false,
  },
  {
    code: 'digital_service',
    id: 'Layanan digital',
    en: 'Digital service',
    kinds: ['complaint', 'suggestion', 'compliment'],
    skm: [1],
    values: ['adaptif'],
    competency: null,
    officerRelated: false,
  },
  {
    code: 'information',
    id: 'Permintaan informasi',
    en: 'Information request',
    kinds: ['information_request'],
    skm: [],
    values: [],
    competency: null,
    officerRelated: false,
  },
  {
    code: 'other',
    id: 'Lainnya',
    en: 'Other',
    kinds: ['complaint', 'compliment', 'suggestion', 'information_request'],
    skm: [],
    values: [],
    competency: null,
    officerRelated: true,
  },
] as const satisfies readonly {
  code: string;
  id: string;
  en: string;
  kinds: readonly Kind[];
  skm: readonly number[];
  values: readonly string[];
  competency: string | null;
  officerRelated: boolean;
}[];

const categorySchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    /** null: a national category, kept by a platform administrator; else the agency (root unit code) that owns it. */
    agencyCode: { type: String, default: null },
    name: { id: { type: String, required: true }, en: { type: String, required: true } },
    kinds: { type: [String], required: true },
    skmElements: { type: [Number], default: [] },
    berakhlakValues: { type: [String], default: [] },
    competency: { type: String, default: null },
    officerRelated: { type: Boolean, default: true },
    verifyWorkingDays: { type: Number, default: null }, // overrides the legal default when set
    active: { type: Boolean, default: true },
    order: { type: Number, default: 0 },
  },
  { timestamps: true },
);
categorySchema.index({ agencyCode: 1, order: 1 });
export type CategoryDoc = InferSchemaType<typeof categorySchema>;
const categoryWrites = countWrites(categorySchema);
export const Category = mongoose.model('Category', categorySchema);

/**
 * An agency's own word on a national category: switched off for the agency's units (`active: false`). The national
 * row stays as it is for every other agency.
 */
const categoryOverrideSchema = new Schema(
  {
    agencyCode: { type: String, required: true },
    code: { type: String, required: true },
    active: { type: Boolean, required: true },
  },
  { timestamps: true, collection: 'category_overrides' },
);
categoryOverrideSchema.index({ agencyCode: 1, code: 1 }, { unique: true });
export type CategoryOverrideDoc = InferSchemaType<typeof categoryOverrideSchema>;
const overrideWrites = countWrites(categoryOverrideSchema);
export const CategoryOverride = mongoose.model('CategoryOverride', categoryOverrideSchema);

/** Seeds the default categories; an admin's later edits are kept (only missing categories are inserted). */
export async function ensureCategories(): Promise<void> {
  await Category.bulkWrite(
    defaultCategories.map((category, order) => ({
      updateOne: {
        filter: { code: category.code },
        update: {
          $setOnInsert: {
            code: category.code,
            agencyCode: null,
            name: { id: category.id, en: category.en },
            kinds: [...category.kinds],
            skmElements: [...category.skm],
            berakhlakValues: [...category.values],
            competency: category.competency,
            officerRelated: category.officerRelated,
            order,
          },
        },
        upsert: true,
      },
    })),
  );
}

/** The active categories (and all of them, for names), read by every form and record page and changed rarely: kept like the directory's. */
const categoryLookups = keptLookups<CategoryDoc[]>(() => categoryWrites() + overrideWrites(), 200);

/** The national categories an agency switched off for its units. */
async function switchedOffIn(agencyCode: string): Promise<Set<string>> {
  const overrides = await CategoryOverride.find({ agencyCode, active: false }).lean<CategoryOverrideDoc[]>();
  return new Set(overrides.map((override) => override.code));
}

/**
 * The categories offered to an agency's units: the active national ones the agency has not switched off, then the
 * agency's own. Without an agency: every active category anywhere (for names and checks that span agencies).
 */
export async function activeCategories(agencyCode?: string | null): Promise<CategoryDoc[]> {
  if (!agencyCode)
    return categoryLookups.get('active', () =>
      Category.find({ active: true }).sort({ order: 1 }).lean<CategoryDoc[]>(),
    );
  return categoryLookups.get(`agency:${agencyCode}`, async () => {
    const [rows, off] = await Promise.all([
      Category.find({ active: true, agencyCode: { $in: [null, agencyCode] } })
        .sort({ order: 1 })
        .lean<CategoryDoc[]>(),
      switchedOffIn(agencyCode),
    ]);
    return [
      ...rows.filter((category) => !category.agencyCode && !off.has(category.code)),
      ...rows.filter((category) => category.agencyCode),
    ];
  });
}

/**
 * Every category's name in both languages, the deactivated ones and every agency's own included: a ticket keeps its
 * category code for good, and the pages that show an old ticket still name it.
 */
export async function categoryNames(): Promise<Map<string, { id: string; en: string }>> {
  const all = await categoryLookups.get('all', () => Category.find().lean<CategoryDoc[]>());
  return new Map(
    all.map((category) => [
      category.code,
      { id: category.name?.id ?? category.code, en: category.name?.en ?? category.code },
    ]),
  );
}
