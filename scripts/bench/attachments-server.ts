import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Suara as `npm start` runs it (src/server.ts), with a memory probe for the attachments bench (attachments.ts):
 * process.memoryUsage() is sampled every 10 ms, and on SIGUSR2 the peaks since the previous signal are written to
 * `attachments-memory.json` in the working directory (the bench's throwaway folder) and start again.
 */
interface Peaks {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  samples: number;
}
const fresh = (): Peaks => ({ rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0, samples: 0 });
let peaks = fresh();
setInterval(() => {
  const now = process.memoryUsage();
  peaks = {
    rss: Math.max(peaks.rss, now.rss),
    heapUsed: Math.max(peaks.heapUsed, now.heapUsed),
    external: Math.max(peaks.external, now.external),
    arrayBuffers: Math.max(peaks.arrayBuffers, now.arrayBuffers),
    samples: peaks.samples + 1,
  };
}, 10).unref();
process.on('SIGUSR2', () => {
  const file = path.join(process.cwd(), 'attachments-memory.json');
  writeFileSync(`${file}.part`, JSON.stringify({ ...peaks, at: Date.now() }));
  renameSync(`${file}.part`, file); // whole or not at all for the bench reading it
  peaks = fresh();
});
await import('../../src/server.js');
