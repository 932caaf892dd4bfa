/**
 * Ticket statuses with their semantic type (docs/domain.md#transitions). Public views and clocks go by the type, never by
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

/** Named sets of statuses, so that no other file spells a list of status names. */
const statusesOfType = (...types: StatusType[]) => statuses.filter((status) => types.includes(statusType(status)));
/** Still to be answered: the clock runs or is paused. */
export const openStatuses: readonly Status[] = statusesOfType('open', 'paused');
/** Still to be answered with the clock running (awaiting the citizen pauses it). */
export const runningStatuses: readonly Status[] = statusesOfType('open');
/** Answered and waiting for the citizen's confirmation, or for the auto-close clock. */
export const resolvedStatuses: readonly Status[] = statusesOfType('resolved');
/** Waiting on the citizen: the clock is paused. */
export const pausedStatuses: readonly Status[] = statusesOfType('paused');
/** Answered: a citizen may still reopen it, staff may still reopen or close it. */
export const answeredStatuses: readonly Status[] = ['resolved', 'closed'];
/** Not yet verified or verified but not yet with anyone: a verifier may still turn it down. */
export const undecidedStatuses: readonly Status[] = ['received', 'verified'];
/** Verified and not yet given its first public answer: that answer is the follow-up the legal clock asks for. */
export const awaitingFollowUpStatuses: readonly Status[] = ['verified', 'assigned'];
/** Verified and being handled, with the clock running. */
export const inHandStatuses: readonly Status[] = [...awaitingFollowUpStatuses, 'in_progress'];
/** Verified and not yet answered (the clock may be paused). */
export const acceptedOpenStatuses: readonly Status[] = openStatuses.filter((status) => status !== 'received');
/** Taken on and not turned down: a finding about an officer has something to rest on. */
export const acceptedStatuses: readonly Status[] = [...acceptedOpenStatuses, ...answeredStatuses];
/** Ended without staying resolved: closed, rejected, merged. */
export const closedStatuses: readonly Status[] = statusesOfType('closed');
/** Not verified by staff: not yet (received), or never (rejected, merged). */
export const unverifiedStatuses: readonly Status[] = ['received', 'rejected', 'merged'];
/** Where a ticket's first follow-up moves it: the follow-up clock is met by the first of them. */
export const followUpStatuses: readonly Status[] = ['in_progress', 'resolved'];

/** Finding outcomes that count against an officer (records, plan rules, evaluations); `not_substantiated` never does. */
export const countedOutcomes: readonly FindingOutcome[] = ['substantiated', 'partially_substantiated'];

export const kinds = ['complaint', 'compliment', 'suggestion', 'information_request'] as const;
export type Kind = (typeof kinds)[number];

/**
 * How a ticket reached the agency: the citizen's own form (web), the public JSON API, a counter kiosk, Open311, or
 * staff recording it on the citizen's behalf from the counter, a phone call, a letter, WhatsApp, social media or
 * SP4N-LAPOR!. Shown in the inbox, its filters and the trends.
 */
export const ticketChannels = [
  'web',
  'api',
  'kiosk',
  'open311',
  'counter',
  'phone',
  'letter',
  'whatsapp',
  'social_media',
  'lapor',
] as const;
export type TicketChannel = (typeof ticketChannels)[number];

export const privacies = ['public', 'anonymous', 'confidential'] as const;
export type Privacy = (typeof privacies)[number];

/** A citizen may reopen within this many days of the answer (docs/domain.md#transitions). */
export const REOPEN_WINDOW_DAYS = 30;
/**
 * Working days the legal clocks allow (PermenPANRB 62/2018): the national lengths, and the most an agency may set
 * (clock-settings.ts); an agency, a category or the service's standard may shorten them (docs/domain.md#clocks).
 * Resolution: the regulation's 14-day completion norm for a complaint that needs follow-up, counted here in working
 * days from the first public answer.
 */
export const clockDefaults = {
  verifyWorkingDays: 3,
  followUpWorkingDays: 5,
  resolveWorkingDays: 14,
  autoCloseWorkingDays: 10,
};

export const priorities = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof priorities)[number];

export const findingOutcomes = ['substantiated', 'partially_substantiated', 'not_substantiated'] as const;
export type FindingOutcome = (typeof findingOutcomes)[number];

/** Reasons a verifier may reject a ticket with (docs/domain.md#transitions). */
export const rejectReasons = [
  'not_our_authority',
  'incomplete',
  'spam',
  'duplicate',
  'not_a_complaint',
  'other',
] as const;
export type RejectReason = (typeof rejectReasons)[number];

/**
 * The key of one breach escalated to one level up the tree: the same clock due at the same instant is escalated once
 * per level, a new due time starts again at the first level. The first level's key carries no level, as it always had.
 */
export const breachKey = (clock: string, dueAt: Date, level = 1) =>
  `${clock}:${dueAt.toISOString()}${level > 1 ? `:${level}` : ''}`;
