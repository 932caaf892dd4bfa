import { Unit } from '../../src/modules/directory/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { rollUpSurvey } from '../../src/modules/analytics/rollups/projector.js';

/**
 * Survey answers for the analytics page specs, on any date: stored as the survey service stores them (with
 * integrity evidence, hashes included, so that exports can be checked for leaving them out) and rolled up as the
 * `survey.submitted` subscriber does.
 */
export async function insertSurvey(options: {
  unitCode: string;
  answers: number[];
  submittedAt: Date;
  serviceCode?: string | null;
  comment?: string | null;
  flags?: string[];
  respondent?: Partial<{ gender: string; ageBand: string; education: string; occupation: string }>;
}) {
  const unit = (await Unit.findOne({ code: options.unitCode }).lean())!;
  const doc = new SurveyResponse({
    unitId: unit._id,
    unitCode: unit.code,
    unitPath: unit.path,
    agencyCode: unit.agencyCode,
    serviceCode: options.serviceCode ?? null,
    answers: options.answers,
    respondent: {
      gender: 'female',
      ageBand: '30_39',
      education: 'sma',
      occupation: 'self_employed',
      ...options.respondent,
    },
    comment: options.comment ?? null,
    channel: 'form',
    submittedAt: options.submittedAt,
    integrity: {
      deviceHash: 'd'.repeat(64),
      networkHash: 'e'.repeat(64),
      localHour: 10,
      localWeekday: 2,
      withinOpeningHours: null,
      secondsToComplete: 60,
      allTop: options.answers.every((answer) => answer === 4),
      unitBurst: 0,
      sameNetwork: 0,
      sameDevice: 0,
      flags: options.flags ?? [],
    },
  });
  await doc.save();
  await rollUpSurvey(String(doc._id));
  return doc;
}

/** The worked example of docs/domain.md#skm-and-ikm: 29 respondents, element totals 105 101 100 116 102 105 106 105 115. */
export const WORKED_TOTALS = [105, 101, 100, 116, 102, 105, 106, 105, 115];

/** 29 rows of answers (3 or 4) whose column totals are the given totals. */
export function rowsForTotals(totals: readonly number[], respondents = 29): number[][] {
  return Array.from({ length: respondents }, (_, row) =>
    totals.map((total) => (row < total - 3 * respondents ? 4 : 3)),
  );
}

export async function insertWorkedExample(unitCode: string, at: Date, extra: { comment?: string } = {}) {
  for (const [index, answers] of rowsForTotals(WORKED_TOTALS).entries())
    await insertSurvey({
      unitCode,
      answers,
      submittedAt: new Date(at.getTime() + index * 60_000),
      comment: index === 0 ? (extra.comment ?? null) : null,
      flags: index < 2 ? ['fresh_device'] : [],
      respondent: index % 2 ? { gender: 'male' } : {},
    });
}
