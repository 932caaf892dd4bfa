import { AppError } from '../../platform/errors.js';
import { assertCan, can, hasAnyRole, type Actor } from '../../platform/access.js';
import { activeAgencies, findUnitByCode } from '../directory/index.js';
import {
  getWeights,
  setTransparencyPeriod,
  setWeights,
  transparencyPeriodFor,
  type TransparencyPeriod,
} from '../analytics/index.js';
import { clockLengthsFor, setClockLengths, type ClockLengths } from '../feedback/index.js';
import { retentionOf, saveRetention, type RetentionPeriods } from './retention.js';

/**
 * An agency's settings, gathered on one page: each value lives in the module that reads it (SKM weights and the
 * transparency period in analytics, clock lengths in feedback), and this module only reads and changes them through
 * those modules' faces.
 */

export interface AgencySettings {
  agencyCode: string;
  agencyName: string;
  weights: number[];
  customWeights: boolean;
  transparencyPeriod: TransparencyPeriod;
  /** Working days of the ticket clocks; a change applies to deadlines set from then on. */
  clockLengths: ClockLengths;
  retention: RetentionPeriods;
}

/** The agency's root unit, refused to anyone who does not manage it (an unknown code reads as not found). */
async function managedAgency(actor: Actor | undefined, agencyCode: string) {
  if (!actor) throw new AppError('unauthenticated');
  const unit = await findUnitByCode(agencyCode);
  if (!unit || unit.parentId || unit.code !== unit.agencyCode) throw new AppError('not_found');
  assertCan(actor, 'directory.manage', { unitPath: unit.path });
  return unit;
}

export async function agencySettings(actor: Actor | undefined, agencyCode: string): Promise<AgencySettings> {
  const unit = await managedAgency(actor, agencyCode);
  const [weights, transparencyPeriod, clockLengths, retention] = await Promise.all([
    getWeights(actor, unit.code),
    transparencyPeriodFor(unit.code),
    clockLengthsFor(unit.code),
    retentionOf(unit.code),
  ]);
  return {
    agencyCode: unit.code,
    agencyName: unit.name,
    weights: weights.weights,
    customWeights: weights.custom,
    transparencyPeriod,
    clockLengths: { ...clockLengths },
    retention,
  };
}

/** The active agencies whose settings an admin may open: their own, or every one for a platform administrator. */
export async function managedAgencies(actor: Actor | undefined): Promise<{ code: string; name: string }[]> {
  if (!actor) throw new AppError('unauthenticated');
  if (!hasAnyRole(actor, 'admin')) throw new AppError('forbidden');
  return (await activeAgencies())
    .filter((agency) => can(actor, 'directory.manage', { unitPath: [agency._id] }))
    .map(({ code, name }) => ({ code, name }));
}

/** The part of a settings change each owning module checks and records; absent parts stay as they are. */
export interface SettingsChange {
  weights?: number[] | null;
  transparencyPeriod?: unknown;
  clockLengths?: unknown;
  retention?: Partial<Record<keyof RetentionPeriods, unknown>>;
}

/** Applies each part given through the module that owns it (each checks, saves and writes its own audit entry). */
export async function changeSettings(
  actor: Actor | undefined,
  agencyCode: string,
  change: SettingsChange,
): Promise<AgencySettings> {
  const unit = await managedAgency(actor, agencyCode);
  if (change.weights !== undefined) await setWeights(actor, unit.code, { weights: change.weights });
  if (change.transparencyPeriod !== undefined)
    await setTransparencyPeriod(actor, unit.code, { transparencyPeriod: change.transparencyPeriod });
  if (change.clockLengths !== undefined) await setClockLengths(actor, unit.code, change.clockLengths);
  if (change.retention !== undefined) await saveRetention(actor!, unit, change.retention);
  return agencySettings(actor, unit.code);
}
