import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

const byWhom = new Schema(
  { userId: { type: Schema.Types.ObjectId, required: true }, name: { type: String, required: true } },
  { _id: false },
);

/**
 * "You said, we did": a short public pair written or approved by a unit head from a resolved public ticket. Only
 * this moderated text ever reaches the display and the transparency page, never the ticket's own text.
 */
const showcaseSchema = new Schema(
  {
    ticketId: { type: Schema.Types.ObjectId, required: true, unique: true },
    kind: { type: String, required: true }, // the ticket's kind: a compliment shows as a compliment
    unitId: { type: Schema.Types.ObjectId, required: true },
    unitCode: { type: String, required: true },
    unitName: { type: String, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true, index: true },
    youSaid: { type: String, required: true, maxlength: 300 },
    weDid: { type: String, default: '', maxlength: 300 },
    status: { type: String, enum: ['approved', 'withdrawn'], required: true },
    approvedBy: { type: byWhom, required: true },
    approvedAt: { type: Date, required: true },
  },
  { timestamps: true, collection: 'showcase_items' },
);
showcaseSchema.index({ status: 1, approvedAt: -1 });

export type ShowcaseDoc = InferSchemaType<typeof showcaseSchema> & { _id: Types.ObjectId };
export const ShowcaseItem = mongoose.model('ShowcaseItem', showcaseSchema);
