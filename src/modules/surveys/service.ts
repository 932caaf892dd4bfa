import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Types } from 'mongoose';
import { lookupHash } from '../../platform/crypto.js';
import type { Device } from '../../platform/device.js';
import { addressKey } from '../../platform/security.js';
import { clock } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import { recordEvent, writeWithEvents } from '../../platform/event-log.js';
import { publish, type SurveyEvent } from '../../platform/events.js';
import { logger } from '../../platform/logger.js';
import { check } from '../../platform/validate.js';
import {
  findOfficer,
  findUnitByCode,
  listPublicOfficers,
  type OpeningHours,
  type PublicOfficer,
} from '../directory/index.js';
import { INTEGRITY_RULES, integrityOf } from './integrity.js';
import { kioskEvidence } from './kiosk-answers.js';
import { SurveyResponse, SurveyVisit, type SurveyResponseDoc } from './model.js';
import { kioskSurveyInput, surveyInput, type SurveyInput } from './schemas.js';

/** One answer per visit: the same device, unit and service are refused for this long. */
export const VISIT_WINDOW_HOURS = 12;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface SubmitContext {
  channel: 'form' | 'api' | 'kiosk';
  /** A counter kiosk (channel 'kiosk'): it identifies the device, takes answers back to back, the profile optional. */
  kiosk?: { id: string };
  device: Device;
  ip: string | undefined;
  /** From an `Idempotency-Key` header, already checked for shape. */
  idempotencyKey?: string;
  /** Signed-in staff or an integration's API token: only they may name an officer by NIP. */
  staff?: boolean;
  /** The HTML form asks which service was received whenever the unit lists services. */
  requireService?: boolean;
  now?: Date;
}

export interface Submitted {
  id: string;
  unitCode: string;
  /** True when an earlier request with the same key or form token made this answer. */
  replayed: boolean;
}

// --- The form's rendered-at token ------------------------------------------------------------------------------

const signFormToken = (unitCode: string, nonce: string, at: string) =>
  lookupHash(`survey-form:${unitCode}:${nonce}:${at}`).slice(0, 32);

/**
 * A hidden form field that says when the form was rendered, signed so that it cannot be back-dated: it gives the
 * time to complete, and its nonce makes a double tap one answer.
 */
export function issueFormToken(unitCode: string, now = new Date(clock.now())): string {
  const nonce = randomBytes(12).toString('base64url');
  const at = now.getTime().toString(36);
  return `${nonce}.${at}.${signFormToken(unitCode, nonce, at)}`;
}

export function readFormToken(token: unknown, unitCode: string): { nonce: string; renderedAt: Date } | null {
  if (typeof token !== 'string') return null;
  const [nonce, at, signature, extra] = token.split('.');
  if (!nonce || !at || !signature || extra !== undefined || !/^[\w-]{16}$/.test(nonce)) return null;
  const expected = Buffer.from(signFormToken(unitCode, nonce, at));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const renderedAt = new Date(parseInt(at, 36));
  return Number.isNaN(renderedAt.getTime()) ? null : { nonce, renderedAt };
}

// --- Evidence helpers --------------------------------------------------------------------------------------------

const networkHashOf = (ip: string | undefined) => (ip ? addressKey(ip) : null);

// --- Submitting --------------------------------------------------------------------------------------------------

const unknown = (field: string, key: string) => AppError.validation({ [field]: { key } });

/** The unit, service, counter and officer the answer is about, each checked against the unit. */
async function resolveTarget(input: SurveyInput, staff: boolean) {
  const unit = await findUnitByCode(input.unitCode);
  if (!unit || !unit.active) throw unknown('unitCode', 'surveys.unknown_unit');
  const serviceCode = input.serviceCode || null;
  if (serviceCode && !unit.services.some((service) => service.active && service.code === serviceCode))
    throw unknown('serviceCode', 'surveys.unknown_service');
  const counterCode = input.counter || null;
  if (counterCode && !unit.counters.some((counter) => counter.active !== false && counter.code === counterCode))
    throw unknown('counter', 'surveys.unknown_counter');
  // A NIP encodes a birth date, and answering "unknown officer" to anyone would confirm whose it is: the public
  // names officers by their opaque reference only.
  if (input.officerNip && !staff) throw unknown('officerNip', 'surveys.nip_staff_only');
  if (input.officerNip && input.officerRef) throw unknown('officerRef', 'surveys.officer_one_way');
  let officerId: Types.ObjectId | null = null;
  if (input.officerNip || input.officerRef) {
    const field = input.officerNip ? 'officerNip' : 'officerRef';
    const officer = await findOfficer(input.officerNip ? { nip: input.officerNip } : { ref: input.officerRef! });
    // An officer of another unit is as unknown here as one who does not exist.
    if (!officer || String(officer.unitId) !== String(unit._id)) throw unknown(field, 'surveys.unknown_officer');
    officerId = officer._id;
  }
  return { unit, serviceCode, counterCode, officerId };
}

