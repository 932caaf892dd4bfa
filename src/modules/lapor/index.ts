/**
 * The lapor module's public face: the SP4N-LAPOR! hand-over (docs/lapor.md). Nothing in it is for other modules.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { laporRoutes } from './routes.js';

export const lapor: ModuleManifest = {
  name: 'lapor',
  messages: [messages],
  routes: (config) => [laporRoutes(config)],
};
