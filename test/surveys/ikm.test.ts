import { expect } from 'chai';
import {
  computeIkm,
  elementGrade,
  ikmGrade,
  minimumSample,
  roundTo,
  SKM_ELEMENTS,
} from '../../src/modules/surveys/ikm.js';
import { AppError } from '../../src/platform/errors.js';

/** A published quarterly result: 29 respondents and their element totals (docs/domain.md#skm-and-ikm). */
const WORKED = { totals: [105, 101, 100, 116, 102, 105, 106, 105, 115], respondents: 29 };

describe('IKM after PermenPANRB 14/2017', () => {
  it('gives the worked example 91.48, grade A "Sangat Baik", with exact 1/9 weights', () => {
    const result = computeIkm(WORKED);
    expect(result.respondents).to.equal(29);
    expect(result.display).to.equal(91.48);
    expect(result.value).to.be.closeTo(23875 / 261, 1e-12); // 955 answers-points × 25 / (29 × 9)
    expect(result.grade).to.equal('A');
    expect(result.label).to.equal('Sangat Baik');
  });

  it('does not reproduce the 90.56 a report printed by weighting with 0.11, and refuses such weights', () => {
    const printed = WORKED.totals.reduce((sum, total) => sum + (total / 29) * 0.11, 0) * 25;
    expect(roundTo(printed, 2)).to.equal(90.56);
    expect(computeIkm(WORKED).display).not.to.equal(90.56);
    // 9 × 0.11 = 0.99: not a set of weights at all.
    expect(() => computeIkm(WORKED, Array(9).fill(0.11))).to.throw(AppError);
  });

  it('reports each element mean with its own grade on the 1–4 scale', () => {
    const { elements } = computeIkm(WORKED);
    expect(elements.map((element) => element.element)).to.deep.equal([...SKM_ELEMENTS]);
    expect(elements[3]).to.include({ element: 'cost', total: 116, mean: 4, grade: 'A' });
    expect(elements[2]!.mean).to.be.closeTo(100 / 29, 1e-12); // 3.448…
    expect(elements[2]!.grade).to.equal('B');
    expect(elementGrade(3.5324)).to.equal('A');
    expect(elementGrade(3.5323)).to.equal('B');
    expect(elementGrade(3.0644)).to.equal('B');
    expect(elementGrade(3.0643)).to.equal('C');
    expect(elementGrade(2.6)).to.equal('C');
    expect(elementGrade(2.5999)).to.equal('D');
    expect(elementGrade(1)).to.equal('D');
  });

  it('computes the same from every respondent’s answers as from element totals', () => {
    const answers = [
      [4, 3, 3, 4, 3, 4, 4, 3, 3],
      [3, 3, 2, 4, 3, 3, 4, 4, 4],
      [4, 4, 4, 4, 4, 4, 4, 4, 4],
    ];
    const fromRows = computeIkm(answers);
    const totals = SKM_ELEMENTS.map((_, index) => answers.reduce((sum, row) => sum + row[index]!, 0));
    expect(fromRows).to.deep.equal(computeIkm({ totals, respondents: 3 }));
    expect(fromRows.display).to.equal(roundTo((97 * 25) / 27, 2)); // 31 + 30 + 36 points
  });

  it('grades the displayed (rounded) value with ≥ thresholds: 76.60 is C, 76.61 is B', () => {
    expect(ikmGrade(76.6)).to.equal('C');
    expect(ikmGrade(76.61)).to.equal('B');
    expect(ikmGrade(88.31)).to.equal('A');
    expect(ikmGrade(88.3)).to.equal('B');
    expect(ikmGrade(65)).to.equal('C');
    expect(ikmGrade(64.99)).to.equal('D');

    // 26 respondents, 717 points: 76.6026 → shown 76.60 → C.
    const below = computeIkm({ totals: [80, 80, 80, 80, 80, 80, 79, 79, 79], respondents: 26 });
    expect(below.value).to.be.lessThan(76.605);
    expect(below).to.include({ display: 76.6, grade: 'C', label: 'Kurang Baik' });

    // 19 respondents, 524 points: 76.6082 is below 76.61, but it is shown as 76.61 and graded from that → B.
    const above = computeIkm({ totals: [60, 60, 58, 58, 58, 58, 58, 57, 57], respondents: 19 });
    expect(above.value).to.be.greaterThan(76.605).and.lessThan(76.61);
    expect(above).to.include({ display: 76.61, grade: 'B', label: 'Baik' });
  });

  it('gives exactly 100 when everyone answers 4, and 25 when everyone answers 1', () => {
    const top = computeIkm(Array.from({ length: 7 }, () => Array(9).fill(4)));
    expect(top.value).to.equal(100);
    expect(top.display).to.equal(100);
    expect(top.grade).to.equal('A');
    const bottom = computeIkm([Array(9).fill(1)]);
    expect(bottom).to.include({ display: 25, grade: 'D', label: 'Tidak Baik' });
  });

  it('takes custom weights that sum to 1 (within 1e-9) and refuses any that do not', () => {
    const weights = [0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    const rows = [[4, 1, 1, 1, 1, 1, 1, 1, 1]];
    expect(computeIkm(rows, weights).value).to.be.closeTo((4 * 0.2 + 8 * 0.1) * 25, 1e-9); // 40
    const thirds = [1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0, 0, 0];
    expect(computeIkm(rows, thirds).display).to.equal(50);
    expect(() => computeIkm(rows, [...weights.slice(0, 8), 0.1 + 1e-8])).to.throw(AppError);
    expect(() => computeIkm(rows, [...weights.slice(0, 8), 0.1 + 1e-10])).not.to.throw();
    expect(() => computeIkm(rows, weights.slice(0, 8))).to.throw(AppError);
    expect(() => computeIkm(rows, [1.1, -0.1, 0, 0, 0, 0, 0, 0, 0])).to.throw(AppError);
  });

  it('has no index, no grade and no element means without respondents', () => {
    const empty = computeIkm([]);
    expect(empty).to.include({ respondents: 0, value: null, display: null, grade: null, label: null });
    expect(empty.elements.every((element) => element.mean === null && element.grade === null)).to.equal(true);
    expect(computeIkm({ totals: Array(9).fill(0), respondents: 0 }).display).to.equal(null);
  });

  it('gives the Krejcie–Morgan minimum sample, rounded up, as in the published table', () => {
    expect(minimumSample(10)).to.equal(10);
    expect(minimumSample(100)).to.equal(80);
    expect(minimumSample(1000)).to.equal(278);
    expect(minimumSample(10_000)).to.equal(370);
    expect(minimumSample(1_000_000)).to.equal(384);
    expect(minimumSample(0)).to.equal(0);
  });
});
