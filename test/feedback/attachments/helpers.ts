import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { freePort } from '../../../src/platform/embedded-db.js';
import type { AttachmentsS3Settings } from '../../../src/config.js';

/** The records of the files in the database's file store (GridFS bucket `attachments`). */
export const attachmentFiles = () =>
  mongoose.connection.db!.collection<{ _id: string; length: number }>('attachments.files').find().toArray();
export const storedFileCount = () => mongoose.connection.db!.collection('attachments.files').countDocuments();
export const storedChunkCount = () => mongoose.connection.db!.collection('attachments.chunks').countDocuments();

export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Supertest's body as raw bytes, whatever the type. */
export const asBytes = (res: unknown, done: (error: Error | null, body: Buffer) => void) => {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
};

/**
 * A real S3-compatible server for the S3 store's specs: moto's standalone server (PyPI `moto[server]`), found as
 * `moto_server` on PATH or in MOTO_SERVER. Null when it is not installed: those specs then skip and say so.
 */
export function motoServerCommand(): string | null {
  const candidates = [process.env.MOTO_SERVER, 'moto_server'].filter((candidate): candidate is string =>
    Boolean(candidate),
  );
  return candidates.find((candidate) => spawnSync(candidate, ['--help'], { stdio: 'ignore' }).status === 0) ?? null;
}

export interface MotoServer {
  settings: AttachmentsS3Settings;
  stop(): Promise<void>;
}

export async function startMoto(command: string): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`${endpoint}/moto-api/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (attempt > 150 || child.exitCode !== null) throw new Error(`moto_server did not start on ${endpoint}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const bucket = 'suara-attachments';
  await fetch(`${endpoint}/${bucket}`, { method: 'PUT' }); // moto accepts an unsigned CreateBucket
  return {
    settings: {
      bucket,
      endpoint,
      region: 'us-east-1',
      accessKeyId: 'testing',
      secretAccessKey: 'testing',
      prefix: 'attachments/',
      forcePathStyle: true,
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
