import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Suara as `npm start` runs it (src/server.ts), with a memory probe for the attachments bench (attachments.ts):
 * process.memoryUsage() is sampled every 10 ms, and on SIGUSR2 the peaks since the previous signal are written to
 * `attachments-memory.json` in the working directory (the bench's throwaway folder), a full garbage collection runs
 * (so that what the previous phase left unreferenced is not counted in the next), and the peaks start again from the
 * memory after it (`afterGc` in the file, the baseline of the next phase).
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
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
  const phase = peaks;
  collectGarbage();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  peaks = fresh();
  writeFileSync(`${file}.part`, JSON.stringify({ ...phase, afterGc: { rss, heapUsed, external, arrayBuffers } }));
  renameSync(`${file}.part`, file); // whole or not at all for the bench reading it
});
await import('../../src/server.js');
