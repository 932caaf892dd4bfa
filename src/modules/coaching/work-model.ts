import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * The coaching work of DESIGN.md section 3: coaching sessions (dialog kinerja) with their agreed actions, the
 * development plan (suggestions made by rules kept as data, training records) and periodic evaluations.
 */

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
export type EvaluationPeriod = (typeof evaluationPeriods)[number];

const person = { userId: { type: Schema.Types.ObjectId, required: true }, name: { type: String, required: true } };

// ---- Sessions and actions

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
interface Person {
  userId: Types.ObjectId;
  name: string;
}
interface Localized {
  id: string;
  en: string;
}
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

// ---- Development plan

const localized = { id: { type: String, required: true }, en: { type: String, required: true } };

/**
 * A rule of the development plan, kept as data (seeded by `ensureCoachingRules`, editable): when at least
 * `minCount` findings with one of `outcomes` in `category` were recorded about an officer within `windowDays`,
 * suggest `competency` and `training`.
 */
const ruleSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    category: { type: String, required: true },
    outcomes: { type: [String], default: ['substantiated', 'partially_substantiated'] },
    minCount: { type: Number, required: true, min: 1 },
    windowDays: { type: Number, required: true, min: 1 },
    competency: localized,
    training: localized,
    jp: { type: Number, default: null },
    active: { type: Boolean, default: true },
  },
  { collection: 'coaching_rules', timestamps: true },
);
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

// ---- Evaluations

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

/** Per agency (root unit): how often officers are evaluated. Without a document: quarterly. */
const settingSchema = new Schema(
  {
    agencyId: { type: Schema.Types.ObjectId, required: true, unique: true },
    evaluationPeriod: { type: String, enum: evaluationPeriods, default: 'quarterly' },
  },
  { collection: 'coaching_settings', timestamps: true },
);
export const CoachingSetting = mongoose.model('CoachingSetting', settingSchema);
