import { subscribe } from '../../platform/events.js';
import { evaluateRules } from './rules.js';

/**
 * The development plan follows the findings: each recorded finding that counts (substantiated or partially
 * substantiated) re-evaluates the rules for its officer. A `not_substantiated` finding changes nothing.
 * Called once from `registerCoachingSubscribers()` (events.ts), which guards against registering twice.
 */
export function registerCoachingWorkSubscribers(): void {
  subscribe('finding.recorded', async (event) => {
    if (!['substantiated', 'partially_substantiated'].includes(event.outcome)) return;
    await evaluateRules(event.officerId, event.at);
  });
}
