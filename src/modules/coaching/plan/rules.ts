import type { Types } from 'mongoose';
import { findOfficersByIds } from '../../directory/index.js';
import {
  countedOutcomes,
  findingIdsOfOfficer,
  officersWithFindings,
  type FindingOutcome,
} from '../../feedback/index.js';
import { oid } from '../access.js';
import { CoachingRule, PlanSuggestion, type RuleDoc } from './model.js';

/**
 * The development plan's rules, kept as data (the `coaching_rules` collection): a category that recurs among an
 * officer's findings suggests a competency and a training. Only findings count — never a complaint without a
 * finding, never a `not_substantiated` one (docs/domain.md, "Findings and fairness"). The competency areas
 * follow the category mapping of src/modules/feedback/categories.ts.
 */
export const defaultRules = [
  {
    code: 'conduct_repeat',
    category: 'officer_conduct',
    minCount: 2,
    windowDays: 90,
    competency: { id: 'Pelayanan Prima / perilaku pelayanan', en: 'Service excellence / service conduct' },
    training: { id: 'Pelatihan Pelayanan Prima', en: 'Service Excellence Training' },
    jp: 24,
  },
  {
    code: 'competence_repeat',
    category: 'competence',
    minCount: 2,
    windowDays: 90,
    competency: { id: 'Kompetensi teknis layanan', en: 'Technical service competence' },
    training: { id: 'Bimbingan teknis layanan', en: 'Technical service coaching (bimtek)' },
    jp: 16,
  },
  {
    code: 'waiting_time_repeat',
    category: 'waiting_time',
    minCount: 3,
    windowDays: 90,
    competency: { id: 'Pelayanan Prima / manajemen antrean', en: 'Service excellence / queue management' },
    training: { id: 'Pelatihan Manajemen Antrean dan Pelayanan Prima', en: 'Queue Management and Service Training' },
    jp: 16,
  },
  {
    code: 'slow_processing_repeat',
    category: 'slow_processing',
    minCount: 2,
    windowDays: 90,
    competency: { id: 'Manajemen waktu', en: 'Time management' },
    training: { id: 'Pelatihan Manajemen Waktu dan Prioritas Kerja', en: 'Time and Priority Management Training' },
    jp: 12,
  },
  {
    // One substantiated illegal fee is already a matter of integrity.
    code: 'illegal_fee',
    category: 'illegal_fee',
    minCount: 1,
    windowDays: 365,
    competency: { id: 'Integritas dan antikorupsi', en: 'Integrity and anti-corruption' },
    training: { id: 'Pelatihan Integritas dan Antikorupsi', en: 'Integrity and Anti-Corruption Training' },
    jp: 20,
  },
  {
    code: 'discrimination_repeat',
    category: 'discrimination',
    minCount: 2,
    windowDays: 180,
    competency: { id: 'Etika pelayanan dan pelayanan inklusif', en: 'Service ethics and inclusive service' },
    training: { id: 'Pelatihan Etika dan Pelayanan Inklusif', en: 'Ethics and Inclusive Service Training' },
    jp: 16,
  },
] as const;

/** Seeds the national default rules; later edits are kept (only missing rules are inserted). */
export async function ensureCoachingRules(): Promise<void> {
  // Rules were once unique by code alone; an agency's copy of a default now shares the default's code.
  const indexes = await CoachingRule.collection.indexes().catch(() => []);
  if (indexes.some((index) => index.name === 'code_1')) await CoachingRule.collection.dropIndex('code_1');
  await CoachingRule.bulkWrite(
    defaultRules.map((rule) => ({
      updateOne: {
        filter: { code: rule.code, agencyId: null },
        update: {
          $setOnInsert: {
            ...rule,
            outcomes: [...countedOutcomes],
            competency: { ...rule.competency },
            training: { ...rule.training },
            active: true,
          },
        },
        upsert: true,
      },
    })),
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The rules that apply to an agency's officers, active or not: the national defaults, each replaced by the agency's
 * rule of the same code where it has one (so an agency switches a default off by deactivating its copy), then the
 * agency's own rules. Ordered by code.
 */
export async function rulesForAgency(agencyId: Types.ObjectId | string) {
  const rules = await CoachingRule.find({ agencyId: { $in: [null, oid(agencyId)] } }).lean<RuleDoc[]>();
  const byCode = new Map<string, RuleDoc>();
  for (const rule of rules) if (rule.agencyId || !byCode.has(rule.code)) byCode.set(rule.code, rule);
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/**
 * Evaluates the active rules for one officer at `now` and stores a suggestion for each rule that fires. A rule
 * does not suggest again while an earlier suggestion of it is still open, nor within its window after the coach
 * decided one (accepted or dismissed): the same findings do not nag twice. Returns the suggestions it created.
 */
export async function evaluateRules(officerId: string | Types.ObjectId, now = new Date()) {
  const [officer] = await findOfficersByIds([String(officerId)]);
  if (!officer) return [];
  const rules = (await rulesForAgency(officer.unitPath[0]!)).filter((rule) => rule.active);
  const created = [];
  for (const rule of rules) {
    const since = new Date(now.getTime() - rule.windowDays * DAY_MS);
    const outcomes = (rule.outcomes as FindingOutcome[]).filter((outcome) => countedOutcomes.includes(outcome));
    const findingIds = await findingIdsOfOfficer(officer._id, {
      category: rule.category,
      outcomes,
      changed: { from: since, to: now },
    });
    if (findingIds.length < rule.minCount) continue;
    const blocking = await PlanSuggestion.exists({
      officerId: officer._id,
      ruleCode: rule.code,
      $or: [{ status: 'suggested' }, { decidedAt: { $gte: since } }],
    });
    if (blocking) continue;
    created.push(
      await PlanSuggestion.create({
        officerId: officer._id,
        unitPath: officer.unitPath,
        ruleCode: rule.code,
        category: rule.category,
        findingIds,
        competency: rule.competency,
        training: rule.training,
        courseId: rule.courseId ?? null,
      }),
    );
  }
  return created;
}

/**
 * The safety net for a missed `finding.recorded` (subscribers are fire-and-forget: a crash between the finding's
 * write and the event loses the event): evaluates the rules again for every officer with a finding that counts
 * inside the longest rule window. Idempotent, like `evaluateRules`. Returns how many suggestions it made.
 */
export async function reevaluateRules(now = new Date(), signal?: AbortSignal): Promise<{ suggested: number }> {
  const rules = await CoachingRule.find({ active: true }).select({ windowDays: 1 }).lean<RuleDoc[]>();
  if (rules.length === 0) return { suggested: 0 };
  const since = new Date(now.getTime() - Math.max(...rules.map((rule) => rule.windowDays)) * DAY_MS);
  const officerIds = await officersWithFindings({ outcomes: countedOutcomes, changed: { from: since, to: now } });
  let suggested = 0;
  for (const officerId of officerIds) {
    if (signal?.aborted) break;
    suggested += (await evaluateRules(officerId, now)).length;
  }
  return { suggested };
}
