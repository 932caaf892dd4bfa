import { berakhlakValues, type BehaviourRule, type BerakhlakValue, type Rating } from './model.js';

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
 * The work-behaviour rating, derived from the seven BerAKHLAK ratings by the agency's rule (PermenPANRB 6/2022 leaves
 * the method to the assessor; docs/domain.md, "Evaluations and predikat"):
 * - 'strict' (the default): below expectation when any value is rated below (each core value is a requirement of
 *   its own); above when none is below and a majority (at least 4 of the 7) is above; as expected otherwise;
 * - 'majority': the rating at least 4 of the 7 values have; as expected when no rating has a majority;
 * - 'assessor': nothing is derived; the assessor sets the rating with a reason (`behaviourOverride`).
 * Null while any value is not rated yet, and always under 'assessor'.
 */
export function behaviourRating(
  values: Partial<Record<BerakhlakValue, Rating | null | undefined>>,
  rule: BehaviourRule = 'strict',
): Rating | null {
  const given = berakhlakValues.map((value) => values[value] ?? null);
  if (rule === 'assessor' || given.some((rating) => rating === null)) return null;
  const count = (rating: Rating) => given.filter((given) => given === rating).length;
  if (rule === 'majority') return count('below') >= 4 ? 'below' : count('above') >= 4 ? 'above' : 'as_expected';
  if (given.includes('below')) return 'below';
  return count('above') >= 4 ? 'above' : 'as_expected';
}
