import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { ELEMENT_COUNT } from './ikm.js';

/** Respondent profile codes (PermenPANRB 14/2017 questionnaire); labels live in messages.ts. */
export const genders = ['male', 'female'] as const;
export const ageBands = ['under_20', '20_29', '30_39', '40_49', '50_59', '60_plus'] as const;
export const educations = ['sd', 'smp', 'sma', 'd1_d3', 'd4_s1', 's2', 's3'] as const;
export const occupations = [
  'civil_servant', // PNS
  'military', // TNI
  'police', // POLRI
  'private_employee', // swasta
  'self_employed', // wirausaha
  'student', // pelajar/mahasiswa
  'other', // lainnya
] as const;
/** How an answer arrived: the citizen's own device (form), the JSON API, or an agency's counter kiosk. */
export const channels = ['form', 'api', 'kiosk'] as const;

/**
 * Integrity indicators (docs/domain.md#gaming-the-index): evidence kept on every response and shown
 * beside the IKM, never a reason to drop an answer silently. See `integrityOf` in integrity.ts for each rule.
 */
export const integrityFlags = [
  'fresh_device', // no device cookie came with the answer: a new browser, private mode, or a script
  'no_form_token', // a form post without a valid rendered-at token (time to complete unknown)
  'too_fast', // submitted sooner after the form was rendered than a person can read nine questions
  'all_top', // every answer is the best one
  'burst', // many answers for the unit in the last few minutes
  'same_network', // several answers for the unit from one network within the hour
  'repeat_device', // this device already answered the unit (another service) within a day
  'outside_hours', // submitted outside the unit's opening hours (only when those are known)
  'kiosk_pace', // a counter kiosk's answer sooner after its previous answer than a new person can have answered
  'kiosk_top_share', // most of a counter kiosk's recent answers are all-top
] as const;
export type IntegrityFlag = (typeof integrityFlags)[number];

/**
 * The respondent's profile. The citizen's own form and the API require all four fields (schemas.ts); at a counter
 * kiosk each may be left out, and a missing field is counted nowhere (the IKM uses the nine answers only).
 */
const respondentSchema = new Schema(
  {
    gender: { type: String, enum: genders },
    ageBand: { type: String, enum: ageBands },
    education: { type: String, enum: educations },
    occupation: { type: String, enum: occupations },
  },
  { _id: false },
);

const integritySchema = new Schema(
  {
    /** Keyed hashes only: never the device token or the IP address itself. */
    deviceHash: { type: String, default: null },
    networkHash: { type: String, default: null },
    /** Hour (0–23) and ISO weekday (1 = Monday) in the unit's time zone. */
    localHour: { type: Number, required: true },
    localWeekday: { type: Number, required: true },
    /** Null while the unit's opening hours are unknown. */
    withinOpeningHours: { type: Boolean, default: null },
    /** Form rendered → submitted, from the signed hidden field; null when unknown (API, missing token). */
    secondsToComplete: { type: Number, default: null },
    allTop: { type: Boolean, required: true },
    /** Earlier answers counted when this one arrived: for the unit in the burst window, from the same network
     * for the unit within the hour, from the same device for the unit within a day. */
    unitBurst: { type: Number, required: true },
    sameNetwork: { type: Number, required: true },
    sameDevice: { type: Number, required: true },
    /** Counter kiosk answers only (null otherwise): seconds since the kiosk's previous answer, and the kiosk's answers
     * (with how many all-top) within the share window, this one included. */
    kioskGapSeconds: { type: Number, default: null },
    kioskRecent: { type: Number, default: null },
    kioskRecentAllTop: { type: Number, default: null },
    flags: { type: [{ type: String, enum: integrityFlags }], default: [] },
  },
  { _id: false },
);

const surveyResponseSchema = new Schema(
  {
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    unitCode: { type: String, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    agencyCode: { type: String, required: true },
    serviceCode: { type: String, default: null },
    counterCode: { type: String, default: null },
    officerId: { type: Schema.Types.ObjectId, ref: 'Officer', default: null },
    answers: {
      type: [Number],
      required: true,
      validate: {
        validator: (answers: number[]) =>
          answers.length === ELEMENT_COUNT && answers.every((a) => Number.isInteger(a) && a >= 1 && a <= 4),
        message: 'answers must be 9 integers from 1 to 4',
      },
    },
    respondent: { type: respondentSchema, default: () => ({}) },
    /** Free text kept as typed; every view escapes it. */
    comment: { type: String, default: null, maxlength: 1000 },
    channel: { type: String, enum: channels, required: true },
    /** The counter kiosk that took the answer (kiosks module); null for every other channel. */
    kioskId: { type: Schema.Types.ObjectId, default: null },
    submittedAt: { type: Date, required: true },
    /** From an Idempotency-Key header (`api:`) or the form's hidden token (`form:`): a double tap is one answer. */
    idempotencyKey: { type: String, default: null },
    integrity: { type: integritySchema, required: true },
  },
  { versionKey: false, collection: 'survey_responses' },
);
surveyResponseSchema.index({ unitId: 1, submittedAt: -1 });
surveyResponseSchema.index({ unitPath: 1, submittedAt: -1 });
surveyResponseSchema.index(
  { officerId: 1, submittedAt: -1 },
  { partialFilterExpression: { officerId: { $type: 'objectId' } } },
);
surveyResponseSchema.index(
  { idempotencyKey: 1 },
  { unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } },
);
surveyResponseSchema.index({ unitId: 1, 'integrity.networkHash': 1, submittedAt: -1 });
surveyResponseSchema.index(
  { kioskId: 1, submittedAt: -1 },
  { partialFilterExpression: { kioskId: { $type: 'objectId' } } },
);
surveyResponseSchema.index({ unitId: 1, 'integrity.deviceHash': 1, submittedAt: -1 });

export type SurveyResponseDoc = InferSchemaType<typeof surveyResponseSchema> & { _id: Types.ObjectId };
export const SurveyResponse = mongoose.model('SurveyResponse', surveyResponseSchema);

/**
 * One answer per visit: a claim on (device, unit, service) that holds for the visit window. Claiming is one atomic
 * upsert, so two taps racing each other cannot both pass. The TTL index tidies up; the code never trusts TTL timing
 * and compares `expiresAt` itself.
 */
const surveyVisitSchema = new Schema(
  {
    _id: { type: String, required: true },
    idempotencyKey: { type: String, default: null },
    expiresAt: { type: Date, required: true, index: { expires: 0 } },
  },
  { versionKey: false, collection: 'survey_visits' },
);
export const SurveyVisit = mongoose.model('SurveyVisit', surveyVisitSchema);
