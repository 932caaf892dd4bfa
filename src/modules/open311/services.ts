import type { Lang } from '../../platform/i18n.js';
import { t } from '../../platform/i18n.js';
import { activeCategories } from '../feedback/index.js';
import { findPublicUnit, listPublicUnits } from '../directory/index.js';

/**
 * The GeoReport service catalogue: every active category at every active unit is one service, coded
 * `<UNIT CODE>.<category>` (unit codes are upper case, category codes lower case, so the dot is unambiguous).
 */

type Category = Awaited<ReturnType<typeof activeCategories>>[number];
type Unit = NonNullable<Awaited<ReturnType<typeof findPublicUnit>>>;

export const serviceCodeOf = (unitCode: string, category: string) => `${unitCode}.${category}`;

/** The unit and category a service code names, or null when the code has no such shape. */
export function parseServiceCode(code: string): { unitCode: string; category: string } | null {
  const match = /^([A-Z0-9][A-Z0-9-]{1,39})\.([a-z0-9_]{1,40})$/.exec(code);
  return match ? { unitCode: match[1]!, category: match[2]! } : null;
}

const categoryName = (category: Category, lang: Lang) => category.name?.[lang] ?? category.code;

/** What a report of this category is by default: a complaint where the category takes complaints. */
export const defaultKindOf = (category: Category) =>
  category.kinds.includes('complaint') ? 'complaint' : (category.kinds[0] ?? 'complaint');

function service(unit: Unit, category: Category, lang: Lang) {
  return {
    service_code: serviceCodeOf(unit.code, category.code),
    service_name: categoryName(category, lang),
    description: t(lang, 'open311.service_description', { category: categoryName(category, lang), unit: unit.name }),
    metadata: true,
    type: 'realtime',
    keywords: [unit.code, unit.agencyCode, category.code, ...category.kinds].join(','),
    group: unit.name,
  };
}
export type Open311Service = ReturnType<typeof service>;

/** The catalogue, unit by unit in tree order; `jurisdiction` (a unit code) narrows it to that unit. */
export async function serviceList(lang: Lang, jurisdiction?: string): Promise<Open311Service[]> {
  const [units, categories] = await Promise.all([listPublicUnits(), activeCategories()]);
  return units
    .filter((unit) => !jurisdiction || unit.code === jurisdiction)
    .flatMap((unit) => categories.map((category) => service(unit, category, lang)));
}

/** The unit and category behind a service code, when both are active. */
export async function findService(code: string): Promise<{ unit: Unit; category: Category } | null> {
  const parsed = parseServiceCode(code);
  if (!parsed) return null;
  const [unit, categories] = await Promise.all([findPublicUnit(parsed.unitCode), activeCategories()]);
  const category = categories.find((candidate) => candidate.code === parsed.category);
  return unit && category ? { unit, category } : null;
}

/** The service definition: the attributes a request may carry besides the standard fields. */
export function serviceDefinition(code: string, category: Category, lang: Lang) {
  const kinds = category.kinds.map((kind, index) => ({ key: kind, name: t(lang, `feedback.kind.${kind}`), index }));
  return {
    service_code: code,
    attributes: [
      {
        variable: true,
        code: 'kind',
        datatype: 'singlevaluelist',
        required: false,
        datatype_description: defaultKindOf(category),
        order: 1,
        description: t(lang, 'open311.attribute.kind'),
        values: kinds.map(({ key, name }) => ({ key, name })),
      },
      {
        variable: true,
        code: 'privacy',
        datatype: 'singlevaluelist',
        required: false,
        datatype_description: 'public',
        order: 2,
        description: t(lang, 'open311.attribute.privacy'),
        values: (['public', 'anonymous', 'confidential'] as const).map((key) => ({
          key,
          name: t(lang, `open311.privacy.${key}`),
        })),
      },
      {
        variable: true,
        code: 'occurred_at',
        datatype: 'datetime',
        required: false,
        datatype_description: '2026-11-20T09:30:00+07:00',
        order: 3,
        description: t(lang, 'open311.attribute.occurred_at'),
      },
    ],
  };
}
