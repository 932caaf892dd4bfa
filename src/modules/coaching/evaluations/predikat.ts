import { berakhlakValues, type BerakhlakValue, type Rating } from './model.js';

/**
 * The predikat of an evaluation (PermenPANRB 6/2022, docs/domain.md "Evaluations and predikat"): work results (rows)
 * against work behaviour (columns).
 *
 * | results \ behaviour | below               | as expected     | above           |
 * |---------------------|---------------------|-----------------|-----------------|
 * | above               | Kurang / Misconduct | Baik            | Sangat Baik     |
 * | as expected         | Kurang / Misconduct | Baik            | Baik            |
 * | below               | Sangat Kurang       | Butuh Perbaikan | Butuh Perbaikan |
 */
export const predikatTable: Record<Rating, Record<Rating, string>> = {
  above: { below: 'Kurang / Misconduct', as_expected: 'Baik', above: 'Sangat Baik' },
  as_expected: { below: 'Kurang / Misconduct', as_expected: 'Baik', above: 'Baik' },
  below: { below: 'Sangat Kurang', as_expected: 'Butuh Perbaikan', above: 'Butuh Perbaikan' },
};

export function predikat(results: Rating, behaviour: Rating): string {
  return predikatTable[results][behaviour];
}

/**
 * The work-behaviour rating, derived from the seven BerAKHLAK ratings (not set on its own, so it can never
 * contradict them):
 * - below expectation when any value is rated below (each core value is a requirement of its own);
 * - above expectation when none is below and a majority (at least 4 of the 7) is above;
 * - as expected otherwise.
 * Null while any value is not rated yet.
 */
export function behaviourRating(values: Partial<Record<BerakhlakValue, Rating | null | undefined>>): Rating | null {
  const given = berakhlakValues.map((value) => values[value] ?? null);
  if (given.some((rating) => rating === null)) return null;
  if (given.includes('below')) return 'below';
  return given.filter((rating) => rating === 'above').length >= 4 ? 'above' : 'as_expected';
}
