/**
 * The admin module's public face: the admin home, which links every admin page and counts what waits for the
 * admin. It reads other modules' counts through their public faces, so it comes late in the module list.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { adminRoutes as routes } from './routes.js';
export { adminRoutes } from './routes.js';

export const admin: ModuleManifest = {
  name: 'admin',
  messages: [messages],
  routes: () => [routes()],
};
