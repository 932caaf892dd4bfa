/**
 * The analytics module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { analyticsRoutes } from './routes.js';
export { analyticsPageRoutes } from './page-routes.js';
export { rollupsSettledThenRebuild } from './rollups/rebuild.js';
export { checkRollups, monthWindow, repairRollups } from './rollups/verify.js';
export type { CollectionDrift } from './rollups/verify.js';
export { csvCell } from './ikm/exports.js';
export { ensureRollupLayout } from './rollups/layout.js';
export { registerAnalyticsSubscribers } from './rollups/projector.js';
export { attachDisplayGateway } from './display/gateway.js';
