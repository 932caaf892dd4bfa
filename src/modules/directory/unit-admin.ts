import { AppError } from '../../platform/errors.js';
import { recordEvents, writeWithEvents } from '../../platform/event-log.js';
import { publish } from '../../platform/events.js';
import { check } from '../../platform/validate.js';
import { assertCan, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { Officer, Unit, type UnitDoc } from './model.js';
import { unitActiveInput, unitMoveInput, updateUnitInput } from './schemas.js';
import { findUnitByCode, updateUnit } from './service.js';

/**
 * Units over their life (issue #22): deactivated rather than deleted, so that tickets, answers and findings that
 * name them stay readable; moved within their agency; their services and counters withdrawn.
 */

const pathOf = (unit: Pick<UnitDoc, 'path'>) => unit.path.map(String);

async function managedUnit(actor: Actor, code: string): Promise<UnitDoc> {
  const unit = await findUnitByCode(code);
  if (!unit) throw new AppError('not_found');
  assertCan(actor, 'directory.manage', { unitPath: pathOf(unit) });
  return unit;
}

/**
 * Deactivates or re-activates a unit. A deactivated unit leaves the public pickers and keeps its history; a unit
 * with active units below it stays active until they are deactivated first, and a unit under an inactive one
 * cannot come back before its parent.
 */
export async function setUnitActive(actor: Actor, code: string, raw: unknown): Promise<UnitDoc> {
  const unit = await managedUnit(actor, code);
  const { active, reason } = check(unitActiveInput, raw ?? {});
  if (active === unit.active) return unit;
  if (!active && (await Unit.exists({ parentId: unit._id, active: true })))
    throw AppError.validation({ active: { key: 'directory.unit_has_active_children' } });
  if (active && unit.parentId && !(await Unit.exists({ _id: unit.parentId, active: true })))
    throw AppError.validation({ active: { key: 'directory.unit_parent_inactive' } });
  await Unit.updateOne({ _id: unit._id }, { $set: { active } });
  await recordAudit(
    actor,
    active ? 'unit.reactivate' : 'unit.deactivate',
    unit.code,
    { before: { active: unit.active }, after: { active } },
    reason || null,
    { unitPath: unit.path },
  );
  publish('unit.changed', { unitId: String(unit._id), code: unit.code });
  return (await findUnitByCode(unit.code))!;
}

/**
 * Moves a unit under another parent of the same agency. The `path` of the unit, of every unit below it and of
 * their officers changes in one transaction, with a durable `unit.changed` record per unit, from which feedback
 * moves the units' tickets and findings (docs/domain.md#moved-units); survey answers and rollups keep the path they
 * were recorded with (docs/architecture.md#rollups).
 */
export async function moveUnit(actor: Actor, code: string, raw: unknown): Promise<UnitDoc> {
  const unit = await managedUnit(actor, code);
  const { parentCode, reason } = check(unitMoveInput, raw ?? {});
  if (!unit.parentId) throw AppError.validation({ parentCode: { key: 'directory.agency_cannot_move' } });
  const parent = await findUnitByCode(parentCode);
  if (!parent || parent.agencyCode !== unit.agencyCode || !parent.active)
    throw AppError.validation({ parentCode: { key: 'directory.parent_other_agency', params: { code: parentCode } } });
  assertCan(actor, 'directory.manage', { unitPath: pathOf(parent) });
  if (pathOf(parent).includes(String(unit._id)))
    throw AppError.validation({ parentCode: { key: 'directory.parent_cycle' } });
  if (String(parent._id) === String(unit.parentId)) return unit;

  const depth = unit.path.length - 1; // where the unit sits in its own path
  // The subtree is read inside the transaction, so a unit created below meanwhile is not left with the old path.
  const subtree = await writeWithEvents(async (session) => {
    const below = await Unit.find({ path: unit._id })
      .select({ path: 1, code: 1 })
      .session(session)
      .lean<Pick<UnitDoc, '_id' | 'path' | 'code'>[]>();
    await Unit.updateOne({ _id: unit._id }, { $set: { parentId: parent._id } }, { session });
    for (const one of below) {
      const path = [...parent.path, ...one.path.slice(depth)];
      await Unit.updateOne({ _id: one._id }, { $set: { path } }, { session });
      await Officer.updateMany({ unitId: one._id }, { $set: { unitPath: path } }, { session });
    }
    // Recorded with the move, so whatever follows the units' paths (feedback's tickets) does, exactly once in effect.
    await recordEvents(
      session,
      below.map((one) => ({ name: 'unit.changed', payload: { unitId: String(one._id), code: one.code } })),
    );
    return below;
  });
  const oldParent = await Unit.findById(unit.parentId).select({ code: 1 }).lean<Pick<UnitDoc, 'code'>>();
  await recordAudit(
    actor,
    'unit.move',
    unit.code,
    { before: { parentCode: oldParent?.code ?? null }, after: { parentCode: parent.code }, units: subtree.length },
    reason || null,
    { unitPath: unit.path },
  );
  for (const below of subtree) publish('unit.changed', { unitId: String(below._id), code: below.code });
  return (await findUnitByCode(unit.code))!;
}

/** Withdraws a service or a counter (kept, inactive: past tickets and answers still name it). */
export async function withdrawFromUnit(
  actor: Actor,
  code: string,
  what: 'service' | 'counter',
  itemCode: string,
): Promise<void> {
  const unit = await managedUnit(actor, code);
  const list = what === 'service' ? unit.services : unit.counters;
  const item = list.find((existing) => existing.code === itemCode.toUpperCase());
  if (!item) throw new AppError('not_found');
  const field = what === 'service' ? 'services' : 'counters';
  const kept = list.map((existing) => (existing.code === item.code ? { ...existing, active: false } : existing));
  await Unit.updateOne({ _id: unit._id }, { $set: { [field]: kept } });
  await recordAudit(
    actor,
    `${what}.withdraw`,
    `${unit.code}/${item.code}`,
    { before: { active: item.active !== false }, after: { active: false } },
    null,
    { unitPath: unit.path },
  );
  publish('unit.changed', { unitId: String(unit._id), code: unit.code });
}

/** The unit API's one PATCH: `active` (de)activates, `parentCode` moves, the rest edits (service.ts `updateUnit`). */
export async function changeUnit(actor: Actor, code: string, raw: unknown): Promise<UnitDoc> {
  const body = (raw ?? {}) as Record<string, unknown>;
  const { active, parentCode, reason, ...rest } = body;
  let unit = await managedUnit(actor, code);
  // Every part is checked before any is applied, so a bad field changes nothing.
  if (parentCode !== undefined) check(unitMoveInput, { parentCode, reason });
  if (active !== undefined) check(unitActiveInput, { active, reason });
  check(updateUnitInput, rest);
  if (parentCode !== undefined) unit = await moveUnit(actor, unit.code, { parentCode, reason });
  if (active !== undefined) unit = await setUnitActive(actor, unit.code, { active, reason });
  if (Object.keys(rest).filter((key) => key !== '_csrf').length) unit = await updateUnit(actor, unit.code, rest);
  return unit;
}
