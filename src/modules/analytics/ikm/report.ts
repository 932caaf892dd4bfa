import { type Actor } from '../../../platform/access.js';
import {
  EQUAL_WEIGHTS,
  integrityFlags,
  minimumSample,
  type Grade,
  type IntegrityFlag,
  type SkmElement,
} from '../../surveys/index.js';
import { checkPeriod, dayString } from '../shared/days.js';
import {
  ikmFrom,
  profileCodes,
  safe,
  surveySums,
  totalsOf,
  type ProfileField,
  type SurveyGroup,
} from '../shared/groups.js';
import { aggregateRollups, authorise, surveyScope, unitOr404 } from '../shared/rollup-reads.js';
import { weightsFor } from '../shared/settings.js';

/**
 * The IKM report (PermenPANRB 14/2017) of a unit and its subtree over a period: element means and grades, the
 * index, the sample against the minimum, the respondents' profile and integrity flags, from the survey rollups.
 */

export interface IkmReportQuery {
  unitCode: string;
  from: Date | string;
  to: Date | string;
  serviceCode?: string | null;
  /** The unit and every unit below it (default), or the unit alone. */
  subtree?: boolean;
}

export interface IkmElement {
  element: SkmElement;
  total: number;
  mean: number | null;
  grade: Grade | null;
}

export interface IkmReport {
  unit: { code: string; name: string; population: number | null; timeZone: string };
  from: string;
  to: string;
  serviceCode: string | null;
  subtree: boolean;
  respondents: number;
  elements: IkmElement[];
  /** The index rounded to 2 decimals, as shown and graded; null without respondents. */
  ikm: number | null;
  /** The unrounded index. */
  value: number | null;
  grade: Grade | null;
  label: string | null;
  weights: number[];
  customWeights: boolean;
  /** Krejcie–Morgan minimum sample for the unit's population of service users; null when it is unknown. */
  minimumSample: number | null;
  sampleTooSmall: boolean;
  profile: Record<ProfileField, Record<string, number>>;
  integrity: { flagged: number; byFlag: Record<IntegrityFlag, number> };
}

/** The IKM of a unit (and its subtree) over a period, as PermenPANRB 14/2017 reports it, from the survey rollups. */
export async function ikmReport(actor: Actor | null, q: IkmReportQuery): Promise<IkmReport> {
  const unit = await unitOr404(q.unitCode);
  authorise(actor, unit);
  const period = checkPeriod(dayString(q.from, unit.timeZone), dayString(q.to, unit.timeZone));
  const subtree = q.subtree !== false;
  const serviceCode = q.serviceCode || null;
  const surveys = await surveyScope(unit, { subtree, serviceCode });
  const [groups, weights] = await Promise.all([
    aggregateRollups<SurveyGroup>(surveys.kind, period, surveys.match, [{ $group: { _id: null, ...surveySums() } }]),
    weightsFor(unit.agencyCode),
  ]);
  const group = groups[0];
  const respondents = group?.respondents ?? 0;
  const result = ikmFrom(totalsOf(group), respondents, weights);
  const profile = Object.fromEntries(
    Object.entries(profileCodes).map(([field, codes]) => [
      field,
      Object.fromEntries(codes.map((code) => [code, group?.[`p_${field}_${safe(code)}`] ?? 0])),
    ]),
  ) as Record<ProfileField, Record<string, number>>;
  const byFlag = Object.fromEntries(integrityFlags.map((flag) => [flag, group?.[`f_${flag}`] ?? 0])) as Record<
    IntegrityFlag,
    number
  >;
  const minimum = unit.population ? minimumSample(unit.population) : null;
  return {
    unit: { code: unit.code, name: unit.name, population: unit.population ?? null, timeZone: unit.timeZone },
    from: period.from,
    to: period.to,
    serviceCode,
    subtree,
    respondents: result.respondents,
    elements: result.elements.map(({ element, total, mean, grade }) => ({ element, total, mean, grade })),
    ikm: result.display,
    value: result.value,
    grade: result.grade,
    label: result.label,
    weights: [...weights],
    customWeights: weights !== EQUAL_WEIGHTS,
    minimumSample: minimum,
    sampleTooSmall: minimum !== null && respondents < minimum,
    profile,
    integrity: { flagged: group?.flagged ?? 0, byFlag },
  };
}
