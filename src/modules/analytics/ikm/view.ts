import type { SkmElement } from '../../surveys/index.js';
import { fixed, shortcutsFor } from '../shared/page-helpers.js';
import { periodQuery, type Period } from '../shared/period.js';
import { elementTable, profileGroupLabel, profileGroups } from './exports.js';
import { weakestElements, type followUpsForReport } from './follow-up.js';
import type { IkmReport } from './report.js';

/** The view models of the IKM report page and its printable form. */

type Translate = (key: string, params?: Record<string, unknown>) => string;
type Lang = 'id' | 'en';
type FollowUps = Awaited<ReturnType<typeof followUpsForReport>>;

/** Last period's plans with their element's change since, as the page shows them. */
function previousPlans(followUps: FollowUps, lang: Lang) {
  return followUps.previous.map((entry) => ({
    ...entry,
    previousMeanText: fixed(lang, entry.previousMean, 4) || '—',
    currentMeanText: fixed(lang, entry.currentMean, 4) || '—',
    changeText:
      entry.change === null ? '' : `${entry.change >= 0 ? '+' : '−'}${fixed(lang, Math.abs(entry.change), 4)}`,
    changeSign: entry.change === null ? 'none' : entry.change > 0 ? 'up' : entry.change < 0 ? 'down' : 'same',
  }));
}

/** The respondents' profile in groups (gender, age, education, occupation), with shares when `shares`. */
function profileView(report: IkmReport, shares: boolean) {
  const entry = (label: string, count: number) => ({
    label,
    count,
    ...(shares ? { share: report.respondents ? Math.round((count / report.respondents) * 100) : 0 } : {}),
  });
  return profileGroups.map(([group, prefix]) => {
    const counts = Object.entries(report.profile[group] ?? {});
    // Respondents at a counter kiosk may skip a field: they are counted as not having given it, not as anyone.
    const skipped = report.respondents - counts.reduce((sum, [, count]) => sum + count, 0);
    return {
      label: profileGroupLabel[group],
      entries: [
        ...counts.map(([code, count]) => entry(`${prefix}.${code}`, count)),
        ...(skipped > 0 ? [entry('analytics.pages.profile_skipped', skipped)] : []),
      ],
    };
  });
}

export function ikmPageView(report: IkmReport, period: Period, followUps: FollowUps, t: Translate, lang: Lang) {
  const table = elementTable(report, t);
  const weakest = weakestElements(report.elements);
  const subtree = { subtree: period.subtree ? '1' : '0' };
  return {
    title: t('analytics.pages.ikm_title'),
    services: period.unit.services ?? [],
    period,
    report,
    ikmText: fixed(lang, report.ikm, 2),
    table,
    rows: table.rows.map((row) => ({
      ...row,
      meanText: fixed(lang, row.mean, 4),
      weak: weakest.includes(row.element as SkmElement),
    })),
    weakest,
    followUps: { ...followUps, previous: previousPlans(followUps, lang) },
    profile: profileView(report, true),
    flags: Object.entries(report.integrity.byFlag)
      .filter(([, count]) => count > 0)
      .map(([flag, count]) => ({ flag, count })),
    qs: periodQuery(period, subtree),
    shortcuts: shortcutsFor('/analytics/ikm', period, subtree),
    timeZone: period.unit.timeZone,
  };
}

export function ikmPrintView(report: IkmReport, period: Period, t: Translate, lang: Lang) {
  const table = elementTable(report, t);
  return {
    layout: false,
    title: t('analytics.pages.ikm_title'),
    period,
    report,
    ikmText: fixed(lang, report.ikm, 2),
    table,
    rows: table.rows.map((row) => ({
      ...row,
      meanText: fixed(lang, row.mean, 4),
      weightText: fixed(lang, row.weight, 4),
      weightedText: fixed(lang, row.weighted, 4),
    })),
    profile: profileView(report, false),
    printedAt: new Date(),
    timeZone: period.unit.timeZone,
  };
}
