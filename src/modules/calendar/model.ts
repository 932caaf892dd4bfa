import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/** libur nasional, cuti bersama (SKB 3 Menteri), or a holiday of one agency only (a regional anniversary, say). */
export const holidayKinds = ['national', 'cuti_bersama', 'local'] as const;
export type HolidayKind = (typeof holidayKinds)[number];

/**
 * A day off on which SLA clocks do not run. `date` is the local calendar day ('YYYY-MM-DD'), the same in every time
 * zone, so Nyepi is one document for WIB, WITA and WIT. `agencyCode` is null for national days and cuti bersama.
 *
 * Removing a holiday keeps the document with `removedAt` set: the start-up seeding only inserts what has never
 * existed, so a national day an admin struck out (the government moved it) stays struck out after a restart.
 */
const holidaySchema = new Schema(
  {
    date: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    name_id: { type: String, required: true, trim: true },
    name: { type: String, required: true, trim: true },
    kind: { type: String, enum: holidayKinds, required: true },
    agencyCode: { type: String, default: null },
    source: { type: String, enum: ['seed', 'admin'], default: 'admin' },
    removedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
holidaySchema.index({ date: 1, agencyCode: 1 }, { unique: true });

export type HolidayDoc = InferSchemaType<typeof holidaySchema> & { _id: Types.ObjectId };
export const Holiday = mongoose.model('Holiday', holidaySchema);
