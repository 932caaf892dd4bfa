/**
 * The inbox module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { attachInboxGateway, staffSocketOptions } from './gateway.js';
export type { InboxGateway } from './gateway.js';
