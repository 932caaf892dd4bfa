import mongoose, { type Types } from 'mongoose';
import { AppError } from '../../platform/errors.js';
import { assertCan, can, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { findOfficer, findOfficersByIds, findUnitById, type OfficerDoc, type UnitDoc } from '../directory/index.js';

/**
 * Who may do what in the coaching work (docs/domain.md, "Coaching record"): coaches (`coaching.write`) on the officer's
 * unit subtree write; coaches and unit heads (`coaching.read`) read, each read audited; the officer reads their own
 * signed evaluations, sessions and plan. Every use case of sessions, plan, training and evaluations starts here.
 */

export const oid = (id: string | Types.ObjectId) => new mongoose.Types.ObjectId(String(id));
export const isObjectId = (value: unknown): value is string =>
  typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value);

export interface OfficerContext {
  officer: OfficerDoc;
  unit: UnitDoc;
  timeZone: string;
  /** The actor is this officer. */
  self: boolean;
}

export const isSelf = (actor: Actor, officer: Pick<OfficerDoc, 'nip'>) =>
  Boolean(actor.officerNip) && actor.officerNip === officer.nip;

async function contextOf(officer: OfficerDoc, actor: Actor): Promise<OfficerContext> {
  const unit: UnitDoc | null = await findUnitById(String(officer.unitId));
  if (!unit) throw new AppError('not_found');
  return { officer, unit, timeZone: unit.timeZone, self: isSelf(actor, officer) };
}

/**
 * The officer named by a NIP, for an action. Reading: the officer themselves, or `coaching.read` on their unit
 * (audited). Writing: `coaching.write` on their unit, and never about oneself.
 */
export async function officerFor(
  actor: Actor | undefined,
  nip: unknown,
  action: 'coaching.read' | 'coaching.write',
  what = 'record',
): Promise<OfficerContext> {
  if (!actor) throw new AppError('unauthenticated');
  const officer = typeof nip === 'string' && nip ? await findOfficer({ nip }) : null;
  if (!officer) throw new AppError('not_found');
  const scope = { unitPath: officer.unitPath.map(String) };
  const self = isSelf(actor, officer);
  if (action === 'coaching.write') {
    assertCan(actor, 'coaching.write', scope);
    if (self) throw new AppError('forbidden');
  } else if (!self) {
    assertCan(actor, 'coaching.read', scope);
    await recordAudit(actor, 'coaching.read', officer.nip, { what }, null, scope);
  }
  return contextOf(officer, actor);
}

/** The same checks for something that belongs to an officer (a session, a suggestion, an evaluation). */
export async function officerOf(
  actor: Actor | undefined,
  officerId: Types.ObjectId,
  action: 'coaching.read' | 'coaching.write',
  what: string,
): Promise<OfficerContext> {
  if (!actor) throw new AppError('unauthenticated');
  const [officer] = await findOfficersByIds([String(officerId)]);
  if (!officer) throw new AppError('not_found');
  return officerFor(actor, officer.nip, action, what);
}

/** May the actor write about this officer? (For showing buttons; the services check again.) */
export function canCoach(actor: Actor | undefined, officer: Pick<OfficerDoc, 'nip' | 'unitPath'>): boolean {
  return (
    Boolean(actor) &&
    can(actor, 'coaching.write', { unitPath: officer.unitPath.map(String) }) &&
    !isSelf(actor!, officer)
  );
}

export const officerSummary = (context: OfficerContext) => ({
  id: String(context.officer._id),
  nip: context.officer.nip,
  name: context.officer.name,
  position: context.officer.position,
  unitCode: context.unit.code,
  unitName: context.unit.name,
  timeZone: context.timeZone,
});
