import { expect } from 'chai';
import { behaviourRating, predikat, predikatTable } from '../../src/modules/coaching/evaluations/predikat.js';
import { berakhlakValues, ratings, type Rating } from '../../src/modules/coaching/evaluations/model.js';

describe('The predikat (PermenPANRB 6/2022, docs/domain.md#evaluations-and-predikat)', () => {
  // results × behaviour → predikat, the table exactly as PermenPANRB 6/2022 prints it.
  const expected: [Rating, Rating, string][] = [
    ['above', 'below', 'Kurang / Misconduct'],
    ['above', 'as_expected', 'Baik'],
    ['above', 'above', 'Sangat Baik'],
    ['as_expected', 'below', 'Kurang / Misconduct'],
    ['as_expected', 'as_expected', 'Baik'],
    ['as_expected', 'above', 'Baik'],
    ['below', 'below', 'Sangat Kurang'],
    ['below', 'as_expected', 'Butuh Perbaikan'],
    ['below', 'above', 'Butuh Perbaikan'],
  ];
  for (const [results, behaviour, name] of expected)
    it(`gives "${name}" for results ${results} and behaviour ${behaviour}`, () => {
      expect(predikat(results, behaviour)).to.equal(name);
    });

  it('covers all nine combinations and nothing else', () => {
    const cells = ratings.flatMap((results) => ratings.map((behaviour) => `${results}/${behaviour}`));
    expect(cells).to.have.length(9);
    expect(Object.keys(predikatTable)).to.have.members([...ratings]);
    for (const row of Object.values(predikatTable)) expect(Object.keys(row)).to.have.members([...ratings]);
  });

  describe('work behaviour derived from the seven BerAKHLAK values', () => {
    const all = (rating: Rating) => Object.fromEntries(berakhlakValues.map((value) => [value, rating]));

    it('is below when any one value is below, even if the rest are above', () => {
      expect(behaviourRating({ ...all('above'), loyal: 'below' })).to.equal('below');
    });
    it('is above when at least four of seven are above and none below', () => {
      const four = { ...all('as_expected'), akuntabel: 'above', kompeten: 'above', harmonis: 'above', loyal: 'above' };
      expect(behaviourRating(four as Record<string, Rating>)).to.equal('above');
      const three = { ...four, loyal: 'as_expected' };
      expect(behaviourRating(three as Record<string, Rating>)).to.equal('as_expected');
    });
    it('is as expected when all are as expected', () => {
      expect(behaviourRating(all('as_expected'))).to.equal('as_expected');
    });
    it('is unknown (null) until every value is rated', () => {
      expect(behaviourRating({ ...all('above'), adaptif: null })).to.equal(null);
      expect(behaviourRating({})).to.equal(null);
    });
    it('follows the majority under the agency’s "majority" rule: one below among six above is still above', () => {
      expect(behaviourRating({ ...all('above'), loyal: 'below' }, 'majority')).to.equal('above');
      const fourBelow = { ...all('above'), akuntabel: 'below', kompeten: 'below', harmonis: 'below', loyal: 'below' };
      expect(behaviourRating(fourBelow as Record<string, Rating>, 'majority')).to.equal('below');
      const split = { ...all('as_expected'), akuntabel: 'above', kompeten: 'above', loyal: 'below' };
      expect(behaviourRating(split as Record<string, Rating>, 'majority')).to.equal('as_expected');
    });
    it('derives nothing under the "assessor" rule: the assessor sets it', () => {
      expect(behaviourRating(all('above'), 'assessor')).to.equal(null);
    });
  });
});
