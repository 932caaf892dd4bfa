/**
 * Ticket statuses with their semantic type (DESIGN.md section 3). Public views and clocks go by the type, never by
 * a status name, so that a new status needs one line here and nothing else.
 */
export const statusTypes = ['open', 'paused', 'resolved', 'closed'] as const;
export type StatusType = (typeof statusTypes)[number];

export const statusTable = {
  received: { type: 'open' },
  verified: { type: 'open' },
  assigned: { type: 'open' },
  in_progress: { type: 'open' },
  awaiting_citizen: { type: 'paused' }, // open, with the clock paused
  resolved: { type: 'resolved' },
  closed: { type: 'closed' },
  rejected: { type: 'closed' },
  merged: { type: 'closed' },
} as const satisfies Record<string, { type: StatusType }>;

export type Status = keyof typeof statusTable;
export const statuses = Object.keys(statusTable) as Status[];
export const statusType = (status: Status): StatusType => statusTable[status].type;
export const isOpen = (status: Status) => ['open', 'paused'].includes(statusType(status));

export const kinds = ['complaint', 'compliment', 'suggestion', 'information_request'] as const;
export type Kind = (typeof kinds)[number];

export const privacies = ['public', 'anonymous', 'confidential'] as const;
export type Privacy = (typeof privacies)[number];

/** A citizen may reopen within this many days of the answer (DESIGN.md section 3). */
export const REOPEN_WINDOW_DAYS = 30;
/** Working days the legal clocks allow (PermenPANRB 62/2018), unless a category says otherwise. */
export const clockDefaults = { verifyWorkingDays: 3, followUpWorkingDays: 5, autoCloseWorkingDays: 10 };

export const priorities = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof priorities)[number];

export const findingOutcomes = ['substantiated', 'partially_substantiated', 'not_substantiated'] as const;
export type FindingOutcome = (typeof findingOutcomes)[number];

/** Reasons a verifier may reject a ticket with (DESIGN.md section 3). */
export const rejectReasons = [
  'not_our_authority',
  'incomplete',
  'spam',
  'duplicate',
  'not_a_complaint',
  'other',
] as const;
export type RejectReason = (typeof rejectReasons)[number];

/** The key of one breach: the same clock due at the same instant is escalated once, a new due time again. */
export const breachKey = (clock: string, dueAt: Date) => `${clock}:${dueAt.toISOString()}`;

/** Finding outcomes that count against an officer (records, plan rules, evaluations); `not_substantiated` never does. */
export const countedOutcomes: readonly FindingOutcome[] = ['substantiated', 'partially_substantiated'];

/** Statuses of a ticket staff have not verified: not yet (received), or never (rejected, merged). */
export const unverifiedStatuses: readonly Status[] = ['received', 'rejected', 'merged'];

/** The statuses a ticket's first follow-up moves it to: the follow-up clock is met by the first of them. */
export const followUpStatuses: readonly Status[] = ['in_progress', 'resolved'];
/** Statuses of a ticket that has an answer: resolved, or closed after a resolution (not rejected or merged). */
export const answeredStatuses: readonly Status[] = ['resolved', 'closed'];
/** Statuses that end a ticket without it staying resolved (closed, rejected, merged): the type 'closed'. */
export const closedStatuses: readonly Status[] = statuses.filter((status) => statusType(status) === 'closed');
