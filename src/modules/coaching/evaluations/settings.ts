import type { Types } from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { assertCan, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findUnitByCode } from '../../directory/index.js';
import { oid } from '../access.js';
import { CoachingSetting, type EvaluationPeriod } from './model.js';
import { settingsInput } from './schemas.js';

/** How often an agency evaluates its officers; quarterly unless the agency set otherwise. */
export async function evaluationPeriodOf(agencyId: string | Types.ObjectId): Promise<EvaluationPeriod> {
  const setting = await CoachingSetting.findOne({ agencyId: oid(agencyId) }).lean();
  return (setting?.evaluationPeriod as EvaluationPeriod | undefined) ?? 'quarterly';
}

async function agencyFor(actor: Actor | undefined, agencyCode: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const unit = typeof agencyCode === 'string' ? await findUnitByCode(agencyCode) : null;
  if (!unit || unit.path.length !== 1) throw new AppError('not_found');
  assertCan(actor, 'directory.manage', { unitPath: unit.path.map(String) });
  return unit;
}

/** The agency's coaching settings, for its admins. */
export async function evaluationSettings(actor: Actor | undefined, agencyCode: unknown) {
  const unit = await agencyFor(actor, agencyCode);
  return { agencyCode: unit.code, agencyName: unit.name, evaluationPeriod: await evaluationPeriodOf(unit._id) };
}

/** An agency admin sets the evaluation period of the agency. */
export async function setEvaluationPeriod(actor: Actor | undefined, agencyCode: unknown, raw: unknown) {
  const unit = await agencyFor(actor, agencyCode);
  const input = check<{ evaluationPeriod: EvaluationPeriod }>(settingsInput, raw);
  await CoachingSetting.updateOne(
    { agencyId: unit._id },
    { $set: { evaluationPeriod: input.evaluationPeriod } },
    { upsert: true },
  );
  await recordAudit(actor!, 'coaching.settings', unit.code, { evaluationPeriod: input.evaluationPeriod }, null, {
    unitPath: unit.path,
  });
  return { agencyCode: unit.code, evaluationPeriod: input.evaluationPeriod };
}
