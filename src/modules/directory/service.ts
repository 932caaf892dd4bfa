import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { AppError } from '../../platform/errors.js';
import { recordEvent, writeWithEvents } from '../../platform/event-log.js';
import { publish } from '../../platform/events.js';
import { check } from '../../platform/validate.js';
import { assertCan, can, scopeOf, type Action, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { officerColumns, timeZoneFromText, unitColumns } from './csv-import.js';
import { firstProblem, readCsv, type ImportReport } from '../../platform/csv.js';
import {
  agencyLookups,
  Officer,
  officerLookups,
  scopeLookups,
  Unit,
  unitLookups,
  type OfficerDoc,
  type TimeZone,
  type UnitDoc,
} from './model.js';
import { counterInput, createUnitInput, officerInput, serviceInputSchema, updateUnitInput } from './schemas.js';

export type { UnitDoc, OfficerDoc };

const unitPathOf = (unit: Pick<UnitDoc, 'path'>) => unit.path.map(String);

/** A unit as the public sees it (README.md#api): no staff data; services with their waiting standard. */
function toPublicUnit(unit: UnitDoc, parentCode: string | null) {
  return {
    code: unit.code,
    name: unit.name,
    parentCode,
    agencyCode: unit.agencyCode,
    timeZone: unit.timeZone,
    services: unit.services
      .filter((service) => service.active)
      .map((service) => ({
        code: service.code,
        name: service.name,
        targetWaitMinutes: service.targetWaitMinutes ?? null,
      })),
    counters: unit.counters
      .filter((counter) => counter.active !== false)
      .map((counter) => ({ code: counter.code, name: counter.name })),
  };
}
export type PublicUnit = ReturnType<typeof toPublicUnit>;

/** The contract's public list of units, in tree order. */
export async function listPublicUnits(): Promise<PublicUnit[]> {
  const units = inTreeOrder(await Unit.find({ active: true }).lean<UnitDoc[]>());
  const codeById = new Map(units.map((unit) => [String(unit._id), unit.code]));
  return units.map((unit) => toPublicUnit(unit, unit.parentId ? (codeById.get(String(unit.parentId)) ?? null) : null));
}

/** One active unit in its public shape, or null. */
export async function findPublicUnit(code: string): Promise<PublicUnit | null> {
  const unit = await findUnitByCode(code);
  if (!unit?.active) return null;
  const parent = unit.parentId ? await findUnitById(String(unit.parentId)) : null;
  return toPublicUnit(unit, parent?.code ?? null);
}

/** The active agencies (root units) by name: code and name, for public pickers. */
export function activeAgencies(): Promise<Pick<UnitDoc, '_id' | 'code' | 'name'>[]> {
  return agencyLookups.get('active', () =>
    Unit.find({ parentId: null, active: true })
      .sort({ name: 1 })
      .select({ code: 1, name: 1 })
      .lean<Pick<UnitDoc, '_id' | 'code' | 'name'>[]>(),
  );
}

/** A unit by id (the same kept lookup as by code; ids and codes cannot meet: codes are upper case). */
export async function findUnitById(id: string): Promise<UnitDoc | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  return unitLookups.get(`id:${id}`, () => Unit.findById(id).lean<UnitDoc>());
}

/**
 * The completion standard (standar pelayanan, in working days) a unit publishes for one of its services; null when
 * the unit, the service or a standard of at least one day is missing.
 */
export async function serviceCompletionDays(unitId: string, serviceCode: string): Promise<number | null> {
  const unit = await findUnitById(unitId);
  const days = unit?.services.find((service) => service.code === serviceCode)?.targetCompletionDays;
  return days && days > 0 ? days : null;
}

export async function findUnitByCode(code: string): Promise<UnitDoc | null> {
  const wanted = String(code).toUpperCase();
  return unitLookups.get(wanted, () => Unit.findOne({ code: wanted }).lean<UnitDoc>());
}

/** The public picture of an officer: name and position with the opaque reference, never the NIP. */
export interface PublicOfficer {
  ref: string;
  name: string;
  position: string;
  unitCode: string;
}

const publicOfficer = (officer: OfficerDoc): PublicOfficer => ({
  ref: officer.ref,
  name: officer.name,
  position: officer.position,
  unitCode: officer.unitCode,
});

/** Active officers of one unit for the public officer picker (by opaque reference). */
export async function listPublicOfficers(unitCode: string): Promise<PublicOfficer[]> {
  const officers = await Officer.find({ unitCode: String(unitCode).toUpperCase(), active: true })
    .sort({ name: 1 })
    .lean<OfficerDoc[]>();
  return officers.map(publicOfficer);
}

