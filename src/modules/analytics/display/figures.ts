import { AppError } from '../../../platform/errors.js';
import type { Grade } from '../../surveys/index.js';
import { ikmReport } from '../ikm/report.js';
import { SurveyRollup } from '../rollups/model.js';
import { dateOfDay, periodToDate, todayIn, type TransparencyPeriod } from '../shared/days.js';
import { unitOr404 } from '../shared/rollup-reads.js';
import { transparencyPeriodFor } from '../shared/settings.js';

/** What the hall display shows, from the rollups: public figures, no sign-in, no personal data. */

export interface DisplayFigures {
  unit: { code: string; name: string; timeZone: string };
  /** The agency-local day the count is for. */
  today: string;
  todaySurveys: number;
  /** The agency's transparency period (the quarter unless it set another), to date: what the index covers. */
  period: TransparencyPeriod;
  from: string;
  to: string;
  ikm: number | null;
  grade: Grade | null;
  label: string | null;
  respondents: number;
}

/**
 * What the screen in a service hall shows: today's answers (local day) and the IKM of the agency's transparency
 * period to date, the same period its public transparency page covers. No personal data.
 */
export async function displayFigures(unitCode: string, now = new Date()): Promise<DisplayFigures> {
  const unit = await unitOr404(unitCode);
  if (!unit.active) throw new AppError('not_found', 'analytics.unknown_unit');
  const today = todayIn(unit.timeZone, now);
  const kind = await transparencyPeriodFor(unit.agencyCode);
  const period = periodToDate(kind, today);
  const [report, todays] = await Promise.all([
    ikmReport(null, { unitCode: unit.code, ...period }),
    SurveyRollup.aggregate<{ respondents: number }>([
      { $match: { unitPath: unit._id, date: dateOfDay(today) } },
      { $group: { _id: null, respondents: { $sum: '$respondents' } } },
    ]),
  ]);
  return {
    unit: { code: unit.code, name: unit.name, timeZone: unit.timeZone },
    today,
    todaySurveys: todays[0]?.respondents ?? 0,
    period: kind,
    from: period.from,
    to: period.to,
    ikm: report.ikm,
    grade: report.grade,
    label: report.label,
    respondents: report.respondents,
  };
}
