/**
 * The calendar module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { calendarRoutes as routes } from './routes.js';
import { ensureNationalHolidays } from './service.js';
export { calendarRoutes } from './routes.js';
export { calendarFor, ensureNationalHolidays } from './service.js';
export type { BusinessCalendar } from './service.js';

export const calendar: ModuleManifest = {
  name: 'calendar',
  messages: [messages],
  routes: () => [routes()],
  referenceData: async () => {
    await ensureNationalHolidays();
  },
};