/** An active officer by the opaque reference of QR links and public pages, or by NIP (staff and integrations). */
export async function findOfficer(by: { ref?: string; nip?: string }): Promise<OfficerDoc | null> {
  if (by.ref) {
    const ref = String(by.ref);
    return officerLookups.get(`ref:${ref}`, () => Officer.findOne({ ref, active: true }).lean<OfficerDoc>());
  }
  if (by.nip) {
    const nip = String(by.nip);
    return officerLookups.get(`nip:${nip}`, () => Officer.findOne({ nip, active: true }).lean<OfficerDoc>());
  }
  return null;
}

/**
 * Whether a QR link's officer no longer serves at this unit (deactivated or transferred), so the page can say so
 * instead of silently showing no one chosen. An unknown reference is not "gone": it says nothing about anyone.
 */
export async function officerGoneFrom(ref: unknown, unitCode: string): Promise<boolean> {
  if (typeof ref !== 'string' || !ref || ref.length > 64) return false;
  const officer = await Officer.findOne({ ref }).select({ active: 1, unitCode: 1 }).lean<OfficerDoc>();
  return Boolean(officer && (!officer.active || officer.unitCode !== String(unitCode).toUpperCase()));
}

export async function findOfficersByIds(ids: string[]): Promise<OfficerDoc[]> {
  return Officer.find({ _id: { $in: ids } }).lean<OfficerDoc[]>();
}

async function unitOrNotFound(code: string): Promise<UnitDoc> {
  const unit = await findUnitByCode(code);
  if (!unit) throw new AppError('not_found');
  return unit;
}

/** Mongo filter for units in the actor's scope for an action. */
function unitScopeFilter(actor: Actor, action: Action) {
  const scope = scopeOf(actor, action);
  return scope === 'all' ? {} : { path: { $in: scope } };
}

/** Units in tree order: each agency, then its units depth first by name; `depth` counts from the top shown. */
function inTreeOrder(units: UnitDoc[]): (UnitDoc & { depth: number })[] {
  const byParent = new Map<string, UnitDoc[]>();
  const ids = new Set(units.map((unit) => String(unit._id)));
  for (const unit of units) {
    const parent = unit.parentId && ids.has(String(unit.parentId)) ? String(unit.parentId) : 'root';
    byParent.set(parent, [...(byParent.get(parent) ?? []), unit]);
  }
  const ordered: (UnitDoc & { depth: number })[] = [];
  const walk = (parent: string, depth: number) => {
    for (const unit of (byParent.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'id'))) {
      ordered.push({ ...unit, depth });
      walk(String(unit._id), depth + 1);
    }
  };
  walk('root', 0);
  return ordered;
}

/** Units the actor may see for the action, in tree order. */
export async function unitsInScope(actor: Actor, action: Action = 'directory.read') {
  const filter = unitScopeFilter(actor, action);
  return scopeLookups.get(JSON.stringify(filter), async () => inTreeOrder(await Unit.find(filter).lean<UnitDoc[]>()));
}

/** A unit for an admin page, with its officers; forbidden outside the actor's scope. */
export async function getUnitForAdmin(actor: Actor, code: string) {
  const unit = await unitOrNotFound(code);
  assertCan(actor, 'directory.read', { unitPath: unitPathOf(unit) });
  const [children, officers] = await Promise.all([
    Unit.find({ parentId: unit._id }).sort({ name: 1 }).lean<UnitDoc[]>(),
    Officer.find({ unitId: unit._id }).sort({ name: 1 }).lean<OfficerDoc[]>(),
  ]);
  const canManage = can(actor, 'directory.manage', { unitPath: unitPathOf(unit) });
  return { unit, children, officers, canManage };
}

export async function createUnit(actor: Actor, raw: unknown): Promise<UnitDoc> {
  const input = check(createUnitInput, raw);
  const parent = input.parentCode ? await findUnitByCode(input.parentCode) : null;
  if (input.parentCode && !parent)
    throw AppError.validation({ parentCode: { key: 'import.unknown_parent', params: { code: input.parentCode } } });
  assertCan(actor, 'directory.manage', { unitPath: parent ? unitPathOf(parent) : [] });
  if (!parent && !input.timeZone) throw AppError.validation({ timeZone: { key: 'validation.required' } });
  if (await Unit.exists({ code: input.code })) throw AppError.validation({ code: { key: 'directory.unit_exists' } });
  const unit = new Unit({
    code: input.code,
    name: input.name,
    kind: parent ? input.kind : 'agency',
    parentId: parent?._id ?? null,
    agencyCode: parent ? parent.agencyCode : input.code,
    timeZone: parent ? parent.timeZone : input.timeZone,
    population: input.population || null,
  });
  unit.path = [...(parent?.path ?? []), unit._id];
  await unit.save();
  await recordAudit(actor, 'unit.create', unit.code, null, null, { unitPath: unit.path });
  publish('unit.changed', { unitId: String(unit._id), code: unit.code });
  return unit.toObject() as UnitDoc;
}

