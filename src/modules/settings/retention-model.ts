import mongoose, { Schema } from 'mongoose';

/** An agency's retention periods in days (retention.ts); absent fields fall back to the defaults there. */
const retentionSchema = new Schema(
  {
    _id: { type: String, required: true }, // the agency code
    contactDays: { type: Number, default: null },
    attachmentDays: { type: Number, default: null },
    evidenceDays: { type: Number, default: null },
    updatedBy: { type: String, default: null },
    updatedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'agency_retention' },
);

export const AgencyRetention = mongoose.model('AgencyRetention', retentionSchema);
