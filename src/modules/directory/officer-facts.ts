import type { Types } from 'mongoose';
import { Officer, Unit, type OfficerDoc, type UnitDoc } from './model.js';

/**
 * Officers as other modules need them beyond a single lookup (docs/architecture.md, "Modules"): every id for a
 * rebuild that reads another collection slice by slice, an officer's time zone, and pages of the officers under
 * some units. Read here, never through the models.
 */

/** Every officer's id, active or not: the slice keys of a rebuild (platform/slices.ts). */
export async function everyOfficerId(): Promise<Types.ObjectId[]> {
  return (await Officer.find({}).select({ _id: 1 }).lean()).map((officer) => officer._id);
}

/** Every unit's id: the slice keys of a rebuild (platform/slices.ts). */
export async function everyUnitId(): Promise<Types.ObjectId[]> {
  return (await Unit.find({}).select({ _id: 1 }).lean()).map((unit) => unit._id);
}

/** The time zone of the officer's unit (the agency's wall clock); null for an unknown officer or unit. */
export async function officerTimeZone(officerId: string | Types.ObjectId): Promise<string | null> {
  const officer = await Officer.findById(officerId).select({ unitId: 1 }).lean<Pick<OfficerDoc, '_id' | 'unitId'>>();
  const unit = officer ? await Unit.findById(officer.unitId).select({ timeZone: 1 }).lean<UnitDoc>() : null;
  return unit?.timeZone ?? null;
}

/** Active officers in the subtrees of these units ('all': everywhere). */
const activeUnder = (units: 'all' | readonly (string | Types.ObjectId)[]) =>
  units === 'all' ? { active: true } : { active: true, unitPath: { $in: [...units] } };

/** A page of the active officers under these units, by unit code then name. */
export async function activeOfficersUnder(
  units: 'all' | readonly (string | Types.ObjectId)[],
  page: { skip?: number; limit: number },
): Promise<OfficerDoc[]> {
  return Officer.find(activeUnder(units))
    .sort({ unitCode: 1, name: 1 })
    .skip(page.skip ?? 0)
    .limit(page.limit)
    .lean<OfficerDoc[]>();
}

export async function countActiveOfficersUnder(units: 'all' | readonly (string | Types.ObjectId)[]): Promise<number> {
  return Officer.countDocuments(activeUnder(units));
}
