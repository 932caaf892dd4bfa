/**
 * The analytics module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { analyticsRoutes } from './routes.js';
export { analyticsPageRoutes } from './page-routes.js';
export { rollupsSettledThenRebuild } from './rebuild.js';
export { checkRollups, monthWindow, repairRollups } from './verify.js';
export type { CollectionDrift } from './verify.js';
export { csvCell } from './exports.js';
export { ensureRollupLayout } from './rollups.js';
export { registerAnalyticsSubscribers } from './events.js';
export { attachDisplayGateway } from './display-gateway.js';
