import type { Types } from 'mongoose';

/** What the coaching work adds to an officer's summary for a period. */
export interface CoachingFigures {
  sessionsHeld: number;
  openActions: { sessionId: string; text: string; owner: string; dueAt: Date; overdue: boolean }[];
  /** Training hours (JP) in the calendar year (agency local time) of `period.to`, against the 20 JP target. */
  training: { year: number; jp: number; target: number };
}

/** Placeholder until the coaching-work service lands; the coaching-work helper replaces this function. */
export async function coachingFigures(
  _officerId: string | Types.ObjectId,
  period: { from: Date; to: Date },
): Promise<CoachingFigures> {
  return { sessionsHeld: 0, openActions: [], training: { year: period.to.getUTCFullYear(), jp: 0, target: 20 } };
}
