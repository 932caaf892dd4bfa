import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { SKM_ELEMENTS } from '../../surveys/index.js';

const byWhom = new Schema(
  { userId: { type: Schema.Types.ObjectId, required: true }, name: { type: String, required: true } },
  { _id: false },
);

/**
 * A planned action on one of the weakest SKM elements of a period (rencana tindak lanjut): recorded by the unit
 * head, completed later; the next period's report shows it beside that element's change.
 */
const followUpSchema = new Schema(
  {
    unitId: { type: Schema.Types.ObjectId, required: true },
    unitCode: { type: String, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true, index: true },
    serviceCode: { type: String, default: null },
    /** The period whose results prompted the action: local days, `to` inclusive ('YYYY-MM-DD'). */
    periodFrom: { type: String, required: true },
    periodTo: { type: String, required: true },
    element: { type: String, enum: SKM_ELEMENTS, required: true },
    /** The element's mean in that period, when the action was planned. */
    baselineMean: { type: Number, default: null },
    action: { type: String, required: true, maxlength: 1000 },
    owner: { type: String, required: true, maxlength: 200 },
    dueDate: { type: String, required: true },
    doneAt: { type: Date, default: null },
    doneNote: { type: String, default: null, maxlength: 1000 },
    createdBy: { type: byWhom, required: true },
    doneBy: { type: byWhom, default: null },
  },
  { timestamps: true, collection: 'analytics_follow_ups' },
);
followUpSchema.index({ unitId: 1, periodTo: -1 });

export type FollowUpDoc = InferSchemaType<typeof followUpSchema> & { _id: Types.ObjectId; createdAt: Date };
export const FollowUp = mongoose.model('FollowUp', followUpSchema);
