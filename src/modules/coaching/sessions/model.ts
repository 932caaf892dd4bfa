import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { person, type Person } from '../schema-parts.js';

/**
 * Coaching sessions (dialog kinerja) and the actions agreed in them (docs/domain.md, "Coaching record").
 */

const topicSchema = new Schema(
  {
    kind: { type: String, enum: ['finding', 'ticket'], required: true },
    /** The finding id or the ticket id. */
    refId: { type: Schema.Types.ObjectId, required: true },
    /** What the page shows: the ticket code and the category (never the complainant). */
    label: { type: String, required: true },
  },
  { _id: false },
);

const sessionSchema = new Schema(
  {
    officerId: { type: Schema.Types.ObjectId, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    timeZone: { type: String, required: true },
    /** The day the session was held, on the agency's wall clock ('YYYY-MM-DD'), and its start as an instant. */
    date: { type: String, required: true },
    at: { type: Date, required: true },
    coach: person,
    topics: { type: [topicSchema], default: [] },
    notes: { type: String, default: '' },
  },
  { collection: 'coaching_sessions', timestamps: true },
);
sessionSchema.index({ officerId: 1, at: -1 });
export type SessionDoc = Omit<InferSchemaType<typeof sessionSchema>, 'coach'> & {
  _id: Types.ObjectId;
  coach: Person;
  createdAt: Date;
};
export const CoachingSession = mongoose.model('CoachingSession', sessionSchema);

/**
 * An agreed action: its own document, so that the reminder job claims each one with one atomic update
 * (`remindedAt: null` → now) and so that open actions are one indexed query.
 */
const actionSchema = new Schema(
  {
    sessionId: { type: Schema.Types.ObjectId, required: true, index: true },
    officerId: { type: Schema.Types.ObjectId, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    text: { type: String, required: true },
    /** Who carries it out: the officer or the coach. */
    owner: { type: String, enum: ['officer', 'coach'], required: true },
    ownerName: { type: String, required: true },
    coachUserId: { type: Schema.Types.ObjectId, required: true },
    /** Due by the end of this local day; the reminder goes out from 07:00 that day on the agency's wall clock. */
    dueDate: { type: String, required: true },
    dueAt: { type: Date, required: true },
    remindAt: { type: Date, required: true },
    remindedAt: { type: Date, default: null },
    done: { type: Boolean, default: false },
    doneAt: { type: Date, default: null },
    doneBy: { type: String, default: null },
  },
  { collection: 'coaching_actions', timestamps: true },
);
actionSchema.index({ officerId: 1, done: 1, dueAt: 1 });
actionSchema.index({ done: 1, remindedAt: 1, remindAt: 1 });
export type ActionDoc = InferSchemaType<typeof actionSchema> & { _id: Types.ObjectId };
export const CoachingAction = mongoose.model('CoachingAction', actionSchema);
