import { addDays, endOfLocalDay, startOfLocalDay } from '../../../platform/calendar.js';
import { t, type Lang } from '../../../platform/i18n.js';
import type { EvaluationPeriod } from './model.js';

/** How many evaluations a year has, and how many months each covers. */
export const partsPerYear: Record<EvaluationPeriod, number> = { quarterly: 4, semester: 2, annual: 1 };
export const monthsPerPart: Record<EvaluationPeriod, number> = { quarterly: 3, semester: 6, annual: 12 };

/** The local dates and instants of one period in the agency's time zone. */
export function periodOf(kind: EvaluationPeriod, year: number, part: number, timeZone: string) {
  const months = monthsPerPart[kind];
  const first = (part - 1) * months + 1;
  const pad = (n: number) => String(n).padStart(2, '0');
  const fromDate = `${year}-${pad(first)}-01`;
  const next = first + months > 12 ? `${year + 1}-01-01` : `${year}-${pad(first + months)}-01`;
  const toDate = addDays(next, -1);
  const key = kind === 'quarterly' ? `${year}-Q${part}` : kind === 'semester' ? `${year}-S${part}` : `${year}`;
  return {
    kind,
    key,
    fromDate,
    toDate,
    from: startOfLocalDay(fromDate, timeZone),
    to: endOfLocalDay(toDate, timeZone),
  };
}

const roman = ['I', 'II', 'III', 'IV'];
export function periodLabel(period: { kind: string; key: string }, lang: Lang): string {
  const year = period.key.slice(0, 4);
  const part = Number(period.key.slice(6)) || 1;
  if (period.kind === 'quarterly') return t(lang, 'coaching.work.period_quarter', { part: roman[part - 1], year });
  if (period.kind === 'semester') return t(lang, 'coaching.work.period_semester', { part: roman[part - 1], year });
  return t(lang, 'coaching.work.period_year', { year });
}
