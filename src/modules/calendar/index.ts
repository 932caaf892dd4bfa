/**
 * The calendar module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { calendarRoutes } from './routes.js';
export { calendarFor, ensureNationalHolidays } from './service.js';
export type { BusinessCalendar } from './service.js';
