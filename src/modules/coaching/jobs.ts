import { registerJob, type Job } from '../../platform/scheduler.js';
import { reevaluateRules } from './plan/rules.js';
import { sendActionReminders, type ReminderConfig } from './sessions/reminders.js';

/** The coaching module's scheduled work: reminders of agreed actions, and the plan rules' safety net. */
function coachingJobs(config: ReminderConfig): Job[] {
  return [
    {
      name: 'coaching.action_reminders',
      everyMs: 5 * 60_000,
      run: async ({ startedAt, signal }) => void (await sendActionReminders(config, startedAt, signal)),
    },
    {
      // The development plan's safety net for a missed finding event.
      name: 'coaching.plan_rules',
      everyMs: 60 * 60_000,
      run: async ({ startedAt, signal }) => void (await reevaluateRules(startedAt, signal)),
    },
  ];
}

/**
 * Registers the reminder job (and the plan rules' safety net) on the process's scheduler (server.ts calls this once,
 * before starting it).
 */
export function registerCoachingJobs(config: ReminderConfig): void {
  for (const job of coachingJobs(config)) registerJob(job);
}
