import { registerCoachingWorkSubscribers } from './plan-events.js';

/**
 * What the coaching module does when other modules publish domain events (DESIGN.md section 4). Registered once per
 * process by the server and by the test set-up; calling it again does nothing, so no event is counted twice.
 */
let registered = false;

export function registerCoachingSubscribers(): void {
  if (registered) return;
  registered = true;
  registerCoachingWorkSubscribers();
}
