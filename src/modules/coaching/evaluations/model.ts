import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

import { person, type Person } from '../schema-parts.js';

/** Periodic evaluations of an officer, rated on results and the BerAKHLAK values, and each agency's period. */

export const ratings = ['below', 'as_expected', 'above'] as const;
export type Rating = (typeof ratings)[number];

/** The BerAKHLAK core values (PermenPANRB 6/2022), in their official order. */
export const berakhlakValues = [
  'berorientasi_pelayanan',
  'akuntabel',
  'kompeten',
  'harmonis',
  'loyal',
  'adaptif',
  'kolaboratif',
] as const;
export type BerakhlakValue = (typeof berakhlakValues)[number];

export const evaluationPeriods = ['quarterly', 'semester', 'annual'] as const;
/**
 * How the behaviour rating follows from the seven value ratings (PermenPANRB 6/2022 leaves it to the assessor; see
 * predikat.ts): 'strict' (any below → below; 4 of 7 above → above), 'majority' (the rating most values have), or
 * 'assessor' (the assessor sets it, with a reason).
 */
export const behaviourRules = ['strict', 'majority', 'assessor'] as const;
export type BehaviourRule = (typeof behaviourRules)[number];
export type EvaluationPeriod = (typeof evaluationPeriods)[number];
const ratedSchema = new Schema(
  { rating: { type: String, enum: [...ratings, null], default: null }, reason: { type: String, default: '' } },
  { _id: false },
);

const evaluationSchema = new Schema(
  {
    officerId: { type: Schema.Types.ObjectId, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    timeZone: { type: String, required: true },
    /** 'quarterly' | 'semester' | 'annual', the local dates and a key such as '2026-Q3', '2026-S2', '2026'. */
    period: {
      kind: { type: String, enum: evaluationPeriods, required: true },
      key: { type: String, required: true },
      fromDate: { type: String, required: true },
      toDate: { type: String, required: true },
      from: { type: Date, required: true },
      to: { type: Date, required: true },
    },
    version: { type: Number, required: true, default: 1 },
    /** The version this one replaces, and (once this one is superseded) the one that replaced it. */
    previousId: { type: Schema.Types.ObjectId, default: null },
    supersededBy: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: ['draft', 'signed', 'superseded'], default: 'draft' },
    /** The figures of the period when drafted (record summary and coaching figures), kept as they were. */
    figures: { type: Schema.Types.Mixed, default: {} },
    /** Evidence: the substantiated findings of the period. */
    evidence: {
      type: [
        new Schema(
          {
            findingId: { type: Schema.Types.ObjectId, required: true },
            code: { type: String, required: true },
            category: { type: String, default: null },
            outcome: { type: String, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    results: { type: ratedSchema, default: () => ({}) },
    values: {
      type: new Schema(
        Object.fromEntries(berakhlakValues.map((value) => [value, { type: ratedSchema, default: () => ({}) }])),
        {
          _id: false,
        },
      ),
      default: () => ({}),
    },
    behaviour: { type: String, enum: [...ratings, null], default: null },
    /** How `behaviour` was reached: the agency's rule when the draft was saved, or the assessor's override. */
    behaviourRule: { type: String, enum: behaviourRules, default: 'strict' },
    /** The assessor's own behaviour rating, replacing the derived one; the reason is shown to the officer. */
    behaviourOverride: {
      type: new Schema(
        { rating: { type: String, enum: ratings, required: true }, reason: { type: String, required: true } },
        { _id: false },
      ),
      default: null,
    },
    predikat: { type: String, default: null },
    createdBy: person,
    signedBy: { type: { userId: Schema.Types.ObjectId, name: String }, default: null },
    signedAt: { type: Date, default: null },
    /** Bumped at every change: a save based on an older revision is refused. */
    revision: { type: Number, default: 0 },
  },
  { collection: 'coaching_evaluations', timestamps: true },
);
evaluationSchema.index({ officerId: 1, 'period.key': 1, version: 1 }, { unique: true });
evaluationSchema.index({ officerId: 1, 'period.from': -1 });
export interface EvaluationPeriodDoc {
  kind: EvaluationPeriod;
  key: string;
  fromDate: string;
  toDate: string;
  from: Date;
  to: Date;
}
export type EvaluationDoc = Omit<InferSchemaType<typeof evaluationSchema>, 'period' | 'createdBy'> & {
  _id: Types.ObjectId;
  period: EvaluationPeriodDoc;
  createdBy: Person;
  createdAt: Date;
};
export const Evaluation = mongoose.model('CoachingEvaluation', evaluationSchema);

/** The yearly training target of an officer, in JP, unless the agency sets its own. */
export const DEFAULT_JP_TARGET = 20;

/**
 * Per agency (root unit): how often officers are evaluated, how the behaviour rating is derived, and the yearly JP
 * target. Without a document: quarterly, the strict rule, 20 JP.
 */
const settingSchema = new Schema(
  {
    agencyId: { type: Schema.Types.ObjectId, required: true, unique: true },
    evaluationPeriod: { type: String, enum: evaluationPeriods, default: 'quarterly' },
    behaviourRule: { type: String, enum: behaviourRules, default: 'strict' },
    jpTarget: { type: Number, default: DEFAULT_JP_TARGET },
  },
  { collection: 'coaching_settings', timestamps: true },
);
export const CoachingSetting = mongoose.model('CoachingSetting', settingSchema);
