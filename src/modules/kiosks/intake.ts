import Joi from 'joi';
import { lookupHash } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { t, type Lang } from '../../platform/i18n.js';
import { check } from '../../platform/validate.js';
import { listPublicOfficers, type PublicOfficer } from '../directory/index.js';
import { fileTicket, type Receipt } from '../feedback/index.js';
import { submitSurvey } from '../surveys/index.js';
import { noteKioskUse, type ActiveKiosk } from './service.js';

/**
 * What a kiosk takes: an SKM answer (profile optional) and a compliment in three taps. Both go through the surveys'
 * and feedback's own intake with the kiosk as their context, so every rule of those modules holds; the kiosk only
 * adds who it is (channel 'kiosk' and its id).
 */

/** The kiosk is the device: its answers share one device hash, which the per-kiosk rules read instead. */
const deviceOf = (kiosk: ActiveKiosk) => ({ hash: lookupHash(`kiosk-device:${kiosk.id}`), fresh: false });

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const orNull = (value: unknown) => text(value) || null;

/** The survey form's fields in the API's shape; the unit and counter are the kiosk's, never the form's. */
export function surveyInputFrom(kiosk: ActiveKiosk, body: Record<string, unknown>, elementCount: number) {
  return {
    unitCode: kiosk.unit.code,
    counter: kiosk.counter?.code ?? null,
    serviceCode: orNull(body.serviceCode),
    answers: Array.from({ length: elementCount }, (_, index) => {
      const value = text(body[`answer${index + 1}`]);
      return /^[1-4]$/.test(value) ? Number(value) : null;
    }),
    respondent: {
      gender: orNull(body.gender),
      ageBand: orNull(body.ageBand),
      education: orNull(body.education),
      occupation: orNull(body.occupation),
    },
    comment: text(body.comment),
    formToken: text(body.formToken),
  };
}

/** A respondent's SKM answer at the kiosk: accepted back to back, the profile may be skipped. */
export async function submitKioskSurvey(kiosk: ActiveKiosk, input: unknown, ip: string | undefined) {
  const submitted = await submitSurvey(input, {
    channel: 'kiosk',
    kiosk: { id: kiosk.id },
    device: deviceOf(kiosk),
    ip,
  });
  await noteKioskUse(kiosk.id);
  return submitted;
}

/** What was good, to choose from: the civil service's BerAKHLAK values, in words a citizen uses. */
export const complimentPoints = [
  'berorientasi_pelayanan',
  'akuntabel',
  'kompeten',
  'harmonis',
  'loyal',
  'adaptif',
  'kolaboratif',
] as const;

const complimentInput = Joi.object({
  officerRef: Joi.string()
    .trim()
    .pattern(/^[\w-]{4,64}$/)
    .required()
    .messages({ 'any.required': 'kiosks.officer_required', 'string.empty': 'kiosks.officer_required' }),
  points: Joi.array()
    .single()
    .items(Joi.string().valid(...complimentPoints))
    .min(1)
    .max(complimentPoints.length)
    .unique()
    .required()
    .messages({ 'any.required': 'kiosks.points_required', 'array.min': 'kiosks.points_required' }),
  /** A nonce of the rendered form: a double tap files one compliment. */
  formToken: Joi.string()
    .pattern(/^[\w-]{16,64}$/)
    .allow('', null),
});

/** The officers a respondent may name at this kiosk: the unit's active officers, by name (never a NIP). */
export const kioskOfficers = (kiosk: ActiveKiosk): Promise<PublicOfficer[]> => listPublicOfficers(kiosk.unit.code);

/**
 * A compliment in three taps: who, what was good, send. It is filed as an ordinary anonymous compliment naming the
 * officer (channel 'kiosk'), so a head verifies it in the inbox and it reaches the officer's coaching record like
 * any other.
 */
export async function fileKioskCompliment(
  kiosk: ActiveKiosk,
  raw: unknown,
  context: { lang: Lang; publicUrl: string; dataDir: string },
): Promise<Receipt> {
  const input = check(complimentInput, raw ?? {}) as { officerRef: string; points: string[]; formToken?: string };
  const officer = (await kioskOfficers(kiosk)).find((entry) => entry.ref === input.officerRef);
  if (!officer) throw AppError.validation({ officerRef: { key: 'kiosks.officer_unknown' } });
  const points = complimentPoints.filter((point) => input.points.includes(point));
  const description = t(context.lang, 'kiosks.compliment_text', {
    officer: officer.name,
    points: points.map((point) => t(context.lang, `kiosks.point.${point}`)).join(', '),
    place: kiosk.counter ? `${kiosk.unit.name}, ${kiosk.counter.name}` : kiosk.unit.name,
  });
  const receipt = await fileTicket(
    {
      kind: 'compliment',
      unitCode: kiosk.unit.code,
      counter: kiosk.counter?.code ?? null,
      officerRef: officer.ref,
      description,
      privacy: 'anonymous',
      consent: true,
    },
    {
      lang: context.lang,
      publicUrl: context.publicUrl,
      channel: 'kiosk',
      kioskId: kiosk.id,
      deviceHash: deviceOf(kiosk).hash,
      idempotencyKey: input.formToken ? `kiosk:${kiosk.id}:${input.formToken}` : undefined,
    },
  );
  await noteKioskUse(kiosk.id);
  return receipt;
}
