import mongoose, { Schema } from 'mongoose';

/**
 * Rollup documents (docs/architecture.md): dashboards over a million tickets read these, kept by `$inc` upserts on
 * write and rebuildable from the source collections (rebuild.ts). Every rollup document has
 *
 * - `_id`: its key as a string, e.g. `2026-11-20|<unitId>|POLI-UMUM|waiting_time|complaint`, so one upsert finds it;
 * - `day`: the agency's local day ('YYYY-MM-DD', the calendar day on the wall in the unit's time zone) and `date`:
 *   that local day as midnight UTC, for range queries (`from`/`to` local days compare without any zone math);
 * - `unitId` and `unitPath` (ObjectIds, the agency first): a subtree is `{ unitPath: unitId }`.
 *
 * Counters live in nested objects whose paths are `$inc`ed (histograms keyed by bucket index, see histogram.ts).
 * The schemas only declare what is queried and indexed; writes go through the driver (`Model.collection`), so
 * dynamic counter paths are never cast or stripped.
 */

const shared = {
  _id: { type: String, required: true },
  day: { type: String, required: true },
  date: { type: Date, required: true },
  unitId: { type: Schema.Types.ObjectId, required: true },
  unitPath: { type: [Schema.Types.ObjectId], required: true },
  agencyCode: { type: String, default: null },
};
const options = { versionKey: false, strict: false } as const;

/**
 * Tickets per day × unit × service × category × kind. Each count sits on the local day of its own event: received
 * on the filing day, verified on the verification day, resolved on the (last) resolution day, and so on.
 * Fields: n.{received, verified, resolved, closed, rejected, merged, reopened}; waitSum, waitCount (citizen-reported
 * waiting minutes), h.{wait, verify, followUp, resolve} (histograms; minutes for wait, hours for the others);
 * clock.{verify, followUp}.{n, ok} (decisions with a known legal due time, and those made by it);
 * rating.{sum, count}.
 */
const ticketRollupSchema = new Schema(
  {
    ...shared,
    serviceCode: { type: String, default: null },
    category: { type: String, default: null },
    kind: { type: String, required: true },
  },
  { ...options, collection: 'rollup_tickets' },
);
ticketRollupSchema.index({ unitPath: 1, date: 1 });
ticketRollupSchema.index({ date: 1 });

/**
 * Survey answers (SKM) per day × unit × service: respondents, sums.<0..8> (per-element sums of answers 1–4),
 * profile.<gender|ageBand|education|occupation>.<code>, flagged (answers with any integrity flag), flags.<flag>.
 */
const surveyRollupSchema = new Schema(
  { ...shared, serviceCode: { type: String, default: null } },
  { ...options, collection: 'rollup_surveys' },
);
surveyRollupSchema.index({ unitPath: 1, date: 1 });
surveyRollupSchema.index({ date: 1 });

/**
 * What each source document last added to the rollups, so that a change adds only the difference (contribution.ts):
 * `_id` is the ticket's id (or `survey:<id>`, a marker that the answer is counted), `revision` the source's revision that contribution was computed
 * from, `contribution` the entries themselves.
 */
const contributionStateSchema = new Schema(
  {
    _id: { type: Schema.Types.Mixed, required: true },
    revision: { type: Number, required: true },
    contribution: { type: Schema.Types.Mixed, default: [] },
  },
  { versionKey: false, strict: false, collection: 'rollup_ticket_state' },
);

/** Progress of a rebuild, so that `--resume` continues after a crash (rebuild.ts). */
const checkpointSchema = new Schema(
  {
    _id: { type: String, required: true },
    phase: { type: String, required: true },
    lastId: { type: Schema.Types.Mixed, default: null },
    done: { type: Number, default: 0 },
    total: { type: Number, default: 0 },
    boundary: { type: Schema.Types.Mixed, default: null },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'rollup_checkpoints' },
);

