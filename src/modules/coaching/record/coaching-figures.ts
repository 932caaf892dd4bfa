import type { Types } from 'mongoose';
import { localDate } from '../../../platform/calendar.js';
import { oid } from '../access.js';
import { findOfficersByIds, officerTimeZone } from '../../directory/index.js';
import { jpTargetOf } from '../evaluations/settings.js';
import { CoachingAction, CoachingSession, type ActionDoc } from '../sessions/model.js';
import { DEFAULT_JP_TARGET } from '../evaluations/model.js';
import { jpInYear } from '../training/training.js';

/** What the coaching work adds to an officer's summary for a period. */
export interface CoachingFigures {
  sessionsHeld: number;
  openActions: { sessionId: string; text: string; owner: string; dueAt: Date; overdue: boolean }[];
  /** Training hours (JP) in the calendar year (agency local time) of `period.to`, against the agency's yearly target
   * (20 JP unless the agency set its own). */
  training: { year: number; jp: number; target: number };
}

/**
 * Sessions held in the period, the actions still open now (whatever the period: an open action is open), and the
 * JP of the calendar year of `period.to` on the agency's wall clock.
 */
export async function coachingFigures(
  officerId: string | Types.ObjectId,
  period: { from: Date; to: Date },
): Promise<CoachingFigures> {
  const timeZone = (await officerTimeZone(officerId)) ?? 'Asia/Jakarta';
  const year = Number(localDate(period.to, timeZone).slice(0, 4));
  const [sessionsHeld, actions, jp, target] = await Promise.all([
    CoachingSession.countDocuments({ officerId: oid(officerId), at: { $gte: period.from, $lte: period.to } }),
    CoachingAction.find({ officerId: oid(officerId), done: false })
      .sort({ dueAt: 1 })
      .limit(100)
      .lean<ActionDoc[]>(),
    jpInYear(officerId, year),
    agencyJpTarget(officerId),
  ]);
  const now = Date.now();
  return {
    sessionsHeld,
    openActions: actions.map((action) => ({
      sessionId: String(action.sessionId),
      text: action.text,
      owner: action.ownerName,
      dueAt: action.dueAt,
      overdue: action.dueAt.getTime() < now,
    })),
    training: { year, jp, target },
  };
}

async function agencyJpTarget(officerId: string | Types.ObjectId): Promise<number> {
  const [officer] = await findOfficersByIds([String(officerId)]);
  return officer?.unitPath[0] ? jpTargetOf(officer.unitPath[0]) : DEFAULT_JP_TARGET;
}
