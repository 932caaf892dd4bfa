import { eventsSettled } from './platform/events.js';
import { logger } from './platform/logger.js';
import { registerJob } from './platform/scheduler.js';
import { checkRollups, monthWindow, repairRollups, type CollectionDrift } from './modules/analytics/index.js';
import { checkFeed, repairFeed } from './modules/coaching/index.js';

/**
 * What is stored from domain events (analytics rollups, the coaching records' feed) against a recomputation from
 * the source collections: `npm run verify` prints it, and the daily reconciliation repairs what differs.
 */

const DAY_MS = 86_400_000;

export interface DriftReport {
  window: { from: Date; to: Date };
  sources: { tickets: number; surveys: number };
  collections: CollectionDrift[];
  differences: number;
}

async function measure(window: { from: Date; to: Date }) {
  const wide = monthWindow(window);
  const [rollups, feed] = [await checkRollups(wide), await checkFeed(wide)];
  const collections = [...rollups.collections, feed];
  return {
    report: {
      window: wide,
      sources: rollups.sources,
      collections: collections.map(({ collection, checked, differences, examples }) => ({
        collection,
        checked,
        differences,
        examples,
      })),
      differences: collections.reduce((sum, drift) => sum + drift.differences, 0),
    } satisfies DriftReport,
    rollups,
    feed,
  };
}

/** Compares rollups and feed with the sources over `window` (widened to whole months); changes nothing. */
export async function checkDrift(window: { from: Date; to: Date }): Promise<DriftReport> {
  return (await measure(window)).report;
}

/**
 * Checks the window and repairs what differs. A projector applying an event between the check and the repair would
 * be counted twice, so the check runs twice after this process's projectors have drained, and only when both runs
 * find the very same differences are they repaired; otherwise figures were moving, nothing is repaired, and the next
 * run looks again.
 */
export async function reconcile(window: { from: Date; to: Date }): Promise<{ found: number; repaired: number }> {
  await eventsSettled();
  const first = await measure(window);
  if (!first.report.differences) return { found: 0, repaired: 0 };
  await eventsSettled();
  const second = await measure(window);
  const same =
    JSON.stringify(first.rollups.repairs) === JSON.stringify(second.rollups.repairs) &&
    JSON.stringify(first.feed.repairs) === JSON.stringify(second.feed.repairs);
  if (!same) {
    logger.warn(
      { differences: second.report.differences },
      'reconciliation: figures moved while checking; repaired nothing',
    );
    return { found: second.report.differences, repaired: 0 };
  }
  await repairRollups(second.rollups.repairs);
  await repairFeed(second.feed.repairs);
  logger.warn(
    { collections: second.report.collections.filter((drift) => drift.differences) },
    'reconciliation repaired derived figures that differed from their sources',
  );
  return { found: second.report.differences, repaired: second.report.differences };
}

/** The light daily reconciliation: this month and the last (the window is widened to whole months). */
export function registerReconciliation(): void {
  registerJob({
    name: 'events.reconcile',
    everyMs: DAY_MS,
    run: async ({ startedAt }) => {
      const result = await reconcile({ from: new Date(startedAt.getTime() - 2 * DAY_MS), to: startedAt });
      logger.info(result, 'reconciliation of rollups and coaching records done');
    },
  });
}
