import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { countedOutcomes } from '../../feedback/index.js';
import { localized, type Localized } from '../schema-parts.js';

/** The development plan's rules (kept as data) and the suggestions they make. */

/**
 * A rule of the development plan, kept as data: when at least `minCount` findings with one of `outcomes` in
 * `category` were recorded about an officer within `windowDays`, suggest `competency` and `training`. A rule without
 * `agencyId` is a national default (seeded by `ensureCoachingRules`); an agency's rule with the same `code` replaces
 * it for that agency's officers, and an agency may add rules of its own (rules.ts, `rulesForAgency`).
 */
const ruleSchema = new Schema(
  {
    agencyId: { type: Schema.Types.ObjectId, default: null },
    code: { type: String, required: true },
    category: { type: String, required: true },
    outcomes: { type: [String], default: [...countedOutcomes] },
    minCount: { type: Number, required: true, min: 1 },
    windowDays: { type: Number, required: true, min: 1 },
    competency: localized,
    training: localized,
    jp: { type: Number, default: null },
    /** The agency's catalogue course it suggests (training/catalogue-model.ts); null for a training named in text. */
    courseId: { type: Schema.Types.ObjectId, default: null },
    active: { type: Boolean, default: true },
  },
  { collection: 'coaching_rules', timestamps: true },
);
ruleSchema.index({ agencyId: 1, code: 1 }, { unique: true });
export type RuleDoc = InferSchemaType<typeof ruleSchema> & { _id: Types.ObjectId };
export const CoachingRule = mongoose.model('CoachingRule', ruleSchema);

export const suggestionStatuses = ['suggested', 'accepted', 'dismissed'] as const;

const suggestionSchema = new Schema(
  {
    officerId: { type: Schema.Types.ObjectId, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    ruleCode: { type: String, required: true },
    category: { type: String, required: true },
    /** The findings that made the rule fire: the evidence. */
    findingIds: { type: [Schema.Types.ObjectId], default: [] },
    competency: localized,
    training: localized,
    courseId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: suggestionStatuses, default: 'suggested' },
    /** True when the coach accepted it with a different competency or training. */
    edited: { type: Boolean, default: false },
    reason: { type: String, default: null },
    decidedBy: { type: { userId: Schema.Types.ObjectId, name: String }, default: null },
    decidedAt: { type: Date, default: null },
  },
  { collection: 'coaching_suggestions', timestamps: true },
);
suggestionSchema.index({ officerId: 1, ruleCode: 1, createdAt: -1 });
export type SuggestionDoc = Omit<InferSchemaType<typeof suggestionSchema>, 'competency' | 'training'> & {
  _id: Types.ObjectId;
  competency: Localized;
  training: Localized;
  createdAt: Date;
};
export const PlanSuggestion = mongoose.model('PlanSuggestion', suggestionSchema);
