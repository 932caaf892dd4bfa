/**
 * The developers module's public face: the OpenAPI document of the JSON API and its reference page. It reads the
 * routes every other module mounted, so it comes last in the module list.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { developerRoutes as routes } from './routes.js';

export const developers: ModuleManifest = {
  name: 'developers',
  messages: [messages],
  routes: (config) => [routes(config)],
};
