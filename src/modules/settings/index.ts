/**
 * The settings module's public face: the agency settings page (/admin/settings) and its JSON twin. It owns no
 * setting of its own: each value lives in the module that reads it and is changed through that module's face, so
 * it comes after them in the module list.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { settingsRoutes } from './routes.js';

export const settings: ModuleManifest = {
  name: 'settings',
  messages: [messages],
  routes: () => [settingsRoutes()],
};
