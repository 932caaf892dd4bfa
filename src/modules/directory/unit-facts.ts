import type { Types } from 'mongoose';
import { Unit, type UnitDoc } from './model.js';

/**
 * What other modules need of many units at once (analytics' rollups and reports), read here with a projection, so
 * that no other module queries the units' collection.
 */

/** A unit's time zone (its agency's) and agency. */
export interface UnitZone {
  timeZone: string;
  agencyCode: string | null;
}

/** Every unit's time zone and agency by unit id, for reading all tickets or answers at once. */
export async function unitZones(): Promise<Map<string, UnitZone>> {
  const units = await Unit.find({})
    .select({ timeZone: 1, agencyCode: 1 })
    .lean<(UnitZone & { _id: Types.ObjectId })[]>();
  return new Map(units.map((unit) => [String(unit._id), { timeZone: unit.timeZone, agencyCode: unit.agencyCode }]));
}

export type UnitNaming = Pick<UnitDoc, '_id' | 'code' | 'name' | 'services'>;

/** Code, name and services of the units with these ids (those that exist). */
export function unitsNamed(ids: (Types.ObjectId | string)[]): Promise<UnitNaming[]> {
  return Unit.find({ _id: { $in: ids } })
    .select({ code: 1, name: 1, services: 1 })
    .lean<UnitNaming[]>();
}

export type UnitFigureHead = Pick<UnitDoc, '_id' | 'code' | 'name' | 'agencyCode' | 'path' | 'timeZone' | 'population'>;

/** The active units of a subtree (root included), or every active unit; in no particular order. */
export function activeUnitsUnder(rootId: Types.ObjectId | null): Promise<UnitFigureHead[]> {
  return Unit.find(rootId ? { path: rootId, active: true } : { active: true })
    .select({ code: 1, name: 1, agencyCode: 1, path: 1, timeZone: 1, population: 1 })
    .lean<UnitFigureHead[]>();
}

/** Each unit's path (agency first), by id: where a grant on those units reaches. */
export async function unitPathsOf(ids: readonly (Types.ObjectId | string)[]): Promise<Map<string, string[]>> {
  const units = await Unit.find({ _id: { $in: [...ids] } })
    .select({ path: 1 })
    .lean<Pick<UnitDoc, '_id' | 'path'>[]>();
  return new Map(units.map((unit) => [String(unit._id), unit.path.map(String)]));
}

/** The ids of every unit in the subtrees of these units (themselves included). */
export async function unitIdsUnder(rootIds: readonly string[]): Promise<Types.ObjectId[]> {
  return (await Unit.distinct('_id', { path: { $in: [...rootIds] } })) as Types.ObjectId[];
}
