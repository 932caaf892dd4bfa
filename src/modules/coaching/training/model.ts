import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { person, type Person } from '../schema-parts.js';

/** Training an officer took, counted in JP in the calendar year it ended. */
const trainingSchema = new Schema(
  {
    officerId: { type: Schema.Types.ObjectId, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    title: { type: String, required: true },
    provider: { type: String, required: true },
    /** Local dates ('YYYY-MM-DD'). The JP count in the calendar year of `endDate` (see `trainingYear`). */
    startDate: { type: String, required: true },
    endDate: { type: String, required: true },
    year: { type: Number, required: true },
    jp: { type: Number, required: true },
    /** The catalogue course it was recorded from; null for a training written as free text. */
    courseId: { type: Schema.Types.ObjectId, default: null },
    suggestionId: { type: Schema.Types.ObjectId, default: null },
    recordedBy: person,
  },
  { collection: 'coaching_trainings', timestamps: true },
);
trainingSchema.index({ officerId: 1, year: 1 });
export type TrainingDoc = Omit<InferSchemaType<typeof trainingSchema>, 'recordedBy'> & {
  _id: Types.ObjectId;
  recordedBy: Person;
};
export const Training = mongoose.model('Training', trainingSchema);
