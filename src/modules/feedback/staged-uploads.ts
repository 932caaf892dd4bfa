import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { lookupHash } from '../../platform/crypto.js';
import type { FieldErrors } from '../../platform/errors.js';
import {
  checkAttachment,
  displayName,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  type AttachmentType,
  type CleanAttachment,
  type MetadataHandling,
  type UploadedFile,
} from './attachments.js';

/**
 * Staged uploads: attachments of a form submission that failed (a mistake in another field, a rate limit, a busy
 * server), kept so that the citizen does not have to choose the photo again. They are bound to one rendering of
 * the form by an unguessable id in a hidden field, hold the file already checked and stripped of its metadata,
 * and live for an hour: a TTL index removes them, bytes and all, so nothing is left on disk to clean up.
 */
export const STAGED_TTL_SECONDS = 3600;
/** Staged files one network may hold at once: room for a waiting room of citizens, not for filling the database. */
export const MAX_STAGED_PER_NETWORK = 30;

const stagedUploadSchema = new Schema(
  {
    _id: String,
    formKey: { type: String, required: true, index: true },
    networkKey: { type: String, required: true, index: true },
    data: { type: Buffer, required: true },
    type: { type: String, required: true },
    size: { type: Number, required: true },
    originalName: String,
    metadata: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date(), expires: STAGED_TTL_SECONDS },
  },
  { versionKey: false, collection: 'staged_uploads' },
);
const StagedUpload = mongoose.model('StagedUpload', stagedUploadSchema);

/** What a form shows of a staged file. */
export interface StagedFile {
  id: string;
  name: string;
  type: AttachmentType;
  size: number;
}

const STAGING_ID = /^[A-Za-z0-9_-]{32}$/;

/** A new id for one form; it travels in a hidden field and is the only key to the files staged under it. */
export const newStagingId = () => randomBytes(24).toString('base64url');

/** The id a form sent back, or null when it is not one we issue. */
export const stagingIdOf = (value: unknown): string | null =>
  typeof value === 'string' && STAGING_ID.test(value) ? value : null;

const formKeyOf = (stagingId: string) => lookupHash(`staged-form:${stagingId}`);

const asStagedFile = (doc: { _id?: string | null; originalName?: string | null; type: string; size: number }) => ({
  id: String(doc._id),
  name: doc.originalName ?? '',
  type: doc.type as AttachmentType,
  size: doc.size,
});

/** The files staged under a form, oldest first. */
export async function stagedFiles(stagingId: string): Promise<StagedFile[]> {
  const docs = await StagedUpload.find({ formKey: formKeyOf(stagingId) })
    .select({ data: 0 })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  return docs.map(asStagedFile);
}

/** The staged files' contents, in the shape intake takes; files whose TTL ran out are simply absent. */
export async function stagedContents(stagingId: string): Promise<CleanAttachment[]> {
  const docs = await StagedUpload.find({ formKey: formKeyOf(stagingId) })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  return docs.map((doc) => ({
    buffer: Buffer.from(doc.data.buffer),
    type: doc.type as AttachmentType,
    size: doc.size,
    ...(doc.originalName ? { originalName: doc.originalName } : {}),
    metadata: doc.metadata as MetadataHandling,
  }));
}

/** Drops the named staged files of a form (ids of other forms are ignored). */
export async function removeStaged(stagingId: string, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await StagedUpload.deleteMany({ formKey: formKeyOf(stagingId), _id: { $in: [...ids] } });
}

/** Drops every staged file of a form, once its ticket has them. */
export async function discardStaged(stagingId: string): Promise<void> {
  await StagedUpload.deleteMany({ formKey: formKeyOf(stagingId) });
}

const problemParams = (name?: string) => ({
  name: name ?? '',
  max: MAX_ATTACHMENTS,
  maxMb: MAX_ATTACHMENT_BYTES / 1024 / 1024,
});

/**
 * Checks newly chosen files one by one and stages those that pass, as far as the form has room (MAX_ATTACHMENTS
 * with the ones already staged). Returns the problems of the others on `field`, so the form can name them.
 */
export async function stageUploads(
  stagingId: string,
  files: readonly UploadedFile[],
  networkKey: string,
  field = 'attachments',
): Promise<FieldErrors> {
  const formKey = formKeyOf(stagingId);
  const problems: FieldErrors = {};
  let room = MAX_ATTACHMENTS - (await StagedUpload.countDocuments({ formKey }));
  let networkRoom = MAX_STAGED_PER_NETWORK - (await StagedUpload.countDocuments({ networkKey }));
  for (const upload of files) {
    const result = checkAttachment(upload.buffer, upload.originalname);
    if (!result.ok) {
      problems[field] ??= { key: result.problem, params: problemParams(displayName(upload.originalname)) };
      continue;
    }
    if (room <= 0) {
      problems[field] ??= { key: 'attachment.too_many', params: problemParams() };
      continue;
    }
    if (networkRoom <= 0) {
      problems[field] ??= { key: 'feedback.staged_full' };
      continue;
    }
    const { file } = result;
    await StagedUpload.create({
      _id: randomBytes(12).toString('base64url'),
      formKey,
      networkKey,
      data: file.buffer,
      type: file.type,
      size: file.size,
      ...(file.originalName ? { originalName: file.originalName } : {}),
      metadata: file.metadata,
    });
    room--;
    networkRoom--;
  }
  return problems;
}
