import { ensureRollupLayout } from './modules/analytics/index.js';
import { ensureNationalHolidays } from './modules/calendar/service.js';
import { ensureCoachingRules } from './modules/coaching/rules.js';
import { ensureCategories } from './modules/feedback/categories.js';
import { ensureResponseTemplates } from './modules/feedback/templates.js';

/**
 * Reference data every deployment needs (not demo data): ticket categories, response templates and Indonesia's national holidays;
 * and the mark of a complete rollup layout in a database that has nothing to rebuild (analytics/rollups/layout.ts).
 * Idempotent; run at every start. Only what is missing is inserted, so an admin's edits survive restarts.
 */
export async function ensureReferenceData(): Promise<void> {
  await ensureCategories();
  await ensureResponseTemplates();
  await ensureNationalHolidays();
  await ensureCoachingRules();
  await ensureRollupLayout();
}
