import { modules } from './modules/index.js';
import { ensureModuleReferenceData, installModules } from './platform/modules.js';

/**
 * Reference data every deployment needs (not demo data), from each module in list order: ticket categories, response
 * templates, Indonesia's national holidays, coaching rules, and the mark of a complete rollup layout. Idempotent; run
 * at every start. Only what is missing is inserted, so an admin's edits survive restarts.
 */
export async function ensureReferenceData(): Promise<void> {
  installModules(modules);
  await ensureModuleReferenceData(modules);
}
