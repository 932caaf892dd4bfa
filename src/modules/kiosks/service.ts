import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { assertCan, can, scopeOf, type Actor } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit-log.js';
import { lookupHash } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { check } from '../../platform/validate.js';
import { findUnitByCode, findUnitById, type UnitDoc } from '../directory/index.js';
import { Kiosk, type KioskDoc } from './model.js';
import { KIOSK_KEY, registerKioskInput, type RegisterKioskInput } from './schemas.js';

/** Registering, listing and revoking counter kiosks, and finding the kiosk behind an address. */

const keyHashOf = (key: string) => lookupHash(`kiosk:${key}`);

/** The kiosk's address: the secret travels in the query, which the request log leaves out. */
export const kioskUrl = (publicUrl: string, key: string) => `${publicUrl}/kiosk?key=${key}`;

/** A kiosk as staff see it: never the secret nor its hash. */
function kioskView(kiosk: KioskDoc) {
  return {
    id: String(kiosk._id),
    unitCode: kiosk.unitCode,
    counter: kiosk.counterCode ?? null,
    prefix: kiosk.prefix,
    createdAt: kiosk.createdAt,
    createdBy: kiosk.createdBy?.name ?? '',
    lastUsedAt: kiosk.lastUsedAt ?? null,
    revokedAt: kiosk.revokedAt ?? null,
    active: !kiosk.revokedAt,
  };
}
export type KioskView = ReturnType<typeof kioskView>;

const scopeOfKiosk = (kiosk: Pick<KioskDoc, 'unitPath'>) => ({ unitPath: kiosk.unitPath.map(String) });

/**
 * An admin or a unit head registers a kiosk for a unit of their subtree, optionally for one of its counters. The
 * secret is returned once, inside the address; only its keyed hash is stored.
 */
export async function registerKiosk(
  actor: Actor | undefined,
  raw: unknown,
  publicUrl: string,
): Promise<KioskView & { url: string }> {
  if (!actor) throw new AppError('unauthenticated');
  const input = check(registerKioskInput, raw ?? {}) as RegisterKioskInput;
  const unit = await findUnitByCode(input.unitCode);
  if (!unit || !unit.active) throw AppError.validation({ unitCode: { key: 'kiosks.unknown_unit' } });
  // Unit codes are public (GET /api/v1/units): a unit outside the subtree is refused, not hidden.
  assertCan(actor, 'kiosks.manage', { unitPath: unit.path.map(String) });
  const counterCode = input.counter || null;
  if (counterCode && !unit.counters.some((counter) => counter.active !== false && counter.code === counterCode))
    throw AppError.validation({ counter: { key: 'kiosks.unknown_counter' } });
  const key = `k_${randomBytes(24).toString('base64url')}`;
  const created = await Kiosk.create({
    unitId: unit._id,
    unitCode: unit.code,
    unitPath: unit.path,
    agencyCode: unit.agencyCode,
    counterCode,
    keyHash: keyHashOf(key),
    prefix: key.slice(0, 8),
    createdBy: { userId: actor.id, name: actor.name },
  });
  const view = kioskView(created.toObject() as KioskDoc);
  await recordAudit(actor, 'kiosk.register', view.id, { after: { unitCode: unit.code, counter: counterCode } }, null, {
    unitPath: unit.path,
  });
  return { ...view, url: kioskUrl(publicUrl, key) };
}

/** The kiosks of the actor's subtree, newest first; revoked ones stay listed, for the record. */
export async function listKiosks(actor: Actor | undefined): Promise<KioskView[]> {
  if (!actor) throw new AppError('unauthenticated');
  const scope = scopeOf(actor, 'kiosks.manage');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  const filter = scope === 'all' ? {} : { unitPath: { $in: scope.map((id) => new Types.ObjectId(id)) } };
  const kiosks = await Kiosk.find(filter).sort({ createdAt: -1 }).limit(500).lean<KioskDoc[]>();
  return kiosks.map(kioskView);
}

/** Revokes a kiosk: its address stops working at once. Another subtree's kiosk, or a forged id, is not found. */
export async function revokeKiosk(actor: Actor | undefined, id: unknown): Promise<KioskView> {
  if (!actor) throw new AppError('unauthenticated');
  const kiosk =
    typeof id === 'string' && Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id)
      ? await Kiosk.findById(id).lean<KioskDoc>()
      : null;
  if (!kiosk || !can(actor, 'kiosks.manage', scopeOfKiosk(kiosk))) throw new AppError('not_found');
  if (kiosk.revokedAt) return kioskView(kiosk);
  const revoked = await Kiosk.findOneAndUpdate(
    { _id: kiosk._id, revokedAt: null },
    { $set: { revokedAt: new Date(), revokedBy: { userId: actor.id, name: actor.name } } },
    { returnDocument: 'after' },
  ).lean<KioskDoc>();
  const view = kioskView(revoked ?? kiosk);
  await recordAudit(actor, 'kiosk.revoke', view.id, { before: { active: true }, after: { active: false } }, null, {
    unitPath: kiosk.unitPath,
  });
  return view;
}

/** The units (with their active counters) an actor may register kiosks for, for the staff page's pickers. */
export function kioskUnitsOf(units: readonly (UnitDoc & { depth?: number })[]) {
  return units
    .filter((unit) => unit.active)
    .map((unit) => ({
      code: unit.code,
      name: unit.name,
      depth: unit.depth ?? 0,
      counters: unit.counters
        .filter((counter) => counter.active !== false)
        .map((counter) => ({ code: counter.code, name: counter.name })),
    }));
}

/** A working kiosk, as its pages and intake need it. */
export interface ActiveKiosk {
  id: string;
  unit: UnitDoc;
  counter: { code: string; name: string } | null;
  key: string;
}

export type KioskLookup = { state: 'active'; kiosk: ActiveKiosk } | { state: 'revoked' } | { state: 'unknown' };

/**
 * The kiosk behind an address's secret: read from the database on every request (no cache), so a revocation holds
 * at once on every process. A kiosk of a unit since closed is as revoked.
 */
export async function kioskByKey(key: unknown): Promise<KioskLookup> {
  if (typeof key !== 'string' || !KIOSK_KEY.test(key)) return { state: 'unknown' };
  const kiosk = await Kiosk.findOne({ keyHash: keyHashOf(key) }).lean<KioskDoc>();
  if (!kiosk) return { state: 'unknown' };
  if (kiosk.revokedAt) return { state: 'revoked' };
  const unit = await findUnitById(String(kiosk.unitId));
  if (!unit || !unit.active) return { state: 'revoked' };
  const counter = kiosk.counterCode ? unit.counters.find((entry) => entry.code === kiosk.counterCode) : undefined;
  return {
    state: 'active',
    kiosk: {
      id: String(kiosk._id),
      unit,
      counter: counter ? { code: counter.code, name: counter.name } : null,
      key,
    },
  };
}

/** Notes that the kiosk took something (shown on the staff page); a failure here never loses the answer. */
export async function noteKioskUse(kioskId: string): Promise<void> {
  await Kiosk.updateOne({ _id: new Types.ObjectId(kioskId) }, { $set: { lastUsedAt: new Date() } }).catch(
    () => undefined,
  );
}

/** The kiosks registered at these units (any state), for the per-kiosk integrity figures. */
export async function kiosksAt(unitIds: readonly Types.ObjectId[]): Promise<KioskView[]> {
  const kiosks = await Kiosk.find({ unitId: { $in: [...unitIds] } })
    .sort({ createdAt: 1 })
    .limit(1000)
    .lean<KioskDoc[]>();
  return kiosks.map(kioskView);
}
