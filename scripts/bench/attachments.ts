/**
 * The attachments scenario of `npm run bench` (`BENCH_ONLY=attachments` runs it alone): Suara's memory while 20
 * citizens upload a photo of the largest allowed size (MAX_ATTACHMENT_BYTES, 5 MB) at once, and while 20 people
 * download those photos at once, from the database's file store (GridFS) of the bench's database.
 *
 * Suara runs as `npm start` runs it, in a child process of its own (attachments-server.ts: src/server.ts with a
 * probe that samples process.memoryUsage() every 10 ms). Before each phase a full garbage collection runs and the
 * probe's peaks are reset; after it, they are read. Reported per phase: the peak RSS, heap used and external
 * (Buffer) memory, each also as growth over the phase's start, and the phase's answers and duration; and the memory
 * after the last phase and a collection (what stays). Every download is checked for its full length.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { MAX_ATTACHMENT_BYTES } from '../../src/modules/feedback/attachments/kinds.js';
import { targets } from './scenarios.js';
import type { Settings } from './settings.js';
import { startTarget } from './targets.js';

export const ATTACHMENTS_BENCH_NAME = 'attachments';
const CONCURRENT = Number(process.env.BENCH_ATTACHMENTS_CONCURRENT ?? 20);

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}
interface Peaks extends Memory {
  samples: number;
  /** Right after the garbage collection that ends a phase: the next phase's baseline. */
  afterGc: Memory;
}

interface Phase {
  seconds: number;
  answers: Record<string, number>;
  peakMiB: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  /** Peak over the memory at the phase's start (after a full garbage collection). */
  growthMiB: { rss: number; heapUsed: number; external: number };
}

export interface AttachmentsBenchResult {
  concurrent: number;
  fileBytes: number;
  idleMiB: Phase['peakMiB'];
  /** After the downloads and a full garbage collection: what the phases left behind. */
  afterMiB: Phase['peakMiB'];
  upload: Phase;
  download: Phase & { bytesChecked: number };
}

const MiB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A JPEG of noise just under the limit (noise does not compress, so the size follows the pixels). */
function largestJpeg(): Buffer {
  const width = 1600;
  let height = 1400;
  for (;;) {
    const data = randomBytes(width * height * 4);
    const encoded = Buffer.from(jpeg.encode({ data, width, height }, 100).data);
    if (encoded.length <= MAX_ATTACHMENT_BYTES) {
      if (encoded.length > MAX_ATTACHMENT_BYTES * 0.9) return encoded;
      height = Math.floor((height * (MAX_ATTACHMENT_BYTES * 0.97)) / encoded.length);
    } else height = Math.floor((height * (MAX_ATTACHMENT_BYTES * 0.97)) / encoded.length);
  }
}

/** Resets the probe's peaks and returns those since the previous reset (SIGUSR2, see attachments-server.ts). */
async function peaksSinceLast(pid: number, workDir: string): Promise<Peaks> {
  const file = path.join(workDir, 'attachments-memory.json');
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; !existsSync(file); waited += 20) {
    if (waited > 10_000) throw new Error('attachments bench: the memory probe did not answer');
    await sleep(20);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Peaks;
}

const inMiB = (peaks: Memory) => ({
  rss: MiB(peaks.rss),
  heapUsed: MiB(peaks.heapUsed),
  external: MiB(peaks.external),
  arrayBuffers: MiB(peaks.arrayBuffers),
});

