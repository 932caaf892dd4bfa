/**
 * The kiosks module's public face: counter kiosks (registration, revocation, the kiosk pages) and what other modules
 * may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { kioskRoutes } from './routes.js';
export { kiosksAt, listKiosks, registerKiosk, revokeKiosk } from './service.js';
export type { KioskView } from './service.js';

export const kiosks: ModuleManifest = {
  name: 'kiosks',
  messages: [messages],
  routes: (config) => kioskRoutes(config),
};
