import { registerProjector } from '../../../platform/event-log.js';
import type { DomainEvents } from '../../../platform/events.js';
import { countedOutcomes } from '../../feedback/index.js';
import { evaluateRules } from './rules.js';

/**
 * The development plan follows the findings: each recorded finding that counts (substantiated or partially
 * substantiated) re-evaluates the rules for its officer, from the durable event record (platform/event-log.ts).
 * Evaluating again suggests nothing new (a rule does not suggest while an earlier suggestion of it is open). A
 * `not_substantiated` finding changes nothing. Called once from `registerCoachingSubscribers()` (record/projector.ts),
 * which guards against registering twice.
 */
const counts = (payload: unknown) =>
  (countedOutcomes as readonly string[]).includes((payload as DomainEvents['finding.recorded']).outcome);

export function registerPlanProjector(): void {
  registerProjector({
    name: 'coaching.plan',
    events: ['finding.recorded'],
    wants: (event) => counts(event.payload),
    apply: async (events) => {
      for (const event of events) {
        const payload = event.payload as DomainEvents['finding.recorded'];
        if (counts(payload)) await evaluateRules(payload.officerId, new Date(payload.at));
      }
    },
  });
}
