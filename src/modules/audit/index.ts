/**
 * The audit module: the inspectorate's reading of the audit log (pages, JSON, CSV). Writing an entry is the platform's
 * `recordAudit` (platform/audit-log.ts), which every module calls.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { auditRoutes as routes } from './routes.js';
export { auditRoutes } from './routes.js';

export const audit: ModuleManifest = {
  name: 'audit',
  messages: [messages],
  routes: () => [routes()],
};
