/**
 * The settings module's public face: the agency settings page (/admin/settings), its JSON twin and the daily
 * retention job. Each value another module reads lives in that module and is changed through its face; the
 * retention periods live here, read only by the job, which asks feedback and surveys to forget. So it comes after
 * them in the module list.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import { registerJob } from '../../platform/scheduler.js';
import messages from './messages.js';
import { applyRetention } from './retention.js';
import { settingsRoutes } from './routes.js';

export const settings: ModuleManifest = {
  name: 'settings',
  messages: [messages],
  routes: () => [settingsRoutes()],
  jobs: () =>
    registerJob({
      name: 'settings.retention',
      everyMs: 24 * 3_600_000,
      run: async ({ startedAt, signal }) => void (await applyRetention(startedAt, signal)),
    }),
};
