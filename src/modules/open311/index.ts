/**
 * The open311 module's public face: Open311 GeoReport v2 at /open311/v2 (docs/open311.md). Nothing in it is for
 * other modules.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { open311Routes } from './routes.js';

export const open311: ModuleManifest = {
  name: 'open311',
  messages: [messages],
  routes: (config) => [open311Routes(config)],
};
