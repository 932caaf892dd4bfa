import { AppError } from '../../platform/errors.js';

/**
 * The SKM index (IKM) after PermenPANRB 14/2017. Pure functions: no database, no clock.
 *
 * The 9 elements, in the order answers arrive (docs/domain.md#skm-and-ikm): persyaratan; sistem, mekanisme, dan
 * prosedur; waktu penyelesaian; biaya/tarif; produk spesifikasi jenis pelayanan; kompetensi pelaksana; perilaku
 * pelaksana; penanganan pengaduan, saran dan masukan; sarana dan prasarana.
 */
export const SKM_ELEMENTS = [
  'requirements',
  'procedure',
  'time',
  'cost',
  'product',
  'competence',
  'conduct',
  'complaints',
  'facilities',
] as const;
export type SkmElement = (typeof SKM_ELEMENTS)[number];
export const ELEMENT_COUNT = SKM_ELEMENTS.length;

export type Grade = 'A' | 'B' | 'C' | 'D';

/** Grade bands on the 0–100 index (≥ each threshold) and on the 1–4 scale of one element's mean. */
const INDEX_BANDS: [number, Grade][] = [
  [88.31, 'A'],
  [76.61, 'B'],
  [65.0, 'C'],
];
const ELEMENT_BANDS: [number, Grade][] = [
  [3.5324, 'A'],
  [3.0644, 'B'],
  [2.6, 'C'],
];

/** The regulation's words for each grade (mutu pelayanan). */
export const GRADE_LABELS: Record<Grade, string> = {
  A: 'Sangat Baik',
  B: 'Baik',
  C: 'Kurang Baik',
  D: 'Tidak Baik',
};

/** Rounds half away from zero at `places`, robust to binary noise (76.605 must become 76.61, not 76.6). */
export function roundTo(value: number, places: number): number {
  const factor = 10 ** places;
  return Math.sign(value) * (Math.round(Math.abs(value) * factor + 1e-9) / factor);
}

const bandOf = (value: number, bands: [number, Grade][]): Grade =>
  bands.find(([threshold]) => value >= threshold)?.[1] ?? 'D';

/** The grade of a displayed index value (already rounded to 2 decimals). */
export const ikmGrade = (display: number): Grade => bandOf(display, INDEX_BANDS);

/** The grade of one element's mean on the 1–4 scale, read at the table's 4 decimals. */
export const elementGrade = (mean: number): Grade => bandOf(roundTo(mean, 4), ELEMENT_BANDS);

export const EQUAL_WEIGHTS: readonly number[] = Array.from({ length: ELEMENT_COUNT }, () => 1 / ELEMENT_COUNT);

/** Custom weights: one per element, none negative, summing to 1 within 1e-9. */
export function assertWeights(weights: readonly number[]): void {
  const ok =
    weights.length === ELEMENT_COUNT &&
    weights.every((weight) => Number.isFinite(weight) && weight >= 0) &&
    Math.abs(weights.reduce((sum, weight) => sum + weight, 0) - 1) <= 1e-9;
  if (!ok) throw AppError.validation({ weights: { key: 'surveys.weights_invalid' } });
}

export interface ElementResult {
  element: SkmElement;
  total: number;
  mean: number | null;
  grade: Grade | null;
}

export interface IkmResult {
  respondents: number;
  elements: ElementResult[];
  /** Σ(mean × weight) × 25 with exact weights, unrounded; null without respondents. */
  value: number | null;
  /** `value` rounded to 2 decimals: what is shown and what is graded. */
  display: number | null;
  grade: Grade | null;
  label: string | null;
}

/** Element totals with their respondent count, as rollups keep them. */
export interface ElementTotals {
  totals: readonly number[];
  respondents: number;
}

function totalsOf(input: readonly (readonly number[])[] | ElementTotals): ElementTotals {
  if (!Array.isArray(input)) return input as ElementTotals;
  const rows = input as readonly (readonly number[])[];
  const totals = Array.from({ length: ELEMENT_COUNT }, () => 0);
  for (const row of rows) {
    if (row.length !== ELEMENT_COUNT) throw new RangeError(`each respondent needs ${ELEMENT_COUNT} answers`);
    row.forEach((answer, index) => (totals[index]! += answer));
  }
  return { totals, respondents: rows.length };
}

/**
 * IKM from every respondent's 9 answers, or from element totals and the respondent count. The mean of each element
 * is weighted exactly (1/9 by default, not the 0.11 of many reports), the sum scaled by 25; only the displayed value
 * is rounded, and the grade is read from it.
 */
export function computeIkm(
  input: readonly (readonly number[])[] | ElementTotals,
  weights: readonly number[] = EQUAL_WEIGHTS,
): IkmResult {
  if (weights !== EQUAL_WEIGHTS) assertWeights(weights);
  const { totals, respondents } = totalsOf(input);
  if (totals.length !== ELEMENT_COUNT) throw new RangeError(`${ELEMENT_COUNT} element totals expected`);
  const elements = SKM_ELEMENTS.map((element, index): ElementResult => {
    const total = totals[index]!;
    const mean = respondents > 0 ? total / respondents : null;
    return { element, total, mean, grade: mean === null ? null : elementGrade(mean) };
  });
  if (respondents <= 0) return { respondents: 0, elements, value: null, display: null, grade: null, label: null };
  // Σ(mean × weight) × 25, arranged to divide once: with equal weights, all points × 25 / (9 × respondents), so
  // that all 4s give exactly 100 and the worked example is 23875/261 without accumulated rounding.
  const value =
    weights === EQUAL_WEIGHTS
      ? (totals.reduce((sum, total) => sum + total, 0) * 25) / (ELEMENT_COUNT * respondents)
      : (totals.reduce((sum, total, index) => sum + total * weights[index]!, 0) * 25) / respondents;
  const display = roundTo(value, 2);
  const grade = ikmGrade(display);
  return { respondents, elements, value, display, grade, label: GRADE_LABELS[grade] };
}

/**
 * Krejcie–Morgan minimum sample for a population of N service users (χ² = 3.841, P = 0.5, d = 0.05), rounded up:
 * S = 3.841·N·0.25 / (0.0025·(N−1) + 3.841·0.25).
 */
export function minimumSample(population: number): number {
  if (!Number.isFinite(population) || population <= 0) return 0;
  const n = Math.floor(population);
  const sample = (3.841 * n * 0.25) / (0.0025 * (n - 1) + 3.841 * 0.25);
  return Math.ceil(sample - 1e-9);
}
