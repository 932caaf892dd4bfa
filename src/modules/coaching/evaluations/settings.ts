import type { Types } from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { assertCan, scopeOf, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findUnitByCode, findUnitById, type UnitDoc } from '../../directory/index.js';
import { oid } from '../access.js';
import { CoachingSetting, DEFAULT_JP_TARGET, type BehaviourRule, type EvaluationPeriod } from './model.js';
import { settingsInput } from './schemas.js';

export interface AgencyCoachingSettings {
  evaluationPeriod: EvaluationPeriod;
  behaviourRule: BehaviourRule;
  jpTarget: number;
}

/** An agency's coaching settings, the defaults filled in: quarterly, the strict behaviour rule, 20 JP a year. */
export async function coachingSettingsOf(agencyId: string | Types.ObjectId): Promise<AgencyCoachingSettings> {
  const setting = await CoachingSetting.findOne({ agencyId: oid(agencyId) }).lean();
  return {
    evaluationPeriod: (setting?.evaluationPeriod as EvaluationPeriod | undefined) ?? 'quarterly',
    behaviourRule: (setting?.behaviourRule as BehaviourRule | undefined) ?? 'strict',
    jpTarget: setting?.jpTarget ?? DEFAULT_JP_TARGET,
  };
}

/** How often an agency evaluates its officers; quarterly unless the agency set otherwise. */
export async function evaluationPeriodOf(agencyId: string | Types.ObjectId): Promise<EvaluationPeriod> {
  return (await coachingSettingsOf(agencyId)).evaluationPeriod;
}

/** The yearly JP target of an agency's officers; 20 unless the agency set otherwise. */
export async function jpTargetOf(agencyId: string | Types.ObjectId): Promise<number> {
  return (await coachingSettingsOf(agencyId)).jpTarget;
}

/** The agency named by its code, for one of its admins (`directory.manage` on the agency): the settings' owner. */
export async function agencyFor(actor: Actor | undefined, agencyCode: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const unit = typeof agencyCode === 'string' ? await findUnitByCode(agencyCode) : null;
  if (!unit || unit.path.length !== 1) throw new AppError('not_found');
  assertCan(actor, 'directory.manage', { unitPath: unit.path.map(String) });
  return unit;
}

/**
 * The agency whose coaching settings, rules or training catalogue the actor keeps: the one named, or else the first
 * agency the actor administers (a platform admin, who administers every agency, must name one).
 */
export async function adminAgency(actor: Actor | undefined, agencyCode: unknown): Promise<UnitDoc> {
  if (typeof agencyCode === 'string' && agencyCode) return agencyFor(actor, agencyCode);
  const scope = scopeOf(actor, 'directory.manage');
  if (scope !== 'all')
    for (const unitId of scope) {
      const unit = await findUnitById(unitId);
      if (unit && unit.path.length === 1) return agencyFor(actor, unit.code);
    }
  if (!actor) throw new AppError('unauthenticated');
  // A platform admin must say which agency; an admin of units below an agency keeps no agency's settings.
  if (scope === 'all') throw AppError.validation({ agency: { key: 'coaching.rules.agency_required' } });
  throw new AppError('forbidden');
}

/** The agency's coaching settings, for its admins. */
export async function evaluationSettings(actor: Actor | undefined, agencyCode: unknown) {
  const unit = await agencyFor(actor, agencyCode);
  return { agencyCode: unit.code, agencyName: unit.name, ...(await coachingSettingsOf(unit._id)) };
}

/**
 * An agency admin sets the agency's evaluation period, behaviour rule and yearly JP target (any of them; the others
 * stay). Audited with the settings before and after.
 */
export async function setEvaluationPeriod(actor: Actor | undefined, agencyCode: unknown, raw: unknown) {
  const unit = await agencyFor(actor, agencyCode);
  const input = check<Partial<AgencyCoachingSettings>>(settingsInput, raw);
  const before = await coachingSettingsOf(unit._id);
  await CoachingSetting.updateOne({ agencyId: unit._id }, { $set: input }, { upsert: true });
  const after = { ...before, ...input };
  await recordAudit(actor!, 'coaching.settings', unit.code, { before, after }, null, { unitPath: unit.path });
  return { agencyCode: unit.code, ...after };
}
