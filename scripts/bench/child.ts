import { pathToFileURL } from 'node:url';

/**
 * Runs a server under test (argv[2], a module path) as a child of the bench, and ends it when the bench goes away
 * in any way (the IPC channel closes even on kill -9), so that no server is left behind holding a port.
 * The module itself handles SIGTERM by shutting down gracefully (src/server.ts and floor-server.ts both do).
 */
const entry = process.argv[2];
if (!entry) throw new Error('usage: child.ts <server module>');
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
await import(pathToFileURL(entry).href);
