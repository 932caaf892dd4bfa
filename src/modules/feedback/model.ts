import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { findingOutcomes, kinds, priorities, privacies, statuses, ticketChannels } from './statuses.js';

/** Who did something on a ticket. Staff names stay internal; the citizen's view shows the unit instead. */
const actorSchema = new Schema(
  {
    kind: { type: String, enum: ['citizen', 'staff', 'system'], required: true },
    userId: { type: Schema.Types.ObjectId, default: null },
    name: { type: String, default: null },
  },
  { _id: false },
);

/** Every change appends one entry (docs/domain.md#statuses): the audit trail costs nothing extra. */
const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: { type: actorSchema, required: true },
    action: { type: String, required: true }, // created, status, reply, note, rating, reopen, ...
    from: { type: String, default: null },
    to: { type: String, default: null },
    body: { type: String, default: null },
    /** The citizen's own words, sealed; `body` is then the scrubbed copy (sealed-text.ts). */
    bodySealed: { type: String, default: undefined },
    public: { type: Boolean, required: true },
  },
  { _id: true },
);

/** A stored file (see attachments.ts): metadata stripped, kept in the attachment store under a random key. */
const attachmentSchema = new Schema(
  {
    id: { type: String, required: true },
    storedName: { type: String, required: true },
    originalName: { type: String, default: null },
    type: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    metadata: { type: String, enum: ['removed', 'kept'], required: true },
  },
  { _id: false },
);

/** Contact data is personal data (UU 27/2022): sealed at rest, with keyed hashes for look-ups. */
const reporterSchema = new Schema(
  {
    name: { type: String, default: null },
    email: { type: String, default: null },
    phone: { type: String, default: null },
    emailHash: { type: String, default: null },
    phoneHash: { type: String, default: null },
  },
  { _id: false },
);

const ticketSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    tokenSalt: { type: String, required: true },
    kind: { type: String, enum: kinds, required: true },
    category: { type: String, default: null },
    /** Scrubbed of phone numbers, e-mail addresses and NIKs: what every view reads. */
    description: { type: String, required: true },
    /** The citizen's original text, sealed like contact data (sealed-text.ts); absent on tickets not yet sealed. */
    descriptionSealed: { type: String, default: undefined },
    occurredAt: { type: Date, default: null },
    waitMinutes: { type: Number, default: null },
    unitId: { type: Schema.Types.ObjectId, required: true },
    unitCode: { type: String, required: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    agencyCode: { type: String, required: true },
    timeZone: { type: String, required: true },
    serviceCode: { type: String, default: null },
    counterCode: { type: String, default: null },
    officerIds: { type: [Schema.Types.ObjectId], default: [] },
    /** Set when a named officer heads the unit: decisions belong to this unit above it (conflict.ts). */
    decisionUnitId: { type: Schema.Types.ObjectId, default: null },
    decisionUnitCode: { type: String, default: null },
    privacy: { type: String, enum: privacies, required: true },
    reporter: { type: reporterSchema, default: () => ({}) },
    lang: { type: String, enum: ['id', 'en'], default: 'id' },
    /** How the ticket reached the agency (statuses.ts `ticketChannels`); tickets from before the field read as web. */
    channel: { type: String, enum: ticketChannels, default: 'web' },
    /** The counter kiosk the ticket was filed at (channel 'kiosk'; kiosks module), else null. */
    kioskId: { type: Schema.Types.ObjectId, default: null },
    /** The same report in SP4N-LAPOR!: its tracking number and what LAPOR! last said of it (lapor module). */
    lapor: {
      type: new Schema(
        {
          trackingNumber: { type: String, required: true },
          status: { type: String, default: null },
          disposition: { type: String, default: null },
          updatedAt: { type: Date, default: null },
        },
        { _id: false },
      ),
      default: undefined,
    },
    status: { type: String, enum: statuses, required: true },
    priority: { type: String, enum: priorities, default: 'normal' },
    /** The handler working the ticket (disposisi). */
    assignee: {
      userId: { type: Schema.Types.ObjectId, default: null },
      name: { type: String, default: null },
    },
    /** Bumped by every change: a staff edit based on an older revision is refused, never silently overwritten. */
    revision: { type: Number, default: 0 },
    mergedInto: { type: String, default: null },
    rejectReason: { type: String, default: null },
    /** When the clock was paused (awaiting the citizen), to move the due time on by the paused working days. */
    pausedAt: { type: Date, default: null },
    /** Breaches already escalated, each once per level up the tree: `clock:dueAt[:level]` (statuses.ts `breachKey`). */
    escalated: { type: [String], default: [] },
    history: { type: [historySchema], default: [] },
    /** Due times are stored when the ticket changes, never computed on read (docs/domain.md#clocks). */
    dueAt: { type: Date, default: null },
    /**
     * Which clock `dueAt` belongs to now: verify (after receipt), followUp (after assignment), resolve (after the
     * first public answer), autoClose (after resolution).
     */
    dueClock: {
      type: String,
      enum: ['verify', 'followUp', 'resolve', 'autoClose', 'inform', 'objection', null],
      default: null,
    },
    due: {
      verify: { type: Date, default: null },
      followUp: { type: Date, default: null },
      resolve: { type: Date, default: null },
      autoClose: { type: Date, default: null },
      /** An information request's answer (UU 14/2008): 10 working days from receipt, once extended by 7. */
      inform: { type: Date, default: null },
      /** The superior's answer to an objection (keberatan): 30 working days from when it was lodged. */
      objection: { type: Date, default: null },
    },
    /** The one extension of an information request's answer clock, with the reason the requester is told. */
    extension: {
      at: { type: Date, default: null },
      reason: { type: String, default: null },
      by: { type: String, default: null },
    },
    /** The requester's objection (keberatan) to the answer, the refusal or the silence, and how it was decided. */
    objection: {
      at: { type: Date, default: null },
      grounds: { type: String, enum: ['refused', 'late', 'unsatisfied', null], default: null },
      /** The unit whose heads decide it: the one above the unit that answered the request. */
      unitCode: { type: String, default: null },
      outcome: { type: String, enum: ['upheld', 'dismissed', null], default: null },
      decidedAt: { type: Date, default: null },
    },
    resolvedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    rating: {
      score: { type: Number, default: null },
      comment: { type: String, default: null },
      commentSealed: { type: String, default: undefined },
      at: { type: Date, default: null },
    },
    attachments: { type: [attachmentSchema], default: [] },
    searchTokens: { type: [String], default: [] },
    idempotencyKey: { type: String, default: undefined },
    idempotencyFingerprint: { type: String, default: undefined },
    /** Evidence for abuse review (docs/domain.md#retaliation), as keyed hashes only. */
    evidence: { ipHash: { type: String, default: null }, deviceHash: { type: String, default: null } },
  },
  { timestamps: true },
);
ticketSchema.index({ unitPath: 1, createdAt: -1 });
ticketSchema.index({ 'assignee.userId': 1, createdAt: -1 });
ticketSchema.index({ status: 1, dueAt: 1 });
ticketSchema.index({ unitId: 1, category: 1, status: 1 });
ticketSchema.index({ searchTokens: 1 });
ticketSchema.index({ 'reporter.emailHash': 1 }, { sparse: true });
ticketSchema.index(
  { 'lapor.trackingNumber': 1 },
  { unique: true, partialFilterExpression: { 'lapor.trackingNumber': { $type: 'string' } } },
);
ticketSchema.index(
  { idempotencyKey: 1 },
  { unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } },
);

export type TicketDoc = InferSchemaType<typeof ticketSchema> & {
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export type HistoryEntry = TicketDoc['history'][number];
export const Ticket = mongoose.model('Ticket', ticketSchema);

/**
 * A finding about one tagged officer, recorded by a unit head (or an inspector): the only way a complaint can count
 * against an officer (docs/domain.md#findings-and-fairness). The coaching module reads these through the `finding.recorded` event.
 */
const findingSchema = new Schema(
  {
    ticketId: { type: Schema.Types.ObjectId, required: true, index: true },
    code: { type: String, required: true },
    officerId: { type: Schema.Types.ObjectId, required: true, index: true },
    unitPath: { type: [Schema.Types.ObjectId], required: true },
    category: { type: String, default: null },
    outcome: { type: String, enum: findingOutcomes, required: true },
    note: { type: String, default: '' },
    recordedBy: { userId: { type: Schema.Types.ObjectId, required: true }, name: { type: String, required: true } },
    /** The officer's answer (hak jawab), given once. */
    answer: { body: { type: String, default: null }, at: { type: Date, default: null } },
  },
  { timestamps: true },
);
findingSchema.index({ ticketId: 1, officerId: 1 }, { unique: true });
export type FindingDoc = InferSchemaType<typeof findingSchema> & { _id: Types.ObjectId; createdAt: Date };
export const Finding = mongoose.model('Finding', findingSchema);
