/**
 * The analytics module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import { attachDisplayGateway } from './display/gateway.js';
import messages from './messages.js';
import pageMessages from './page-messages.js';
import { analyticsPageRoutes } from './page-routes.js';
import { ensureRollupLayout } from './rollups/layout.js';
import { registerAnalyticsSubscribers } from './rollups/projector.js';
import { analyticsRoutes } from './routes.js';

export { rollupsSettledThenRebuild } from './rollups/rebuild.js';
export { checkRollups, monthWindow, repairRollups } from './rollups/verify.js';
export type { CollectionDrift } from './rollups/verify.js';
export { csvCell } from './ikm/exports.js';
export { getWeights, setTransparencyPeriod, setWeights, transparencyPeriodFor } from './shared/settings.js';
export { transparencyPeriods, type TransparencyPeriod } from './shared/days.js';
export { transparencyPeriodInput, weightsInput } from './schemas.js';

export const analytics: ModuleManifest = {
  name: 'analytics',
  messages: [messages, pageMessages],
  routes: (config) => [analyticsRoutes(config), analyticsPageRoutes(config)],
  subscribers: registerAnalyticsSubscribers,
  // Hall screens (the public /display namespace).
  gateways: (io, { config }) => [attachDisplayGateway(io, { clustered: Boolean(config.redisUrl) })],
  referenceData: ensureRollupLayout,
};
