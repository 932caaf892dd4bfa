/**
 * The notifications module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { GaugeSpec } from '../../platform/metrics.js';
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { Outbox } from './model.js';
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
  metrics: () => outboxGauges,
};

/** The outbox's backlog for /metrics: mail waiting (queued, retry), given up on (failed), and the oldest wait. */
const outboxGauges: GaugeSpec[] = [
  {
    name: 'suara_outbox_messages',
    help: 'Mail in the outbox by status (queued, retry, failed); sent mail is not counted',
    labelNames: ['status'],
    collect: async (set) => {
      for (const status of ['queued', 'retry', 'failed'] as const)
        set(await Outbox.countDocuments({ status }), { status });
    },
  },
  {
    name: 'suara_outbox_oldest_waiting_seconds',
    help: 'How long the oldest mail still to send (queued or retry) has waited (0 when none waits)',
    collect: async (set) => {
      const oldest = await Outbox.findOne({ status: { $in: ['queued', 'retry'] } }, { queuedAt: 1 })
        .sort({ queuedAt: 1 })
        .lean();
      set(oldest ? Math.max(0, (Date.now() - oldest.queuedAt.getTime()) / 1000) : 0);
    },
  },
];