export async function updateUnit(actor: Actor, code: string, raw: unknown): Promise<UnitDoc> {
  const unit = await unitOrNotFound(code);
  assertCan(actor, 'directory.manage', { unitPath: unitPathOf(unit) });
  const input = check(updateUnitInput, raw);
  const changes: Record<string, unknown> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.kind !== undefined && unit.parentId) changes.kind = input.kind;
  if (input.population !== undefined) changes.population = input.population || null;
  await Unit.updateOne({ _id: unit._id }, { $set: changes });
  // The time zone belongs to the agency; every unit below it follows.
  if (input.timeZone && !unit.parentId && input.timeZone !== unit.timeZone)
    await Unit.updateMany({ path: unit._id }, { $set: { timeZone: input.timeZone as TimeZone } });
  const before = Object.fromEntries(Object.keys(changes).map((key) => [key, unit[key as keyof UnitDoc] ?? null]));
  await recordAudit(actor, 'unit.update', unit.code, { changes: Object.keys(changes), before, after: changes }, null, {
    unitPath: unitPathOf(unit),
  });
  publish('unit.changed', { unitId: String(unit._id), code: unit.code });
  return (await findUnitByCode(unit.code))!;
}

/** Adds a service or replaces the one with the same code. */
export async function saveService(actor: Actor, unitCode: string, raw: unknown): Promise<void> {
  const unit = await unitOrNotFound(unitCode);
  assertCan(actor, 'directory.manage', { unitPath: unitPathOf(unit) });
  const input = check(serviceInputSchema, raw);
  const service = {
    code: input.code,
    name: input.name,
    targetWaitMinutes: input.targetWaitMinutes === '' ? null : (input.targetWaitMinutes ?? null),
    targetCompletionDays: input.targetCompletionDays === '' ? null : (input.targetCompletionDays ?? null),
    fee: input.fee,
    active: true,
  };
  const services = unit.services.filter((existing) => existing.code !== service.code);
  await Unit.updateOne({ _id: unit._id }, { $set: { services: [...services, service] } });
  const before = unit.services.find((existing) => existing.code === service.code) ?? null;
  await recordAudit(actor, 'service.save', `${unit.code}/${service.code}`, { before, after: service }, null, {
    unitPath: unitPathOf(unit),
  });
}

export async function saveCounter(actor: Actor, unitCode: string, raw: unknown): Promise<void> {
  const unit = await unitOrNotFound(unitCode);
  assertCan(actor, 'directory.manage', { unitPath: unitPathOf(unit) });
  const input = check(counterInput, raw);
  const counters = unit.counters.filter((existing) => existing.code !== input.code);
  await Unit.updateOne({ _id: unit._id }, { $set: { counters: [...counters, input] } });
  const before = unit.counters.find((existing) => existing.code === input.code) ?? null;
  await recordAudit(actor, 'counter.save', `${unit.code}/${input.code}`, { before, after: input }, null, {
    unitPath: unitPathOf(unit),
  });
}

const newOfficerRef = () => randomBytes(8).toString('base64url');

/** Creates or updates (by NIP) one officer; the caller has checked the input. Returns what happened. */
async function upsertOfficer(
  actor: Actor,
  input: { nip: string; name: string; position: string; unitCode: string },
): Promise<'created' | 'updated'> {
  const unit = await findUnitByCode(input.unitCode);
  if (!unit || !can(actor, 'directory.manage', { unitPath: unitPathOf(unit) }))
    throw AppError.validation({ unitCode: { key: 'import.unknown_unit', params: { code: input.unitCode } } });
  const existing = await Officer.findOne({ nip: input.nip }).lean<OfficerDoc>();
  if (existing && !can(actor, 'directory.manage', { unitPath: existing.unitPath.map(String) }))
    throw AppError.validation({ nip: { key: 'directory.officer_exists' } });
  const fields = {
    name: input.name,
    position: input.position,
    employment: input.nip.slice(12, 14) === '21' ? 'pppk' : 'pns',
    unitId: unit._id,
    unitCode: unit.code,
    unitPath: unit.path,
  };
  const event = { officerId: String(existing?._id ?? ''), nip: input.nip };
  // The officer and the record of the change: one transaction, so the coaching record follows a move.
  await writeWithEvents(async (session) => {
    await Officer.updateOne(
      { nip: input.nip },
      { $set: fields, $setOnInsert: { nip: input.nip, ref: newOfficerRef(), active: true } },
      { upsert: true, session },
    );
    await recordEvent(session, 'officer.changed', event);
  });
  publish('officer.changed', event);
  return existing ? 'updated' : 'created';
}

