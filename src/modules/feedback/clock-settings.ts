import Joi from 'joi';
import mongoose, { Schema } from 'mongoose';
import { assertCan, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { AppError } from '../../platform/errors.js';
import { countWrites, keptLookups } from '../../platform/shared-answers.js';
import { check } from '../../platform/validate.js';
import { calendarFor } from '../calendar/index.js';
import { findUnitByCode } from '../directory/index.js';
import { activeCategories } from './categories.js';
import { clockDefaults } from './statuses.js';

/**
 * An agency's clock lengths (docs/domain.md#clocks): how many working days its tickets get to be verified, followed
 * up, resolved, how long a resolved ticket waits for the citizen before it closes itself, and how often a lasting
 * breach climbs one unit further up the tree. The legal clocks may be shortened, never lengthened past the
 * regulation's maximum (`clockDefaults`); the other two stay within bounds that keep them useful. A change applies
 * to deadlines set from then on; a deadline already stored stays.
 */

export const clockLengthKeys = [
  'verifyWorkingDays',
  'followUpWorkingDays',
  'resolveWorkingDays',
  'autoCloseWorkingDays',
  'escalateAgainWorkingDays',
] as const;
export type ClockLengthKey = (typeof clockLengthKeys)[number];
export type ClockLengths = Record<ClockLengthKey, number>;

/**
 * While a breach lasts, it climbs one unit further up the tree each this many working days, unless the agency set
 * another.
 */
export const ESCALATE_AGAIN_WORKING_DAYS = 2;

/**
 * Working days, both ends included. Verify, follow-up and resolve: 1 up to the legal maximum. Auto-close: at least
 * 5, so that a citizen has a working week to answer the resolution, at most 30. Escalate again: 1 to 10, so that a
 * breach always reaches the agency's heads within weeks.
 */
export const clockBounds: Record<ClockLengthKey, { min: number; max: number; default: number }> = {
  verifyWorkingDays: { min: 1, max: clockDefaults.verifyWorkingDays, default: clockDefaults.verifyWorkingDays },
  followUpWorkingDays: { min: 1, max: clockDefaults.followUpWorkingDays, default: clockDefaults.followUpWorkingDays },
  resolveWorkingDays: { min: 1, max: clockDefaults.resolveWorkingDays, default: clockDefaults.resolveWorkingDays },
  autoCloseWorkingDays: { min: 5, max: 30, default: clockDefaults.autoCloseWorkingDays },
  escalateAgainWorkingDays: { min: 1, max: 10, default: ESCALATE_AGAIN_WORKING_DAYS },
};

export const nationalClockLengths: Readonly<ClockLengths> = Object.freeze(
  Object.fromEntries(clockLengthKeys.map((key) => [key, clockBounds[key].default])) as ClockLengths,
);

const clockSettingsSchema = new Schema(
  {
    _id: { type: String, required: true }, // the agency code
    ...Object.fromEntries(clockLengthKeys.map((key) => [key, { type: Number, default: null }])),
    updatedBy: { type: String, default: null },
    updatedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: 'feedback_clock_settings' },
);
const clockSettingsWrites = countWrites(clockSettingsSchema);
export const ClockSettings = mongoose.model('ClockSettings', clockSettingsSchema);

/**
 * Read by every deadline set: kept like the directory's lookups. This process forgets at once what it changes
 * itself; another process sees a change within LOOKUP_TTL_MS (5 s).
 */
const lengthLookups = keptLookups<ClockLengths>(clockSettingsWrites, 1_000);

/** The agency's clock lengths in working days: its own where it set them, the national ones otherwise. */
export async function clockLengthsFor(agencyCode: string | null | undefined): Promise<ClockLengths> {
  if (!agencyCode) return nationalClockLengths;
  return lengthLookups.get(agencyCode, async () => {
    const saved = await ClockSettings.findById(agencyCode).lean<Partial<Record<ClockLengthKey, number | null>>>();
    // A value outside today's bounds (saved before they narrowed) never lengthens a clock past them.
    return Object.fromEntries(
      clockLengthKeys.map((key) => {
        const value = saved?.[key];
        const { min, max, default: fallback } = clockBounds[key];
        return [key, typeof value === 'number' ? Math.min(max, Math.max(min, value)) : fallback];
      }),
    ) as ClockLengths;
  });
}

/** Working days to verify a ticket: the category's own limit where it is shorter than the agency's, never longer. */
export async function verifyWorkingDaysFor(
  agencyCode: string | null | undefined,
  category?: { verifyWorkingDays?: number | null } | null,
): Promise<number> {
  const { verifyWorkingDays } = await clockLengthsFor(agencyCode);
  return Math.min(category?.verifyWorkingDays || Infinity, verifyWorkingDays);
}

/** A clock that an action starts, with a due time. */
export type StartedClock = 'verify' | 'followUp' | 'resolve' | 'autoClose';

/**
 * What may shorten a clock below the agency's length: the ticket's category (verify), its service's standard
 * (resolve).
 */
export interface ClockLimits {
  category?: string | null;
  /** The service's completion standard in working days; 0 or none promises nothing. */
  serviceDays?: number | null;
}

/**
 * Working days a clock started now runs: the agency's length, or the category's verify limit or the service's
 * completion standard where that is shorter, never longer.
 */
export async function workingDaysFor(
  clock: StartedClock,
  agencyCode: string | null | undefined,
  limits: ClockLimits = {},
): Promise<number> {
  const own = (await clockLengthsFor(agencyCode))[`${clock}WorkingDays`];
  if (clock === 'verify' && limits.category) {
    const category = (await activeCategories()).find((candidate) => candidate.code === limits.category);
    return Math.min(category?.verifyWorkingDays || Infinity, own);
  }
  if (clock === 'resolve') return Math.min(limits.serviceDays || Infinity, own);
  return own;
}

/** When a clock started at `now` falls due, in the calendar and with the lengths of the agency of `place`. */
export async function dueFor(
  clock: StartedClock,
  place: { agencyCode: string; timeZone: string },
  now: Date,
  limits: ClockLimits = {},
): Promise<Date> {
  const [calendar, workingDays] = await Promise.all([
    calendarFor(place),
    workingDaysFor(clock, place.agencyCode, limits),
  ]);
  return calendar.dueAfterWorkingDays(now, workingDays);
}

/** The message keys are snake case, as platform/validate.ts recognises them. */
const boundsMessage: Record<ClockLengthKey, string> = {
  verifyWorkingDays: 'clocks.settings.verify_bounds',
  followUpWorkingDays: 'clocks.settings.follow_up_bounds',
  resolveWorkingDays: 'clocks.settings.resolve_bounds',
  autoCloseWorkingDays: 'clocks.settings.auto_close_bounds',
  escalateAgainWorkingDays: 'clocks.settings.escalate_again_bounds',
};

export const clockLengthsInput = Joi.object(
  Object.fromEntries(
    clockLengthKeys.map((key) => [
      key,
      Joi.number()
        .integer()
        .min(clockBounds[key].min)
        .max(clockBounds[key].max)
        .messages(
          Object.fromEntries(
            ['number.base', 'number.integer', 'number.min', 'number.max', 'number.unsafe', 'number.infinity'].map(
              (type) => [type, boundsMessage[key]],
            ),
          ),
        ),
    ]),
  ),
);

/** Only a root unit is an agency; an unknown code or a unit below one reads as not found. */
async function agencyUnit(agencyCode: string) {
  const unit = typeof agencyCode === 'string' ? await findUnitByCode(agencyCode) : null;
  if (!unit || unit.parentId || unit.code !== unit.agencyCode) throw new AppError('not_found');
  return unit;
}

/**
 * An admin of the agency changes some of its clock lengths (absent ones stay), each within its bounds; audited
 * with before and after. Deadlines already set stay as they are.
 */
export async function setClockLengths(
  actor: Actor | undefined,
  agencyCode: string,
  raw: unknown,
): Promise<ClockLengths> {
  if (!actor) throw new AppError('unauthenticated');
  const unit = await agencyUnit(agencyCode);
  assertCan(actor, 'directory.manage', { unitPath: unit.path });
  const change = check(clockLengthsInput, raw ?? {}) as Partial<ClockLengths>;
  const before = await clockLengthsFor(unit.code);
  // Only the lengths given are written, so two admins changing different lengths at once both keep theirs.
  await ClockSettings.updateOne(
    { _id: unit.code },
    { $set: { ...change, updatedBy: actor.id, updatedAt: new Date() } },
    { upsert: true },
  );
  const after = await clockLengthsFor(unit.code); // this process's write made it read again
  await recordAudit(actor, 'feedback.clock_lengths', unit.code, { before: { ...before }, after }, null, {
    unitPath: unit.path,
  });
  return after;
}