/**
 * The same counters per calendar month (of local days): `_id` starts with 'YYYY-MM', `day` is the month's first day.
 * A year of a province is a few thousand of these instead of one document per day; reports read whole months here
 * and only the partial months at the ends of a period from the daily documents.
 */
const ticketMonthSchema = ticketRollupSchema.clone();
ticketMonthSchema.set('collection', 'rollup_tickets_monthly');
const surveyMonthSchema = surveyRollupSchema.clone();
surveyMonthSchema.set('collection', 'rollup_surveys_monthly');

/**
 * Survey answers per local day (and per calendar month) × unit *as the top of a subtree*: an answer counts once on
 * its own unit's document and once on each unit above it (`unitId` is that unit, `unitPath` its own path), all
 * services together, with the counters of `rollup_surveys`. A province's IKM over any year is then about forty
 * documents (the whole months and the days at the ends) where the per-unit × service documents were thousands:
 * SecantusDB fetches a document in 100–200 µs (probe, 4 December 2026), so the count of documents is the cost.
 */
const surveyTreeSchema = new Schema({ ...shared }, { ...options, collection: 'rollup_surveys_tree' });
surveyTreeSchema.index({ unitId: 1, date: 1 });
const surveyTreeMonthSchema = surveyTreeSchema.clone();
surveyTreeMonthSchema.set('collection', 'rollup_surveys_tree_monthly');

/**
 * Tickets per calendar month × unit, all services, categories and kinds together: a province's year is a few hundred
 * of these, read whole and summed in memory. Besides the counters of `rollup_tickets` it keeps received tickets per
 * kind (`kinds.<kind>`) and category (`categories.<category|none>`), and waiting times per service
 * (`services.<code|->.{h.wait.<i>, waitSum, waitCount}`).
 */
const unitMonthSchema = new Schema({ ...shared }, { ...options, collection: 'rollup_tickets_unit_monthly' });
unitMonthSchema.index({ unitPath: 1, date: 1 });
// Every unit at once (the transparency page): without it, a period's days were a scan of the whole collection.
unitMonthSchema.index({ date: 1 });
/** The same summaries per local day × unit, for weekly trends and the partial months at the ends of a period. */
const unitDaySchema = unitMonthSchema.clone();
unitDaySchema.set('collection', 'rollup_tickets_unit_daily');

export const TicketRollup = mongoose.model('TicketRollup', ticketRollupSchema);
export const TicketUnitMonthRollup = mongoose.model('TicketUnitMonthRollup', unitMonthSchema);
export const TicketUnitDayRollup = mongoose.model('TicketUnitDayRollup', unitDaySchema);
export const SurveyRollup = mongoose.model('SurveyRollup', surveyRollupSchema);
export const TicketMonthRollup = mongoose.model('TicketMonthRollup', ticketMonthSchema);
export const SurveyMonthRollup = mongoose.model('SurveyMonthRollup', surveyMonthSchema);
export const SurveyTreeRollup = mongoose.model('SurveyTreeRollup', surveyTreeSchema);
export const SurveyTreeMonthRollup = mongoose.model('SurveyTreeMonthRollup', surveyTreeMonthSchema);
export const ContributionState = mongoose.model('ContributionState', contributionStateSchema);
export const RollupCheckpoint = mongoose.model('RollupCheckpoint', checkpointSchema);

export const rollupModels = {
  tickets: TicketRollup,
  surveys: SurveyRollup,
  ticketsMonthly: TicketMonthRollup,
  surveysMonthly: SurveyMonthRollup,
  ticketsUnitMonthly: TicketUnitMonthRollup,
  ticketsUnitDaily: TicketUnitDayRollup,
  surveysTree: SurveyTreeRollup,
  surveysTreeMonthly: SurveyTreeMonthRollup,
} as const;
/** Which rollup collection an entry of a contribution goes to. */
export type RollupTarget = keyof typeof rollupModels;
