/**
 * The notifications module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { notificationRoutes as routes } from './routes.js';
import { startOutboxWorker, stopOutboxWorker } from './worker.js';
export { notificationRoutes } from './routes.js';
export { failedMailCount, queueMail } from './service.js';
export type { QueueMailInput } from './service.js';
export type { MailTemplate } from './service.js';
export { startOutboxWorker, stopOutboxWorker } from './worker.js';

export const notifications: ModuleManifest = {
  name: 'notifications',
  messages: [messages],
  routes: () => [routes()],
  start: (config) => startOutboxWorker(config),
  stop: () => stopOutboxWorker(),
};