/** The profile as stored: a field left out (only a kiosk allows that) is absent, never an empty string. */
const profileOf = (respondent: SurveyInput['respondent'] | undefined) =>
  Object.fromEntries(Object.entries(respondent ?? {}).filter(([, value]) => Boolean(value)));

const byKey = (idempotencyKey: string) =>
  SurveyResponse.findOne({ idempotencyKey }, { _id: 1, unitCode: 1 }).lean<{ _id: Types.ObjectId; unitCode: string }>();

const isDuplicateKey = (error: unknown) => (error as { code?: number })?.code === 11000;

/**
 * Claims the visit (device, unit, service) for the window in one atomic upsert: it matches only an expired claim,
 * so a live claim makes the upsert's insert fail on the `_id`. Returns the idempotency key of a live claim instead.
 */
async function claimVisit(
  visitId: string,
  idempotencyKey: string | null,
  now: Date,
): Promise<{ claimed: true } | { claimed: false; heldBy: string | null }> {
  try {
    await SurveyVisit.updateOne(
      { _id: visitId, expiresAt: { $lte: now } },
      { $set: { idempotencyKey, expiresAt: new Date(now.getTime() + VISIT_WINDOW_HOURS * HOUR_MS) } },
      { upsert: true },
    );
    return { claimed: true };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const held = await SurveyVisit.findById(visitId).lean<{ idempotencyKey: string | null }>();
    return { claimed: false, heldBy: held?.idempotencyKey ?? null };
  }
}

/** The other tap of a double tap is still writing: wait briefly for its answer rather than refusing. */
async function awaitAnswer(idempotencyKey: string): Promise<{ _id: Types.ObjectId; unitCode: string } | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const existing = await byKey(idempotencyKey);
    if (existing) return existing;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

const submittedEvent = (
  surveyId: Types.ObjectId,
  unit: { _id: Types.ObjectId; path: Types.ObjectId[] },
  serviceCode: string | null,
  officerId: Types.ObjectId | null,
  input: SurveyInput,
  at: Date,
): SurveyEvent => ({
  surveyId: String(surveyId),
  unitId: String(unit._id),
  unitPath: unit.path.map(String),
  serviceCode,
  officerId: officerId ? String(officerId) : null,
  answers: [...input.answers],
  at,
});

/**
 * A citizen rates a visit (SKM). The answer is checked against the unit, refused when the same device already rated
 * the same service of the unit within the visit window, stored with its integrity evidence, and announced as
 * `survey.submitted`. A repeated idempotency key (header or form token) returns the first answer instead.
 */
