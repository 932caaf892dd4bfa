import {
  ageBands,
  computeIkm,
  educations,
  ELEMENT_COUNT,
  genders,
  integrityFlags,
  occupations,
} from '../../surveys/index.js';
import { closedStatuses } from '../../feedback/index.js';
import { DURATION_HOURS_BOUNDS, WAIT_MINUTES_BOUNDS, type Histogram } from './histogram.js';
import type { UnitMonthDoc } from './rollup-reads.js';

/**
 * The `$group` fields the reports read rollups with, and the groups they give: flat names (`n_received`,
 * `h_wait_3`, `s0`) summed across stretches of a period and across units.
 */

export const profileCodes = {
  gender: genders,
  ageBand: ageBands,
  education: educations,
  occupation: occupations,
} as const;
export type ProfileField = keyof typeof profileCodes;
export const safe = (code: string) => code.replace(/[^\w]/g, '_');

/** $group fields for survey rollups: respondents, element sums, profile and integrity counts. */
export function surveySums(): Record<string, unknown> {
  const fields: Record<string, unknown> = { respondents: { $sum: '$respondents' }, flagged: { $sum: '$flagged' } };
  for (let index = 0; index < ELEMENT_COUNT; index++) fields[`s${index}`] = { $sum: `$sums.${index}` };
  for (const [field, codes] of Object.entries(profileCodes))
    for (const code of codes) fields[`p_${field}_${safe(code)}`] = { $sum: `$profile.${field}.${code}` };
  for (const flag of integrityFlags) fields[`f_${flag}`] = { $sum: `$flags.${flag}` };
  return fields;
}

export type SurveyGroup = Record<string, number> & { _id: unknown };

export const totalsOf = (group: SurveyGroup | undefined) =>
  Array.from({ length: ELEMENT_COUNT }, (_, index) => group?.[`s${index}`] ?? 0);

export const HIST_KINDS = ['wait', 'verify', 'followUp', 'resolve'] as const;
/** The bucket bounds of a histogram: minutes for waiting, hours for the others. */
const boundsOf = (kind: (typeof HIST_KINDS)[number]) => (kind === 'wait' ? WAIT_MINUTES_BOUNDS : DURATION_HOURS_BOUNDS);

/** $group fields for every counter of the ticket rollups, with histograms bucket by bucket. */
export function ticketSums(): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  // The counts contribution.ts writes: `n.<status>` for the statuses that end a ticket, the steps by name.
  for (const count of ['received', 'verified', 'resolved', ...closedStatuses, 'reopened'])
    fields[`n_${count}`] = { $sum: `$n.${count}` };
  for (const kind of HIST_KINDS)
    boundsOf(kind).forEach((_, index) => (fields[`h_${kind}_${index}`] = { $sum: `$h.${kind}.${index}` }));
  for (const clock of ['verify', 'followUp'])
    for (const part of ['n', 'ok']) fields[`c_${clock}_${part}`] = { $sum: `$clock.${clock}.${part}` };
  fields.waitSum = { $sum: '$waitSum' };
  fields.waitCount = { $sum: '$waitCount' };
  fields.ratingSum = { $sum: '$rating.sum' };
  fields.ratingCount = { $sum: '$rating.count' };
  return fields;
}

export type TicketGroup = Record<string, number> & { _id: unknown };

export const histogramOf = (group: TicketGroup | undefined, kind: (typeof HIST_KINDS)[number]): Histogram =>
  boundsOf(kind).map((_, index) => group?.[`h_${kind}_${index}`] ?? 0);

export const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
export const round = (value: number | null, places = 2) =>
  value === null ? null : Math.round(value * 10 ** places) / 10 ** places;

/** Sums ticket groups (already summed per day) into one. */
export function sumGroups(groups: TicketGroup[]): TicketGroup {
  const total: Record<string, number> = {};
  for (const group of groups)
    for (const [key, value] of Object.entries(group))
      if (key !== '_id' && typeof value === 'number') total[key] = (total[key] ?? 0) + value;
  return total as TicketGroup;
}

/** A summary document's counters under the flat names the `$group` stages give them. */
export function flatTicketGroup(doc: UnitMonthDoc, id: unknown): TicketGroup {
  const group: Record<string, unknown> = { _id: id };
  for (const [count, value] of Object.entries(doc.n ?? {})) group[`n_${count}`] = value;
  for (const [kind, histogram] of Object.entries(doc.h ?? {}))
    for (const [index, value] of Object.entries(histogram ?? {})) group[`h_${kind}_${index}`] = value;
  for (const [clock, parts] of Object.entries(doc.clock ?? {}))
    for (const [part, value] of Object.entries(parts ?? {})) group[`c_${clock}_${part}`] = value;
  group.waitSum = doc.waitSum ?? 0;
  group.waitCount = doc.waitCount ?? 0;
  group.ratingSum = doc.rating?.sum ?? 0;
  group.ratingCount = doc.rating?.count ?? 0;
  return group as TicketGroup;
}

/** The IKM of summed element totals, with the agency's weights. */
export function ikmFrom(totals: number[], respondents: number, weights: readonly number[]) {
  return computeIkm({ totals, respondents }, weights);
}
