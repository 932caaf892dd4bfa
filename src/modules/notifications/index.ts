/**
 * The notifications module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { notificationRoutes } from './routes.js';
export { queueMail } from './service.js';
export type { MailTemplate } from './service.js';
export { startOutboxWorker, stopOutboxWorker } from './worker.js';
