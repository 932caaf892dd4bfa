import type { Request } from 'express';
import { AppError } from '../../../platform/errors.js';
import { formatNumber } from '../../../platform/i18n.js';
import { unitsInScope } from '../../directory/index.js';
import { periodQuery, periodShortcuts, type Period } from './period.js';

/** What the analytics pages share: the unit picker, period links, and form bodies. */

/** The unit picker (limited to the actor's scope); without a unit chosen, the first unit of that scope. */
export async function withDefaultUnit(req: Request, action: 'analytics.read' | 'tickets.triage' = 'analytics.read') {
  const units = await unitsInScope(req.actor!, action);
  if (units.length === 0) throw new AppError('forbidden');
  const query = { ...(req.query as Record<string, unknown>) };
  if (!query.unitCode) query.unitCode = units[0]!.code;
  return { units, query };
}

/** Links to ready-made periods for a page, keeping the unit, service and the rest of the query. */
export const shortcutsFor = (path: string, period: Period, extra: Record<string, string> = {}) =>
  periodShortcuts(period.unit.timeZone).map((shortcut) => ({
    key: shortcut.key,
    current: shortcut.fromDay === period.fromDay && shortcut.toDay === period.toDay,
    href: `${path}?${periodQuery({ ...period, fromDay: shortcut.fromDay, toDay: shortcut.toDay }, extra)}`,
  }));

/** Figures on pages follow the page's language (decimal comma in Indonesian); '' for a missing one. */
export const fixed = formatNumber;

/** A form's fields without the CSRF token, the empty ones left out. */
export function withoutCsrf(body: unknown): Record<string, string> {
  const { _csrf, ...rest } = (body ?? {}) as Record<string, unknown>;
  void _csrf;
  return Object.fromEntries(
    Object.entries(rest)
      .filter(([, value]) => typeof value === 'string' && value !== '')
      .map(([key, value]) => [key, value as string]),
  );
}

export function pick(body: Record<string, string>, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((key) => body[key]).map((key) => [key, body[key]!]));
}
