import { DeleteObjectCommand, GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { Config } from '../../../config.js';
import { Tap, type AttachmentStore } from './store.js';

/** The S3 part size: the least S3 allows, and the most of one file the store holds in memory at a time. */
const PART_BYTES = 5 * 1024 * 1024;

export type S3Settings = NonNullable<Config['attachmentsS3']>;

/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph, a provider's object storage) as the attachment store. Objects are
 * named `<prefix><key>`, private (no ACL is set: the bucket's own policy applies, which should deny public reads),
 * with the file's real type. Without an access key in the settings the SDK's usual chain applies (AWS_* variables,
 * an instance role).
 */
export function s3Store(settings: S3Settings): AttachmentStore {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    // Checksums only where S3 requires them: several S3-compatible servers refuse the newer checksum headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const objectKey = (key: string) => `${settings.prefix}${key}`;
  const remove = (key: string) =>
    client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: objectKey(key) }));
  return {
    kind: 's3',
    async put(key, source, meta) {
      const tap = new Tap();
      source.on('error', (error) => tap.destroy(error));
      const upload = new Upload({
        client,
        params: { Bucket: settings.bucket, Key: objectKey(key), Body: source.pipe(tap), ContentType: meta.type },
        queueSize: 1,
        partSize: PART_BYTES,
        // A failed multipart upload is aborted, so no part is left behind (and billed) under the key.
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        // A single-part upload that failed stored nothing; removing the key as well covers a failure after S3 had it.
        await remove(key).catch(() => undefined);
        throw error;
      }
      return { size: tap.size, sha256: tap.digest() };
    },
    async open(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: objectKey(key) }));
        return { stream: object.Body as Readable, size: Number(object.ContentLength ?? 0) };
      } catch (error) {
        if (
          error instanceof S3ServiceException &&
          (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)
        )
          return null;
        throw error;
      }
    },
    async delete(key) {
      await remove(key); // S3 answers a delete of a missing object with success
    },
  };
}
