import mongoose, { type Types } from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { activeCategories, countedOutcomes } from '../../feedback/index.js';
import { adminAgency } from '../evaluations/settings.js';
import { courseOfAgency } from '../training/catalogue.js';
import { CoachingRule, type RuleDoc } from './model.js';
import { ruleChange, ruleInput, type RuleInput } from './rule-schemas.js';
import { rulesForAgency } from './rules.js';

/**
 * An agency's development-plan rules, kept by its admins (`directory.manage` on the agency, like the agency's other
 * coaching settings: the rules are agency policy, not one coach's call). An agency edits or deactivates a national
 * default by keeping its own copy under the same code; other agencies keep the default (docs/domain.md, "Coaching
 * record"). Every change is audited with the rule before and after.
 */

export const ruleView = (rule: RuleDoc) => ({
  code: rule.code,
  category: rule.category,
  minCount: rule.minCount,
  windowDays: rule.windowDays,
  competency: { id: rule.competency?.id ?? '', en: rule.competency?.en ?? '' },
  training: { id: rule.training?.id ?? '', en: rule.training?.en ?? '' },
  jp: rule.jp ?? null,
  courseId: rule.courseId ? String(rule.courseId) : null,
  active: rule.active,
  /** 'national': the default applies as seeded; 'agency': the agency's own rule or its copy of a default. */
  source: rule.agencyId ? ('agency' as const) : ('national' as const),
});
export type RuleView = ReturnType<typeof ruleView>;

export async function listRules(actor: Actor | undefined, agencyCode: unknown) {
  const agency = await adminAgency(actor, agencyCode);
  return {
    agency: { id: String(agency._id), code: agency.code, name: agency.name },
    rules: (await rulesForAgency(agency._id)).map(ruleView),
  };
}

export async function getRule(actor: Actor | undefined, agencyCode: unknown, code: unknown) {
  const agency = await adminAgency(actor, agencyCode);
  const rule = (await rulesForAgency(agency._id)).find((candidate) => candidate.code === code);
  if (!rule) throw new AppError('not_found');
  return { agency: { id: String(agency._id), code: agency.code, name: agency.name }, rule: ruleView(rule) };
}

/** A rule names a category the agency uses: a national one it has not switched off, or one of its own. */
async function assertCategory(category: string | undefined, agencyCode: string): Promise<void> {
  if (category === undefined) return;
  if (!(await activeCategories(agencyCode)).some((known) => known.code === category))
    throw AppError.validation({ category: { key: 'coaching.rules.unknown_category' } });
}

/**
 * The stored fields of a rule from the admin's input (only those given). A catalogue course names the training and
 * its JP unless the admin wrote them; an empty course takes the link back.
 */
async function ruleFields(agencyId: Types.ObjectId, input: Partial<RuleInput>, before?: RuleView) {
  const set: Record<string, unknown> = {};
  if (input.courseId) {
    const course = await courseOfAgency(agencyId, input.courseId);
    set.courseId = course._id;
    input = { trainingId: course.title, trainingEn: course.title, jp: course.jp, ...input };
  } else if (input.courseId !== undefined) set.courseId = null;
  for (const key of ['category', 'minCount', 'windowDays', 'active'] as const)
    if (input[key] !== undefined) set[key] = input[key];
  if (input.competencyId !== undefined || input.competencyEn !== undefined) {
    const id = input.competencyId ?? before!.competency.id;
    set.competency = { id, en: input.competencyEn || id };
  }
  if (input.trainingId !== undefined || input.trainingEn !== undefined) {
    const id = input.trainingId ?? before!.training.id;
    set.training = { id, en: input.trainingEn || id };
  }
  if (input.jp !== undefined) set.jp = input.jp === '' ? null : input.jp;
  return set;
}

/** An agency admin adds a rule of the agency's own. */
export async function createRule(actor: Actor | undefined, agencyCode: unknown, raw: unknown) {
  const agency = await adminAgency(actor, agencyCode);
  const input = check<RuleInput>(ruleInput, raw);
  await assertCategory(input.category, agency.code);
  // The code names the rule in suggestions and the audit log; an agency's own rules are told apart by their id.
  const code = `${agency.code.toLowerCase()}_${input.category}_${new mongoose.Types.ObjectId().toHexString().slice(-6)}`;
  const created = await CoachingRule.create({
    agencyId: agency._id,
    code,
    outcomes: [...countedOutcomes],
    active: true,
    ...(await ruleFields(agency._id, input)),
  });
  const after = ruleView(created.toObject() as RuleDoc);
  await recordAudit(actor!, 'coaching.rule.create', agency.code, { code, before: null, after }, null, {
    unitPath: agency.path,
  });
  return after;
}

/**
 * An agency admin changes a rule (or only switches it on or off). A national default is not changed: the agency gets
 * its own copy of it with the change, and the default stays for every other agency.
 */
export async function updateRule(actor: Actor | undefined, agencyCode: unknown, code: unknown, raw: unknown) {
  const agency = await adminAgency(actor, agencyCode);
  const current = (await rulesForAgency(agency._id)).find((rule) => rule.code === code);
  if (!current) throw new AppError('not_found');
  const input = check<Partial<RuleInput>>(ruleChange, raw);
  await assertCategory(input.category, agency.code);
  const before = ruleView(current);
  const set = await ruleFields(agency._id, input, before);
  const updated = current.agencyId
    ? await CoachingRule.findOneAndUpdate(
        { _id: current._id },
        { $set: set },
        { returnDocument: 'after' },
      ).lean<RuleDoc>()
    : (
        await CoachingRule.create({
          ...Object.fromEntries(
            Object.entries(current).filter(([key]) => !['_id', '__v', 'createdAt', 'updatedAt'].includes(key)),
          ),
          agencyId: agency._id,
          ...set,
        })
      ).toObject();
  if (!updated) throw new AppError('not_found');
  const after = ruleView(updated as RuleDoc);
  const action =
    input.active === undefined || Object.keys(set).length > 1 ? 'update' : input.active ? 'activate' : 'deactivate';
  await recordAudit(actor!, `coaching.rule.${action}`, agency.code, { code: before.code, before, after }, null, {
    unitPath: agency.path,
  });
  return after;
}
