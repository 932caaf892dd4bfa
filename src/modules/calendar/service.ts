import mongoose from 'mongoose';
import {
  dueAfterWorkingDays,
  extendDue,
  isWorkingDay,
  localDate,
  workingDaysBetween,
  type LocalDate,
} from '../../platform/calendar.js';
import { AppError } from '../../platform/errors.js';
import { logger } from '../../platform/logger.js';
import { check } from '../../platform/validate.js';
import { assertCan, can, scopeOf, type Action, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { findUnitByCode, unitsInScope } from '../directory/index.js';
import { nationalHolidays } from './holidays-data.js';
import { Holiday, type HolidayDoc, type HolidayKind } from './model.js';
import { holidayInput, holidaysQuery, type HolidayInput } from './schemas.js';

/**
 * Who may edit holidays: national ones need the action on every agency (`unitPath: []`, the platform admin), local
 * ones on the agency's own unit (`unitPath: [agencyId]`, an agency admin; an admin of a sub-unit is not enough).
 */
const MANAGE: Action = 'calendar.manage';

/** Calendars shown and seeded use the capital's zone to say which year "this year" is. */
const HOME_ZONE = 'Asia/Jakarta';
export const currentYear = (now = new Date()) => Number(localDate(now, HOME_ZONE).slice(0, 4));

const yearRange = (year: number) => ({ $gte: `${year}-01-01`, $lte: `${year}-12-31` });

// ---------------------------------------------------------------------------------------------------------------
// The holiday sets clocks run on, cached per process.
//
// Every clock computation (each ticket change) needs the set, so it is read from memory. With several processes a
// change made through one of them reaches the others only when their copy expires, so the copy lives a short time
// (CACHE_TTL_MS) and the process that made the change drops its own at once. Holidays are entered days or weeks
// before they fall, so a minute of staleness in another process changes no due date in practice; it costs one small
// query per process per minute (every holiday of every agency, a few dozen documents a year).
// ---------------------------------------------------------------------------------------------------------------

const CACHE_TTL_MS = 60_000;

interface HolidaySnapshot {
  national: LocalDate[];
  localByAgency: Map<string, LocalDate[]>;
}

// Keyed by database name too: a process that switches databases (each test file has its own) never reads another's.
let cached: { loadedAt: number; database: string; snapshot: Promise<HolidaySnapshot> } | null = null;

async function loadSnapshot(): Promise<HolidaySnapshot> {
  const docs = await Holiday.find({ removedAt: null }, { date: 1, agencyCode: 1 }).lean<HolidayDoc[]>();
  const snapshot: HolidaySnapshot = { national: [], localByAgency: new Map() };
  for (const doc of docs) {
    if (!doc.agencyCode) snapshot.national.push(doc.date);
    else snapshot.localByAgency.set(doc.agencyCode, [...(snapshot.localByAgency.get(doc.agencyCode) ?? []), doc.date]);
  }
  return snapshot;
}

function currentSnapshot(): Promise<HolidaySnapshot> {
  const now = Date.now();
  const database = mongoose.connection.name;
  if (!cached || cached.database !== database || now - cached.loadedAt > CACHE_TTL_MS) {
    const snapshot = loadSnapshot();
    const entry = { loadedAt: now, database, snapshot };
    cached = entry;
    // A failed read must not be remembered for a minute.
    snapshot.catch(() => {
      if (cached === entry) cached = null;
    });
  }
  return cached.snapshot;
}

/** Drops this process's copy, so its next clock reads the database (other processes follow within a minute). */
export function forgetCachedHolidays(): void {
  cached = null;
}

/**
 * The days off of an agency: national holidays, cuti bersama and the agency's own local holidays, as local dates.
 * Limited to the years given (inclusive) when given; every year kept otherwise. A null agency gives national only.
 */
export async function holidaysFor(
  agencyCode: string | null,
  fromYear?: number,
  toYear?: number,
): Promise<Set<LocalDate>> {
  const snapshot = await currentSnapshot();
  const dates = [...snapshot.national, ...(agencyCode ? (snapshot.localByAgency.get(agencyCode) ?? []) : [])];
  const from = fromYear !== undefined ? `${fromYear}-01-01` : '0000';
  const to = toYear !== undefined ? `${toYear}-12-31` : '9999';
  return new Set(dates.filter((date) => date >= from && date <= to));
}

/** An agency's working-day calendar with its holidays loaded: what the ticket clocks call. */
export interface BusinessCalendar {
  timeZone: string;
  holidays: ReadonlySet<LocalDate>;
  /** The end of the Nth working day after the local day of `start` (see platform/calendar.ts). */
  dueAfterWorkingDays(start: Date, workingDays: number): Date;
  /** `due` moved on by the working days that ended while the ticket was paused. */
  extendDue(due: Date, pausedFrom: Date, resumedAt: Date): Date;
  /** Whole working days elapsed after the local day of `from`, up to `to`. */
  workingDaysBetween(from: Date, to: Date): number;
  isWorkingDay(instant: Date): boolean;
}

/** The calendar of a unit's agency (`unit.agencyCode`, `unit.timeZone`), with every holiday kept. */
export async function calendarFor(unit: { agencyCode: string; timeZone: string }): Promise<BusinessCalendar> {
  const { timeZone } = unit;
  const holidays = await holidaysFor(unit.agencyCode);
  return {
    timeZone,
    holidays,
    dueAfterWorkingDays: (start, workingDays) => dueAfterWorkingDays(start, workingDays, timeZone, holidays),
    extendDue: (due, pausedFrom, resumedAt) => extendDue(due, pausedFrom, resumedAt, timeZone, holidays),
    workingDaysBetween: (from, to) => workingDaysBetween(from, to, timeZone, holidays),
    isWorkingDay: (instant) => isWorkingDay(localDate(instant, timeZone), holidays),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------------------------------------------

/**
 * Writes the national holidays and cuti bersama of holidays-data.ts that the database has never had; called at
 * start-up and by the demo. Idempotent and safe when several processes start at once. It never changes or revives
 * an existing day, so an admin's correction (a renamed or removed day) survives every restart. Returns how many
 * days it added.
 */
export async function ensureNationalHolidays(): Promise<number> {
  const operations = nationalHolidays.map((holiday) => ({
    updateOne: {
      filter: { date: holiday.date, agencyCode: null },
      update: {
        $setOnInsert: {
          date: holiday.date,
          agencyCode: null,
          name_id: holiday.name_id,
          name: holiday.name,
          kind: holiday.kind,
          source: 'seed',
          removedAt: null,
        },
      },
      upsert: true,
    },
  }));
  let added: number;
  try {
    added = (await Holiday.bulkWrite(operations, { ordered: false })).upsertedCount;
  } catch (error) {
    // Another process inserted the same day between our look and our insert: that day is there, which is the point.
    const writeErrors = (error as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
    const onlyDuplicates = Array.isArray(writeErrors) && writeErrors.every((e) => (e.code ?? e.err?.code) === 11000);
    if (!onlyDuplicates) throw error;
    added = (error as { result?: { upsertedCount?: number } }).result?.upsertedCount ?? 0;
  }
  if (added > 0) {
    forgetCachedHolidays();
    logger.info({ added }, 'national holidays seeded');
  }
  return added;
}

// ---------------------------------------------------------------------------------------------------------------
// Admin and public listings, changes
// ---------------------------------------------------------------------------------------------------------------

export interface HolidayView {
  id: string;
  date: LocalDate;
  name_id: string;
  name: string;
  kind: string;
  agencyCode: string | null;
  canRemove: boolean;
}

/** The agencies (root units) whose local holidays the actor may add and remove. */
async function manageableAgencies(actor: Actor) {
  const units = await unitsInScope(actor, MANAGE);
  return units
    .filter((unit) => !unit.parentId)
    .map((unit) => ({ id: String(unit._id), code: unit.code, name: unit.name }));
}

function canChange(actor: Actor, holiday: { agencyCode: string | null }, agencyIdByCode: Map<string, string>) {
  if (!holiday.agencyCode) return can(actor, MANAGE, { unitPath: [] });
  const agencyId = agencyIdByCode.get(holiday.agencyCode);
  return agencyId !== undefined && can(actor, MANAGE, { unitPath: [agencyId] });
}

/**
 * A year's holidays for the admin page: national days and cuti bersama, and the local days of the agencies the
 * actor works in, each with whether the actor may remove it; plus what the actor may add.
 */
export async function listHolidays(actor: Actor, year: number) {
  const [readable, agencies] = await Promise.all([unitsInScope(actor, 'directory.read'), manageableAgencies(actor)]);
  const agencyCodes = new Set([...readable.map((unit) => unit.agencyCode), ...agencies.map((agency) => agency.code)]);
  const docs = await Holiday.find({
    date: yearRange(year),
    removedAt: null,
    $or: [{ agencyCode: null }, { agencyCode: { $in: [...agencyCodes] } }],
  })
    .sort({ date: 1, agencyCode: 1 })
    .lean<HolidayDoc[]>();
  const agencyIdByCode = new Map(agencies.map((agency) => [agency.code, agency.id]));
  const holidays: HolidayView[] = docs.map((doc) => ({
    id: String(doc._id),
    date: doc.date,
    name_id: doc.name_id,
    name: doc.name,
    kind: doc.kind,
    agencyCode: doc.agencyCode ?? null,
    canRemove: canChange(actor, { agencyCode: doc.agencyCode ?? null }, agencyIdByCode),
  }));
  const canAddNational = can(actor, MANAGE, { unitPath: [] });
  return {
    year,
    holidays,
    agencies: agencies.map(({ code, name }) => ({ code, name })),
    canAddNational,
    canAdd: canAddNational || agencies.length > 0,
  };
}

/** National holidays of a year, and the local ones of the agency of `unitCode` (an agency or any unit below it). */
export async function listPublicHolidays(raw: unknown) {
  const query = check<{ year?: number; agencyCode?: string }>(holidaysQuery, raw);
  const year = query.year ?? currentYear();
  let agencyCode: string | null = null;
  if (query.agencyCode) {
    const unit = await findUnitByCode(query.agencyCode);
    if (!unit) throw AppError.validation({ agencyCode: { key: 'holiday.unknown_agency' } });
    agencyCode = unit.agencyCode;
  }
  const docs = await Holiday.find({
    date: yearRange(year),
    removedAt: null,
    agencyCode: agencyCode ? { $in: [null, agencyCode] } : null,
  })
    .sort({ date: 1, agencyCode: 1 })
    .lean<HolidayDoc[]>();
  return {
    year,
    agencyCode,
    holidays: docs.map((doc) => ({
      date: doc.date,
      name_id: doc.name_id,
      name: doc.name,
      kind: doc.kind,
      agencyCode: doc.agencyCode ?? null,
    })),
  };
}

/** Adds a day off: national or cuti bersama by the platform admin, a local one by an admin of that agency. */
export async function addHoliday(actor: Actor, raw: unknown): Promise<HolidayView> {
  const scope = scopeOf(actor, MANAGE);
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const input = check<HolidayInput>(holidayInput, raw);
  let agencyCode: string | null = null;
  if (input.kind === 'local') {
    const agency = await findUnitByCode(input.agencyCode!);
    if (!agency || agency.parentId) throw AppError.validation({ agencyCode: { key: 'holiday.unknown_agency' } });
    assertCan(actor, MANAGE, { unitPath: [String(agency._id)] });
    agencyCode = agency.code;
    if (await Holiday.exists({ date: input.date, agencyCode: null, removedAt: null }))
      throw AppError.validation({ date: { key: 'holiday.already_national' } });
  } else {
    assertCan(actor, MANAGE, { unitPath: [] });
  }

  const fields = {
    name_id: input.name_id,
    name: input.name,
    kind: input.kind as HolidayKind,
    source: 'admin' as const,
    removedAt: null,
  };
  // A day removed earlier comes back as this one (the unique index keeps one document per day and agency).
  let doc = await Holiday.findOneAndUpdate(
    { date: input.date, agencyCode, removedAt: { $ne: null } },
    { $set: fields },
    { returnDocument: 'after' },
  ).lean<HolidayDoc>();
  if (!doc) {
    try {
      doc = (await Holiday.create({ date: input.date, agencyCode, ...fields })).toObject() as HolidayDoc;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) throw AppError.validation({ date: { key: 'holiday.exists' } });
      throw error;
    }
  }
  forgetCachedHolidays();
  await recordAudit(actor, 'holiday.add', agencyCode ? `${input.date}/${agencyCode}` : input.date, {
    kind: input.kind,
    name_id: input.name_id,
  });
  return {
    id: String(doc._id),
    date: doc.date,
    name_id: doc.name_id,
    name: doc.name,
    kind: doc.kind,
    agencyCode: doc.agencyCode ?? null,
    canRemove: true,
  };
}

/** Removes a day off (kept as removed, so the start-up seed does not bring a national day back). */
export async function removeHoliday(actor: Actor, id: string): Promise<{ date: LocalDate }> {
  if (!mongoose.isValidObjectId(id)) throw new AppError('not_found');
  const holiday = await Holiday.findOne({ _id: id, removedAt: null }).lean<HolidayDoc>();
  if (!holiday) throw new AppError('not_found');
  if (holiday.agencyCode) {
    const agency = await findUnitByCode(holiday.agencyCode);
    assertCan(actor, MANAGE, { unitPath: agency ? [String(agency._id)] : [] });
  } else {
    assertCan(actor, MANAGE, { unitPath: [] });
  }
  await Holiday.updateOne({ _id: holiday._id }, { $set: { removedAt: new Date() } });
  forgetCachedHolidays();
  await recordAudit(
    actor,
    'holiday.remove',
    holiday.agencyCode ? `${holiday.date}/${holiday.agencyCode}` : holiday.date,
    { kind: holiday.kind, name_id: holiday.name_id },
  );
  return { date: holiday.date };
}
