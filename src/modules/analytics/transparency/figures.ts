import type { Types } from 'mongoose';
import { activeUnitsUnder, type UnitFigureHead } from '../../directory/index.js';
import { ELEMENT_COUNT, EQUAL_WEIGHTS, minimumSample, type Grade } from '../../surveys/index.js';
import { checkPeriod, dayString, periodToDate, todayIn, type Period, type TransparencyPeriod } from '../shared/days.js';
import {
  ikmFrom,
  histogramOf,
  round,
  share,
  sumGroups,
  type SurveyGroup,
  type TicketGroup,
  flatTicketGroup,
} from '../shared/groups.js';
import { DURATION_HOURS_BOUNDS, quantile } from '../shared/histogram.js';
import { aggregateRollups, unitOr404, unitSummaryDocs } from '../shared/rollup-reads.js';
import { transparencyPeriodFor, weightsFor } from '../shared/settings.js';

export interface TransparencyUnit {
  code: string;
  name: string;
  agencyCode: string;
  /** The unit's figures include every unit below it. */
  ikm: number | null;
  grade: Grade | null;
  label: string | null;
  respondents: number;
  /** Krejcie–Morgan minimum sample for the unit's yearly service users; null when that number is not known. */
  minimumSample: number | null;
  /** Fewer answers than the minimum sample: the index is provisional, not a final grade. */
  sampleTooSmall: boolean;
  received: number;
  resolved: number;
  /** Share of first follow-ups given within the legal limit (of those with a known due time); null when none. */
  answeredInTimeShare: number | null;
  medianResolveHours: number | null;
}

/** One row per unit, in tree order; every row carries the period it covers. */
export type TransparencyFigures = (TransparencyUnit & { from: string; to: string })[];

type UnitGroup<T> = T & { unitPath: Types.ObjectId[] };

/** The period asked for, or the agency's period to date (by default the quarter) of the latest local today. */
function periodFor(zones: string[], range: { from?: Date | string; to?: Date | string }, kind: TransparencyPeriod) {
  // A unit in WIT is already on tomorrow while WIB is not.
  const fallback = periodToDate(
    kind,
    zones
      .map((zone) => todayIn(zone))
      .sort()
      .at(-1)!,
  );
  return checkPeriod(
    range.from ? dayString(range.from, zones[0]!) : fallback.from,
    range.to ? dayString(range.to, zones[0]!) : fallback.to,
  );
}

/** Ticket figures per unit: the other days from the per-service rollups, whole months from the unit summaries. */
async function ticketGroups(scope: Record<string, unknown>, period: Period): Promise<UnitGroup<TicketGroup>[]> {
  const [fine, summaries] = await Promise.all([
    aggregateRollups<UnitGroup<TicketGroup>>(
      'tickets',
      period,
      scope,
      [
        {
          $group: {
            _id: '$unitId',
            unitPath: { $first: '$unitPath' },
            n_received: { $sum: '$n.received' },
            n_resolved: { $sum: '$n.resolved' },
            c_followUp_n: { $sum: '$clock.followUp.n' },
            c_followUp_ok: { $sum: '$clock.followUp.ok' },
            ...Object.fromEntries(
              DURATION_HOURS_BOUNDS.map((_, index) => [`h_resolve_${index}`, { $sum: `$h.resolve.${index}` }]),
            ),
          },
        },
      ],
      true,
      true,
      true,
    ),
    unitSummaryDocs(scope, period),
  ]);
  return [
    ...fine,
    ...summaries.map((doc) => Object.assign(flatTicketGroup(doc, doc.unitId), { unitPath: doc.unitPath })),
  ];
}

/** Survey sums per unit over the period. */
function surveyGroups(scope: Record<string, unknown>, period: Period): Promise<UnitGroup<SurveyGroup>[]> {
  return aggregateRollups<UnitGroup<SurveyGroup>>('surveys', period, scope, [
    {
      $group: {
        _id: '$unitId',
        unitPath: { $first: '$unitPath' },
        respondents: { $sum: '$respondents' },
        ...Object.fromEntries(Array.from({ length: ELEMENT_COUNT }, (_, i) => [`s${i}`, { $sum: `$sums.${i}` }])),
      },
    },
  ]);
}

const within = <T extends { unitPath: Types.ObjectId[] }>(groups: T[], unitId: Types.ObjectId) =>
  groups.filter((group) => group.unitPath.some((id) => String(id) === String(unitId)));

/** One unit's row: its subtree's groups summed. */
function unitRow(
  unit: UnitFigureHead,
  period: Period,
  tickets: UnitGroup<TicketGroup>[],
  surveys: UnitGroup<SurveyGroup>[],
  weights: readonly number[],
): TransparencyFigures[number] {
  const ticketGroup = sumGroups(within(tickets, unit._id).map(({ unitPath: _path, ...rest }) => rest as TicketGroup));
  const answered = within(surveys, unit._id);
  const respondents = answered.reduce((sum, group) => sum + (group.respondents ?? 0), 0);
  const totals = Array.from({ length: ELEMENT_COUNT }, (_, i) =>
    answered.reduce((sum, group) => sum + (group[`s${i}`] ?? 0), 0),
  );
  const result = ikmFrom(totals, respondents, weights);
  const minimum = unit.population ? minimumSample(unit.population) : null;
  // No answers, no index: a grade is never shown for an empty period.
  const any = respondents > 0;
  return {
    code: unit.code,
    name: unit.name,
    agencyCode: unit.agencyCode,
    from: period.from,
    to: period.to,
    ikm: any ? result.display : null,
    grade: any ? result.grade : null,
    label: any ? result.label : null,
    respondents,
    minimumSample: minimum,
    sampleTooSmall: any && minimum !== null && respondents < minimum,
    received: ticketGroup.n_received ?? 0,
    resolved: ticketGroup.n_resolved ?? 0,
    answeredInTimeShare: round(share(ticketGroup.c_followUp_ok ?? 0, ticketGroup.c_followUp_n ?? 0), 4),
    medianResolveHours: round(quantile(histogramOf(ticketGroup, 'resolve'), 0.5, DURATION_HOURS_BOUNDS)),
  };
}

/**
 * Public figures per unit (no sign-in, no personal data): for one unit and every unit below it, or for every active
 * unit; each unit's figures are its subtree's. Default period: the one the unit's agency set (the quarter unless it
 * chose a month, half-year or year), to date; the page over every agency keeps the quarter.
 */
export async function transparencyFigures(
  unitCode?: string | null,
  range: { from?: Date | string; to?: Date | string } = {},
): Promise<TransparencyFigures> {
  const root = unitCode ? await unitOr404(unitCode) : null;
  const units = await activeUnitsUnder(root?._id ?? null);
  units.sort((a, b) => a.path.map(String).join('/').localeCompare(b.path.map(String).join('/')));
  const zones = new Set([root?.timeZone ?? 'Asia/Jakarta', ...units.map((unit) => unit.timeZone)]);
  const period = periodFor([...zones], range, await transparencyPeriodFor(root?.agencyCode));
  const scope = root ? { unitPath: root._id } : {};
  const [tickets, surveys] = await Promise.all([ticketGroups(scope, period), surveyGroups(scope, period)]);
  const agencyWeights = new Map<string, readonly number[]>();
  for (const agencyCode of new Set(units.map((u) => u.agencyCode)))
    agencyWeights.set(agencyCode, await weightsFor(agencyCode));
  return units.map((unit) =>
    unitRow(unit, period, tickets, surveys, agencyWeights.get(unit.agencyCode) ?? EQUAL_WEIGHTS),
  );
}
