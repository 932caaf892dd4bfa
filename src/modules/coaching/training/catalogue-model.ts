import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/** How a course is taught (the kinds of pengembangan kompetensi an agency offers). */
export const trainingMethods = [
  'classroom',
  'e_learning',
  'blended',
  'coaching',
  'mentoring',
  'seminar',
  'internship',
  'self_study',
] as const;
export type TrainingMethod = (typeof trainingMethods)[number];

/**
 * A course of an agency's training catalogue: what the plan's rules suggest and a training record picks, so the
 * same course is named and counted the same way everywhere. Deactivated courses stay for the records that name them.
 */
const courseSchema = new Schema(
  {
    agencyId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    provider: { type: String, required: true },
    jp: { type: Number, required: true, min: 1 },
    method: { type: String, enum: trainingMethods, required: true },
    active: { type: Boolean, default: true },
  },
  { collection: 'coaching_training_courses', timestamps: true },
);
courseSchema.index({ agencyId: 1, title: 1 });
export type CourseDoc = InferSchemaType<typeof courseSchema> & { _id: Types.ObjectId };
export const TrainingCourse = mongoose.model('TrainingCourse', courseSchema);
