/**
 * The inbox module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { Server } from 'socket.io';
import type { ModuleManifest } from '../../platform/modules.js';
import { STAFF_NAMESPACE } from './events.js';
import { attachInboxGateway as attach } from './gateway.js';
import messages from './messages.js';
export { attachInboxGateway, staffSocketOptions } from './gateway.js';
export type { InboxGateway } from './gateway.js';

/** The Socket.IO server the gateway is attached to, for the connection gauge. */
let server: Server | undefined;

export const inbox: ModuleManifest = {
  name: 'inbox',
  messages: [messages],
  gateways: (io, { config, sessionMiddleware }) => {
    server = io;
    return [attach(io, { sessionMiddleware, publicUrl: config.publicUrl })];
  },
  metrics: () => [
    {
      name: 'suara_inbox_sockets',
      help: 'Staff sockets connected to the live inbox on this process',
      collect: (set) => set(server?.of(STAFF_NAMESPACE).sockets.size ?? 0),
    },
  ],
};
