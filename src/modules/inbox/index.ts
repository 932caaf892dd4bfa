/**
 * The inbox module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import { attachInboxGateway as attach } from './gateway.js';
import messages from './messages.js';
export { attachInboxGateway, staffSocketOptions } from './gateway.js';
export type { InboxGateway } from './gateway.js';

export const inbox: ModuleManifest = {
  name: 'inbox',
  messages: [messages],
  gateways: (io, { config, sessionMiddleware }) => [attach(io, { sessionMiddleware, publicUrl: config.publicUrl })],
};