export async function runAttachmentsBench(options: {
  mongodbUri: string;
  workDir: string;
  settings: Settings;
  say: (line: string) => void;
}): Promise<AttachmentsBenchResult> {
  const { say } = options;
  const photo = largestJpeg();
  say(`attachments: ${CONCURRENT} uploads of a ${MiB(photo.length)} MB photo at once, then ${CONCURRENT} downloads`);
  const server = await startTarget(
    { ...targets.suara, name: 'suara-attachments', entry: 'scripts/bench/attachments-server.ts' },
    options,
  );
  try {
    const units = (await (await fetch(`${server.url}/api/v1/units`)).json()) as {
      code: string;
      parentCode: string | null;
    }[];
    const unitCode = units.find((unit) => unit.parentCode)!.code;
    // Idle: what the process holds before any file, after a second of quiet and a full garbage collection.
    await peaksSinceLast(server.pid, options.workDir);
    await sleep(1000);
    let baseline = (await peaksSinceLast(server.pid, options.workDir)).afterGc;
    const idle = baseline;
    const phase = (peaks: Peaks, seconds: number, answers: Record<string, number>): Phase => ({
      seconds: Math.round(seconds * 100) / 100,
      answers,
      peakMiB: inMiB(peaks),
      growthMiB: {
        rss: MiB(peaks.rss - baseline.rss),
        heapUsed: MiB(peaks.heapUsed - baseline.heapUsed),
        external: MiB(peaks.external - baseline.external),
      },
    });
    const count = (answers: Record<string, number>, status: number | string) =>
      (answers[status] = (answers[status] ?? 0) + 1);

    // Upload: each from an address of its own (TRUST_PROXY=1), so the per-network limit does not refuse them.
    const uploadAnswers: Record<string, number> = {};
    const tickets: { code: string; accessToken: string }[] = [];
    let started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, index) => {
        const form = new FormData();
        form.set('kind', 'complaint');
        form.set('unitCode', unitCode);
        form.set('category', 'facilities');
        form.set('description', 'Foto bukti antrean panjang di loket pendaftaran (uji memori lampiran).');
        form.set('privacy', 'confidential');
        form.set('consent', 'true');
        form.set('attachments', new Blob([photo], { type: 'image/jpeg' }), `bukti-${index}.jpg`);
        const response = await fetch(`${server.url}/api/v1/tickets`, {
          method: 'POST',
          body: form,
          headers: { 'X-Forwarded-For': `10.77.${Math.floor(index / 250)}.${(index % 250) + 1}` },
        }).catch(() => null);
        count(uploadAnswers, response?.status ?? 'failed');
        if (response?.status === 201) tickets.push((await response.json()) as { code: string; accessToken: string });
      }),
    );
    const afterUpload = await peaksSinceLast(server.pid, options.workDir);
    const upload = phase(afterUpload, (performance.now() - started) / 1000, { ...uploadAnswers });

    // The attachments' ids, read before the download phase starts (one small request each).
    const files: { url: string; from: string }[] = [];
    for (const [index, ticket] of tickets.entries()) {
      const from = `10.78.${Math.floor(index / 250)}.${(index % 250) + 1}`;
      const view = (await (
        await fetch(`${server.url}/api/v1/tickets/${ticket.code}`, {
          headers: { 'X-Access-Token': ticket.accessToken, 'X-Forwarded-For': from },
        })
      ).json()) as { attachments: { id: string }[] };
      files.push({
        url: `${server.url}/track/${ticket.code}/attachments/${view.attachments[0]!.id}?token=${ticket.accessToken}`,
        from,
      });
    }
    baseline = (await peaksSinceLast(server.pid, options.workDir)).afterGc;
    const downloadAnswers: Record<string, number> = {};
    let bytesChecked = 0;
    started = performance.now();
    await Promise.all(
      files.map(async ({ url, from }) => {
        const response = await fetch(url, { headers: { 'X-Forwarded-For': from } }).catch(() => null);
        if (!response?.ok || !response.body) return count(downloadAnswers, response?.status ?? 'failed');
        let length = 0;
        for await (const chunk of response.body) length += (chunk as Uint8Array).length;
        count(downloadAnswers, length === Number(response.headers.get('content-length')) ? 200 : 'short');
        bytesChecked += length;
      }),
    );
    const afterDownload = await peaksSinceLast(server.pid, options.workDir);
    const download = phase(afterDownload, (performance.now() - started) / 1000, downloadAnswers);
    const result = {
      concurrent: CONCURRENT,
      fileBytes: photo.length,
      idleMiB: inMiB(idle),
      afterMiB: inMiB(afterDownload.afterGc),
      upload,
      download: { ...download, bytesChecked },
    };
    say(formatAttachmentsBench(result));
    return result;
  } finally {
    await server.stop();
  }
}

export function formatAttachmentsBench(result: AttachmentsBenchResult): string {
  const line = (name: string, phase: Phase) =>
    `  ${name.padEnd(9)} ${phase.seconds.toFixed(2)} s, answers ${JSON.stringify(phase.answers)}; peak RSS ` +
    `${phase.peakMiB.rss} MiB (+${phase.growthMiB.rss}), heap used ${phase.peakMiB.heapUsed} MiB ` +
    `(+${phase.growthMiB.heapUsed}), external ${phase.peakMiB.external} MiB (+${phase.growthMiB.external})`;
  return [
    `Attachments: ${result.concurrent} at once, ${MiB(result.fileBytes)} MiB each (database file store)`,
    `  idle      RSS ${result.idleMiB.rss} MiB, heap used ${result.idleMiB.heapUsed} MiB, external ${result.idleMiB.external} MiB`,
    line('upload', result.upload),
    line('download', result.download) + `; ${MiB(result.download.bytesChecked)} MiB received in full`,
    `  after     RSS ${result.afterMiB.rss} MiB, heap used ${result.afterMiB.heapUsed} MiB, external ${result.afterMiB.external} MiB (after a full GC)`,
  ].join('\n');
}