export async function createOfficer(actor: Actor, raw: unknown): Promise<void> {
  const input = check(officerInput, raw);
  if (await Officer.exists({ nip: input.nip })) throw AppError.validation({ nip: { key: 'directory.officer_exists' } });
  await upsertOfficer(actor, input);
  await recordAudit(actor, 'officer.create', input.nip);
}

/** Staff directory look-up (README.md#api): officers of units in the caller's scope. */
export async function listOfficers(actor: Actor, query: { unitCode?: string }) {
  const scope = scopeOf(actor, 'officers.read');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const filter: Record<string, unknown> = scope === 'all' ? {} : { unitPath: { $in: scope } };
  if (query.unitCode) {
    const unit = await unitOrNotFound(query.unitCode);
    if (!can(actor, 'officers.read', { unitPath: unitPathOf(unit) })) throw new AppError('forbidden');
    filter.unitId = unit._id;
  }
  const officers = await Officer.find({ ...filter, active: true })
    .sort({ unitCode: 1, name: 1 })
    .limit(5000)
    .lean<OfficerDoc[]>();
  return officers.map((officer) => ({
    nip: officer.nip,
    name: officer.name,
    position: officer.position,
    unitCode: officer.unitCode,
  }));
}

/** Officers from a spreadsheet export; each line is checked on its own and a bad line never stops the rest. */
export async function importOfficers(actor: Actor, csv: string): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, rejected: [] };
  const parsed = readCsv(csv, officerColumns, ['nip', 'name', 'unitCode']);
  if (!parsed.ok) throw AppError.validation({ file: parsed.problem });
  const seen = new Map<string, number>();
  for (const row of parsed.rows) {
    try {
      const input = check(officerInput, row.values);
      const earlier = seen.get(input.nip);
      if (earlier) throw AppError.validation({ nip: { key: 'import.duplicate_in_file', params: { line: earlier } } });
      seen.set(input.nip, row.line);
      report[await upsertOfficer(actor, input)]++;
    } catch (error) {
      report.rejected.push({ line: row.line, problem: firstProblem(error) });
    }
  }
  await recordAudit(actor, 'officer.import', null, {
    created: report.created,
    updated: report.updated,
    rejected: report.rejected.length,
  });
  return report;
}

/** Units from a spreadsheet; parents may come after their children in the file (rows are retried until settled). */
export async function importUnits(actor: Actor, csv: string): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, rejected: [] };
  const parsed = readCsv(csv, unitColumns, ['code', 'name']);
  if (!parsed.ok) throw AppError.validation({ file: parsed.problem });
  const seen = new Map<string, number>();
  let pending: { line: number; values: Record<string, unknown> }[] = [];
  for (const row of parsed.rows) {
    const code = row.values.code!.trim().toUpperCase();
    const earlier = seen.get(code);
    if (earlier) {
      report.rejected.push({ line: row.line, problem: { key: 'import.duplicate_in_file', params: { line: earlier } } });
      continue;
    }
    seen.set(code, row.line);
    const timeZone = timeZoneFromText(row.values.timeZone ?? '');
    if (timeZone === 'invalid') {
      report.rejected.push({ line: row.line, problem: { key: 'import.bad_time_zone' } });
      continue;
    }
    const values: Record<string, unknown> = { ...row.values, timeZone };
    if (!row.values.kind) delete values.kind;
    else values.kind = row.values.kind.trim().toLowerCase();
    pending.push({ line: row.line, values });
  }
  // Each pass settles the rows whose parent now exists; a pass that settles nothing ends the loop.
  while (pending.length) {
    const waiting: typeof pending = [];
    for (const row of pending) {
      try {
        const existing = await findUnitByCode(String(row.values.code));
        if (existing) {
          await updateUnit(actor, existing.code, {
            name: row.values.name,
            kind: row.values.kind,
            population: row.values.population,
          });
          report.updated++;
        } else {
          await createUnit(actor, row.values);
          report.created++;
        }
      } catch (error) {
        const problem = firstProblem(error);
        if (problem.key === 'import.unknown_parent') waiting.push(row);
        else report.rejected.push({ line: row.line, problem });
      }
    }
    if (waiting.length === pending.length) {
      for (const row of waiting)
        report.rejected.push({
          line: row.line,
          problem: { key: 'import.unknown_parent', params: { code: row.values.parentCode } },
        });
      break;
    }
    pending = waiting;
  }
  report.rejected.sort((a, b) => a.line - b.line);
  return report;
}
