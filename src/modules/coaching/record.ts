import type { Types } from 'mongoose';

/** The figures of one officer for a period: what the record's summary and an evaluation's draft both show. */
export interface RecordSummary {
  period: { from: Date; to: Date };
  /** Substantiated and partially substantiated findings by category code; `not_substantiated` never counts. */
  findings: { substantiated: Record<string, number>; partiallySubstantiated: Record<string, number>; total: number };
  /** Feed item ids of those findings: the evidence an evaluation links to. */
  findingIds: string[];
  compliments: number;
  /** Competence and conduct elements of survey answers naming the officer, on the 25–100 scale. */
  survey: { respondents: number; index: number | null; competence: number | null; conduct: number | null };
  /** Tickets assigned to the officer's account (when they have one) closed or resolved within the legal time. */
  tickets: { handled: number; withinTime: number };
  sessionsHeld: number;
  openActions: number;
  training: { year: number; jp: number; target: number };
}

/** Placeholder until the record service lands; the record helper replaces this file. */
export async function recordSummary(
  _officerId: string | Types.ObjectId,
  period: { from: Date; to: Date },
): Promise<RecordSummary> {
  return {
    period,
    findings: { substantiated: {}, partiallySubstantiated: {}, total: 0 },
    findingIds: [],
    compliments: 0,
    survey: { respondents: 0, index: null, competence: null, conduct: null },
    tickets: { handled: 0, withinTime: 0 },
    sessionsHeld: 0,
    openActions: 0,
    training: { year: period.to.getUTCFullYear(), jp: 0, target: 20 },
  };
}
