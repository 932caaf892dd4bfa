/**
 * The home module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import { homeRoutes as routes } from './routes.js';
export { homeRoutes } from './routes.js';

export const home: ModuleManifest = {
  name: 'home',
  routes: () => [routes()],
};
