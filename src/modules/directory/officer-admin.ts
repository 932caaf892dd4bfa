import { AppError } from '../../platform/errors.js';
import { recordEvent, writeWithEvents } from '../../platform/event-log.js';
import { publish } from '../../platform/events.js';
import { check } from '../../platform/validate.js';
import { can, scopeOf, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { Officer, type OfficerDoc } from './model.js';
import { officerChangeInput, officerSearchQuery } from './schemas.js';
import { findUnitByCode } from './service.js';

/**
 * The officers' admin (issue #22): search and page through the officers of the admin's scope, edit them, transfer
 * them to another unit, deactivate and re-activate them. A transfer changes only the officer's `unitId`/`unitPath`:
 * findings, tickets and answers keep the unit where they happened (docs/domain.md#officers-and-nip).
 */

export const OFFICERS_PER_PAGE = 25;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathOf = (officer: Pick<OfficerDoc, 'unitPath'>) => officer.unitPath.map(String);

export interface OfficerRow {
  nip: string;
  name: string;
  position: string;
  unitCode: string;
  active: boolean;
}

const rowOf = (officer: OfficerDoc): OfficerRow => ({
  nip: officer.nip,
  name: officer.name,
  position: officer.position,
  unitCode: officer.unitCode,
  active: officer.active,
});

/** One page of the officers the actor may read, found by a part of the name or the start of the NIP. */
export async function searchOfficers(actor: Actor, raw: unknown) {
  const query = check(officerSearchQuery, raw ?? {});
  const scope = scopeOf(actor, 'officers.read');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const filter: Record<string, unknown> = scope === 'all' ? {} : { unitPath: { $in: scope } };
  if (query.q) {
    const digits = query.q.replace(/\s+/g, '');
    filter.$or = [
      { name: { $regex: escapeRegExp(query.q), $options: 'i' } },
      ...(/^\d+$/.test(digits) ? [{ nip: { $regex: `^${digits}` } }] : []),
    ];
  }
  if (query.unitCode) {
    const unit = await findUnitByCode(query.unitCode);
    // An unknown unit and one outside the scope look the same: an empty list.
    filter.unitPath = unit && can(actor, 'officers.read', { unitPath: unit.path }) ? unit._id : null;
  }
  if (query.status !== 'all') filter.active = query.status === 'active';
  const total = await Officer.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(total / OFFICERS_PER_PAGE));
  const page = Math.min(query.page, pages);
  const officers = await Officer.find(filter)
    .sort({ name: 1, nip: 1 })
    .skip((page - 1) * OFFICERS_PER_PAGE)
    .limit(OFFICERS_PER_PAGE)
    .lean<OfficerDoc[]>();
  return { officers: officers.map(rowOf), total, page, pages, query };
}

/** An officer the actor may read, active or not; one outside the scope is "not found", never "forbidden". */
export async function officerForAdmin(actor: Actor, nip: string) {
  const officer = await Officer.findOne({ nip: String(nip) }).lean<OfficerDoc>();
  if (!officer || !can(actor, 'officers.read', { unitPath: pathOf(officer) })) throw new AppError('not_found');
  return { officer: rowOf(officer), canManage: can(actor, 'directory.manage', { unitPath: pathOf(officer) }) };
}

/**
 * Changes an officer: name and position, a transfer (`unitCode`, with a reason), or `active`. Each kind of change is
 * its own audit entry with what it was before and after; the officer and the record of `officer.changed` are one
 * transaction, so the coaching record follows.
 */
export async function changeOfficer(actor: Actor, nip: string, raw: unknown): Promise<OfficerRow> {
  const officer = await Officer.findOne({ nip: String(nip) }).lean<OfficerDoc>();
  // Someone who cannot even read the officer learns nothing of them; a reader who may not manage is refused.
  if (!officer || !can(actor, 'officers.read', { unitPath: pathOf(officer) })) throw new AppError('not_found');
  if (!can(actor, 'directory.manage', { unitPath: pathOf(officer) })) throw new AppError('forbidden');
  const input = check(officerChangeInput, raw ?? {});
  const set: Partial<OfficerDoc> = {};
  const entries: { action: string; before: object; after: object }[] = [];

  const edited = {
    ...(input.name !== undefined && input.name !== officer.name ? { name: input.name } : {}),
    ...(input.position !== undefined && input.position !== officer.position ? { position: input.position } : {}),
  };
  if (Object.keys(edited).length) {
    Object.assign(set, edited);
    const before = Object.fromEntries(Object.keys(edited).map((key) => [key, officer[key as 'name' | 'position']]));
    entries.push({ action: 'officer.update', before, after: edited });
  }

  if (input.unitCode !== undefined && input.unitCode !== officer.unitCode) {
    const unit = await findUnitByCode(input.unitCode);
    if (!unit || !unit.active || !can(actor, 'directory.manage', { unitPath: unit.path.map(String) }))
      throw AppError.validation({ unitCode: { key: 'import.unknown_unit', params: { code: input.unitCode } } });
    Object.assign(set, { unitId: unit._id, unitCode: unit.code, unitPath: unit.path });
    entries.push({
      action: 'officer.transfer',
      before: { unitCode: officer.unitCode },
      after: { unitCode: unit.code },
    });
  }

  if (input.active !== undefined && input.active !== officer.active) {
    set.active = input.active;
    entries.push({
      action: input.active ? 'officer.reactivate' : 'officer.deactivate',
      before: { active: officer.active },
      after: { active: input.active },
    });
  }

  if (!entries.length) return rowOf(officer);
  const event = { officerId: String(officer._id), nip: officer.nip };
  await writeWithEvents(async (session) => {
    await Officer.updateOne({ _id: officer._id }, { $set: set }, { session });
    await recordEvent(session, 'officer.changed', event);
  });
  publish('officer.changed', event);
  // Both the unit left and the unit joined see a transfer in their audit log.
  const unitPath = [...new Set([...pathOf(officer), ...(set.unitPath ?? []).map(String)])];
  for (const entry of entries)
    await recordAudit(
      actor,
      entry.action,
      officer.nip,
      { before: entry.before, after: entry.after },
      input.reason || null,
      { unitPath },
    );
  return rowOf({ ...officer, ...set } as OfficerDoc);
}