export async function submitSurvey(raw: unknown, context: SubmitContext): Promise<Submitted> {
  const kiosk = context.channel === 'kiosk' ? (context.kiosk ?? null) : null;
  const base = kiosk ? kioskSurveyInput : surveyInput;
  const schema = context.requireService ? base.fork(['serviceCode'], (code) => code.required()) : base;
  const input = check(schema, raw ?? {}) as SurveyInput;
  const { unit, serviceCode, counterCode, officerId } = await resolveTarget(input, context.staff ?? false);
  const now = context.now ?? new Date(clock.now());
  const form = readFormToken(input.formToken, unit.code);
  const idempotencyKey = context.idempotencyKey ? `api:${context.idempotencyKey}` : form ? `form:${form.nonce}` : null;

  if (idempotencyKey) {
    const earlier = await byKey(idempotencyKey);
    if (earlier) return { id: String(earlier._id), unitCode: earlier.unitCode, replayed: true };
  }

  // A kiosk serves one person after another: the one-answer-per-visit claim is for people's own devices.
  const visitId = kiosk ? null : `${context.device.hash}:${String(unit._id)}:${serviceCode ?? '-'}`;
  const claim = visitId ? await claimVisit(visitId, idempotencyKey, now) : ({ claimed: true } as const);
  if (!claim.claimed) {
    const earlier = idempotencyKey && claim.heldBy === idempotencyKey ? await awaitAnswer(idempotencyKey) : null;
    if (earlier) return { id: String(earlier._id), unitCode: earlier.unitCode, replayed: true };
    logger.info({ unit: unit.code, serviceCode }, 'survey refused: this device already answered this visit');
    throw new AppError('conflict', 'surveys.already_answered', { unit: unit.name, hours: VISIT_WINDOW_HOURS });
  }

  const networkHash = networkHashOf(context.ip);
  const since = (ms: number) => ({ $gte: new Date(now.getTime() - ms), $lt: now });
  const [unitBurst, sameNetwork, sameDevice, kioskCounts] = await Promise.all([
    SurveyResponse.countDocuments({
      unitId: unit._id,
      submittedAt: since(INTEGRITY_RULES.burstWindowMinutes * MINUTE_MS),
    }),
    networkHash
      ? SurveyResponse.countDocuments({
          unitId: unit._id,
          'integrity.networkHash': networkHash,
          submittedAt: since(INTEGRITY_RULES.sameNetworkWindowMinutes * MINUTE_MS),
        })
      : 0,
    SurveyResponse.countDocuments({
      unitId: unit._id,
      'integrity.deviceHash': context.device.hash,
      submittedAt: since(INTEGRITY_RULES.sameDeviceWindowHours * HOUR_MS),
    }),
    kiosk ? kioskEvidence(kiosk.id, now) : null,
  ]);
  const integrity = integrityOf({
    answers: input.answers,
    submittedAt: now,
    timeZone: unit.timeZone,
    openingHours: (unit.openingHours as OpeningHours | null | undefined) ?? null,
    device: context.device,
    networkHash,
    form: context.channel === 'form' || form ? { renderedAt: form?.renderedAt ?? null } : null,
    counts: { unitBurst, sameNetwork, sameDevice },
    kiosk: kioskCounts,
  });

  let saved;
  try {
    // The answer and the record of its event: one transaction, so the rollups and the record never miss it.
    saved = await writeWithEvents(async (session) => {
      const [created] = await SurveyResponse.create(
        [
          {
            unitId: unit._id,
            unitCode: unit.code,
            unitPath: unit.path,
            agencyCode: unit.agencyCode,
            serviceCode,
            counterCode,
            officerId,
            answers: input.answers,
            respondent: profileOf(input.respondent),
            comment: input.comment || null,
            channel: context.channel,
            kioskId: kiosk?.id ?? null,
            submittedAt: now,
            idempotencyKey,
            integrity,
          },
        ],
        { session },
      );
      await recordEvent(
        session,
        'survey.submitted',
        submittedEvent(created!._id, unit, serviceCode, officerId, input, now),
      );
      return created!;
    });
  } catch (error) {
    if (visitId) await SurveyVisit.deleteOne({ _id: visitId }).catch(() => undefined);
    if (idempotencyKey && isDuplicateKey(error)) {
      const earlier = await byKey(idempotencyKey);
      if (earlier) return { id: String(earlier._id), unitCode: earlier.unitCode, replayed: true };
    }
    throw error;
  }

  publish('survey.submitted', submittedEvent(saved._id, unit, serviceCode, officerId, input, now));
  return { id: String(saved._id), unitCode: unit.code, replayed: false };
}

// --- The form ----------------------------------------------------------------------------------------------------

export interface SurveyForm {
  unit: { code: string; name: string };
  services: { code: string; name: string }[];
  counters: { code: string; name: string }[];
  /** Name, position and opaque reference: never a NIP. */
  officers: PublicOfficer[];
}

/** What the public survey page of a unit offers; not found for an unknown or inactive unit. */
export async function surveyFormFor(unitCode: string): Promise<SurveyForm> {
  const unit = /^[A-Za-z0-9][A-Za-z0-9-]{1,39}$/.test(unitCode) ? await findUnitByCode(unitCode) : null;
  if (!unit || !unit.active) throw new AppError('not_found');
  return {
    unit: { code: unit.code, name: unit.name },
    services: unit.services
      .filter((service) => service.active)
      .map((service) => ({ code: service.code, name: service.name })),
    counters: unit.counters
      .filter((counter) => counter.active !== false)
      .map((counter) => ({ code: counter.code, name: counter.name })),
    officers: await listPublicOfficers(unit.code),
  };
}

export type { SurveyResponseDoc };
