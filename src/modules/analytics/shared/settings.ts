import { AppError } from '../../../platform/errors.js';
import { keptLookups } from '../../../platform/shared-answers.js';
import { check } from '../../../platform/validate.js';
import { assertCan, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findUnitByCode } from '../../directory/index.js';
import { assertWeights, EQUAL_WEIGHTS } from '../../surveys/index.js';
import { AnalyticsSettings, settingsWrites } from './settings-model.js';
import { transparencyPeriodInput, weightsInput } from '../schemas.js';
import type { TransparencyPeriod } from './days.js';

/**
 * Custom SKM element weights per agency (docs/domain.md: they must sum to 1). Read by every IKM figure of the
 * agency's units; absent means the regulation's equal weights, 1/9 each (exactly, never 0.111).
 */

/** Read by every IKM figure, changed by an admin now and then: kept like the directory (LOOKUP_TTL_MS). */
const weightLookups = keptLookups<number[] | null>(settingsWrites, 1_000);

/** The agency's custom weights, or null for equal weights. */
export async function customWeights(agencyCode: string | null | undefined): Promise<number[] | null> {
  if (!agencyCode) return null;
  return weightLookups.get(agencyCode, async () => {
    const settings = await AnalyticsSettings.findById(agencyCode).lean<{ weights?: number[] | null }>();
    return settings?.weights?.length ? settings.weights : null;
  });
}

/** The weights to compute with: the agency's own, or the regulation's (the very EQUAL_WEIGHTS array). */
export async function weightsFor(agencyCode: string | null | undefined): Promise<readonly number[]> {
  return (await customWeights(agencyCode)) ?? EQUAL_WEIGHTS;
}

async function agencyUnit(agencyCode: string) {
  const unit = typeof agencyCode === 'string' ? await findUnitByCode(agencyCode) : null;
  // Only a root unit is an agency.
  if (!unit || unit.parentId || unit.code !== unit.agencyCode) throw new AppError('not_found');
  return unit;
}

export interface WeightsView {
  agencyCode: string;
  weights: number[];
  custom: boolean;
}

/** GET: the agency's weights, for its readers of analytics. */
export async function getWeights(actor: Actor | undefined, agencyCode: string): Promise<WeightsView> {
  const unit = await agencyUnit(agencyCode);
  assertCan(actor, 'analytics.read', { unitPath: unit.path });
  const custom = await customWeights(unit.code);
  return { agencyCode: unit.code, weights: [...(custom ?? EQUAL_WEIGHTS)], custom: Boolean(custom) };
}

/** PUT: an admin of the agency sets custom weights (9 numbers summing to 1), or `null` for equal weights. */
export async function setWeights(actor: Actor | undefined, agencyCode: string, raw: unknown): Promise<WeightsView> {
  const unit = await agencyUnit(agencyCode);
  assertCan(actor, 'directory.manage', { unitPath: unit.path });
  const { weights } = check(weightsInput, raw ?? {}) as { weights: number[] | null };
  if (weights) assertWeights(weights);
  const before = await customWeights(unit.code);
  await AnalyticsSettings.updateOne(
    { _id: unit.code },
    { $set: { weights, updatedBy: actor!.id, updatedAt: new Date() } },
    { upsert: true },
  );
  // `weights` stays in the details beside before/after: readers of the log before they existed look for it.
  await recordAudit(
    actor!,
    'analytics.weights',
    unit.code,
    { weights, before: { weights: before }, after: { weights } },
    null,
    { unitPath: unit.path },
  );
  return { agencyCode: unit.code, weights: [...(weights ?? EQUAL_WEIGHTS)], custom: Boolean(weights) };
}

/** Read by every view of the public transparency page: kept like the weights. */
const periodLookups = keptLookups<TransparencyPeriod>(settingsWrites, 1_000);

/** The period the agency's public transparency figures cover, ending today: the quarter unless it set another. */
export async function transparencyPeriodFor(agencyCode: string | null | undefined): Promise<TransparencyPeriod> {
  if (!agencyCode) return 'quarter';
  return periodLookups.get(agencyCode, async () => {
    const settings = await AnalyticsSettings.findById(agencyCode).lean<{ transparencyPeriod?: TransparencyPeriod }>();
    return settings?.transparencyPeriod ?? 'quarter';
  });
}

/** An admin of the agency sets the period its public transparency figures cover. */
export async function setTransparencyPeriod(
  actor: Actor | undefined,
  agencyCode: string,
  raw: unknown,
): Promise<{ agencyCode: string; transparencyPeriod: TransparencyPeriod }> {
  const unit = await agencyUnit(agencyCode);
  assertCan(actor, 'directory.manage', { unitPath: unit.path });
  const { transparencyPeriod } = check(transparencyPeriodInput, raw ?? {}) as {
    transparencyPeriod: TransparencyPeriod;
  };
  const before = await transparencyPeriodFor(unit.code);
  await AnalyticsSettings.updateOne(
    { _id: unit.code },
    { $set: { transparencyPeriod, updatedBy: actor!.id, updatedAt: new Date() } },
    { upsert: true },
  );
  await recordAudit(
    actor!,
    'analytics.transparency_period',
    unit.code,
    { before: { transparencyPeriod: before }, after: { transparencyPeriod } },
    null,
    { unitPath: unit.path },
  );
  return { agencyCode: unit.code, transparencyPeriod };
}
