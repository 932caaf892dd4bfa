/**
 * The analytics module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import { attachDisplayGateway } from './display-gateway.js';
import { registerAnalyticsSubscribers } from './events.js';
import messages from './messages.js';
import pageMessages from './page-messages.js';
import { analyticsPageRoutes } from './page-routes.js';
import { ensureRollupLayout } from './rollups.js';
import { analyticsRoutes } from './routes.js';
export { analyticsRoutes } from './routes.js';
export { analyticsPageRoutes } from './page-routes.js';
export { rollupsSettledThenRebuild } from './rebuild.js';
export { checkRollups, monthWindow, repairRollups } from './verify.js';
export type { CollectionDrift } from './verify.js';
export { csvCell } from './exports.js';
export { ensureRollupLayout } from './rollups.js';
export { registerAnalyticsSubscribers } from './events.js';
export { attachDisplayGateway } from './display-gateway.js';

export const analytics: ModuleManifest = {
  name: 'analytics',
  messages: [messages, pageMessages],
  routes: (config) => [analyticsRoutes(config), analyticsPageRoutes(config)],
  subscribers: registerAnalyticsSubscribers,
  // Hall screens (the public /display namespace).
  gateways: (io, { config }) => [attachDisplayGateway(io, { clustered: Boolean(config.redisUrl) })],
  referenceData: ensureRollupLayout,
};
