import { Types } from 'mongoose';
import { INTEGRITY_RULES } from './integrity.js';
import { SurveyResponse } from './model.js';

/**
 * What the integrity rules of counter kiosks read about a kiosk's answers (integrity.ts `kiosk`), and the per-kiosk
 * figures shown beside the IKM. A kiosk answers at a person's pace, a few hundred answers a day at most, so these
 * read the answers themselves through the `{ kioskId, submittedAt }` index.
 */

const HOUR_MS = 3_600_000;

/** The kiosk's previous answer and its earlier answers (all-top ones too) within the share window before `now`. */
export async function kioskEvidence(kioskId: string, now: Date) {
  const id = new Types.ObjectId(kioskId);
  const since = new Date(now.getTime() - INTEGRITY_RULES.kioskShareWindowHours * HOUR_MS);
  const window = { kioskId: id, submittedAt: { $gte: since, $lte: now } };
  const [previous, recent, recentAllTop] = await Promise.all([
    SurveyResponse.findOne({ kioskId: id, submittedAt: { $lte: now } })
      .sort({ submittedAt: -1 })
      .select({ submittedAt: 1 })
      .lean<{ submittedAt: Date }>(),
    SurveyResponse.countDocuments(window),
    SurveyResponse.countDocuments({ ...window, 'integrity.allTop': true }),
  ]);
  return { previousAt: previous?.submittedAt ?? null, recent, recentAllTop };
}

/** One kiosk's answers in a period: how many, how many all-top, too soon after the previous one, outside hours. */
export interface KioskAnswerFigures {
  kioskId: string;
  answers: number;
  allTop: number;
  paced: number;
  outsideHours: number;
}

/** The figures of each of these kiosks' answers submitted in [from, to); kiosks without answers are left out. */
export async function kioskAnswerFigures(
  kioskIds: string[],
  from: Date,
  to: Date,
  serviceCode: string | null = null,
): Promise<KioskAnswerFigures[]> {
  if (kioskIds.length === 0) return [];
  const has = (flag: string) => ({ $cond: [{ $in: [flag, { $ifNull: ['$integrity.flags', []] }] }, 1, 0] });
  const rows = await SurveyResponse.aggregate<{
    _id: Types.ObjectId;
    answers: number;
    allTop: number;
    paced: number;
    outsideHours: number;
  }>([
    {
      $match: {
        kioskId: { $in: kioskIds.map((id) => new Types.ObjectId(id)) },
        submittedAt: { $gte: from, $lt: to },
        ...(serviceCode ? { serviceCode } : {}),
      },
    },
    {
      $group: {
        _id: '$kioskId',
        answers: { $sum: 1 },
        allTop: { $sum: { $cond: ['$integrity.allTop', 1, 0] } },
        paced: { $sum: has('kiosk_pace') },
        outsideHours: { $sum: has('outside_hours') },
      },
    },
  ]);
  return rows.map(({ _id, ...figures }) => ({ kioskId: String(_id), ...figures }));
}
