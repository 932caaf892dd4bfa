import Joi from 'joi';
import { can, scopeOf, type Actor } from '../../platform/access.js';
import { localDate } from '../../platform/calendar.js';
import { clock } from '../../platform/clock.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { t, type Lang } from '../../platform/i18n.js';
import { fieldErrorsFrom } from '../../platform/validate.js';
import { findUnitByCode } from '../directory/index.js';
import { checkTicketInput, fileTicket, parseOccurredAt, trackUrl, type Receipt } from './service.js';

/**
 * Assisted intake (docs/assisted-intake.md): a complaint, compliment or information request that reached a staff
 * member at the counter, by phone, by letter, on WhatsApp, on social media or through SP4N-LAPOR!, filed on the
 * citizen's behalf through the same path as the citizen's own form (`fileTicket`), with the channel, the date it
 * was received (the clocks count from it) and the staff member who recorded it (in the history, never as reporter).
 */

/** The channels staff record from; the citizen's own form is `web`, the public API `api`. */
export const assistedChannels = ['counter', 'phone', 'letter', 'whatsapp', 'social_media', 'lapor'] as const;
export type AssistedChannel = (typeof assistedChannels)[number];

/**
 * How far back a receipt date may go: a letter may sit in a tray for a while, but a date further back is more
 * likely a typo (a wrong year) than a late recording, and would start clocks already long breached.
 */
export const RECEIVED_WITHIN_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;
/** A few minutes of clock difference between the staff member's device and the server are not "the future". */
const SKEW_MS = 5 * 60_000;

export const assistedFields = Joi.object({
  channel: Joi.string()
    .valid(...assistedChannels)
    .required()
    .messages({
      'any.only': 'feedback.assisted.channel_required',
      'any.required': 'feedback.assisted.channel_required',
    }),
  receivedAt: Joi.string()
    .trim()
    .pattern(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/)
    .required()
    .messages({
      'string.pattern.base': 'feedback.assisted.received_format',
      'any.required': 'feedback.assisted.received_required',
      'string.empty': 'feedback.assisted.received_required',
    }),
  lang: Joi.string().valid('id', 'en').default('id'),
  formToken: Joi.string().trim().max(64).allow(''),
}).unknown(true);

/** Who may record on a citizen's behalf, and where: the units of their `tickets.record` grants. */
export const mayRecord = (actor: Actor | undefined) => {
  const scope = scopeOf(actor, 'tickets.record');
  return scope === 'all' || scope.length > 0;
};

/**
 * The receipt date as typed on the unit's wall clock: a date alone is noon that day (only the day counts for working
 * days), or now when that day is today. Errors for a date in the future or before the bound.
 */
function receivedAtOf(value: string, timeZone: string, fields: FieldErrors): Date | null {
  const now = clock.now();
  const typed = parseOccurredAt(value, timeZone);
  // Today, by date alone: received earlier today, so now is the latest it can have been.
  const today = value.length === 10 && value === localDate(new Date(now), timeZone);
  const at = today ? new Date(Math.min(typed.getTime(), now)) : typed;
  if (Number.isNaN(at.getTime())) fields.receivedAt = { key: 'feedback.assisted.received_format' };
  else if (at.getTime() > now + SKEW_MS) fields.receivedAt = { key: 'feedback.assisted.received_future' };
  else if (at.getTime() < now - RECEIVED_WITHIN_DAYS * DAY_MS)
    fields.receivedAt = { key: 'feedback.assisted.received_too_old', params: { days: RECEIVED_WITHIN_DAYS } };
  return fields.receivedAt ? null : at;
}

/** Digits for a wa.me link: Indonesian numbers in the international form, without + (0812… → 62812…). */
export function whatsAppNumber(phone: string | null | undefined): string | null {
  if (!phone) return null;
  let digits = phone.replace(/\D/g, '');
  if (digits.startsWith('0')) digits = `62${digits.slice(1)}`;
  return digits.length >= 8 && digits.length <= 15 ? digits : null;
}

export interface AssistedReceipt extends Receipt {
  channel: AssistedChannel;
  receivedAt: Date;
  /** The tracking address with the short token in it: the link is the key, nothing else to keep. */
  trackLink: string;
  /** A WhatsApp share link (wa.me) with the code and the tracking address, to the citizen's number when known. */
  whatsAppLink: string;
  /** The clock already ran out: the ticket was received long enough ago (the next escalation run tells the heads). */
  alreadyLate: boolean;
}

/**
 * Files a ticket on a citizen's behalf. Refused (403) for a unit outside the recorder's `tickets.record` grants; every
 * mistake, in the assisted fields and in the ticket alike, comes back at once as one validation error. A repeated
 * submission of the same form (same form token) returns the same receipt.
 */
export async function recordForCitizen(
  actor: Actor | undefined,
  raw: unknown,
  context: { publicUrl: string },
): Promise<AssistedReceipt> {
  if (!actor) throw new AppError('unauthenticated');
  if (!mayRecord(actor)) throw new AppError('forbidden');
  const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const { value, error } = assistedFields.validate(body, { abortEarly: false, convert: true });
  const fields: FieldErrors = error ? fieldErrorsFrom(error) : {};
  const extra = value as { channel: AssistedChannel; receivedAt: string; lang: Lang; formToken?: string };
  const unit = typeof body.unitCode === 'string' ? await findUnitByCode(body.unitCode.trim().toUpperCase()) : null;
  if (unit && !can(actor, 'tickets.record', { unitPath: unit.path.map(String) })) throw new AppError('forbidden');
  const receivedAt =
    !fields.receivedAt && typeof extra.receivedAt === 'string'
      ? receivedAtOf(extra.receivedAt, unit?.timeZone ?? 'Asia/Jakarta', fields)
      : null;
  const { channel, receivedAt: _received, lang: _lang, formToken, ...ticketInput } = body;
  void _received;
  void _lang;
  void channel;
  if (Object.keys(fields).length > 0 || !receivedAt) {
    const others = await checkTicketInput(ticketInput, { staff: true }).then(
      () => ({}),
      (failure: unknown) => {
        if (failure instanceof AppError && failure.fields) return failure.fields;
        throw failure;
      },
    );
    throw AppError.validation({ ...others, ...fields });
  }
  const receipt = await fileTicket(ticketInput, {
    lang: extra.lang,
    publicUrl: context.publicUrl,
    staff: true,
    channel: extra.channel,
    receivedAt,
    recordedBy: { userId: actor.id, name: actor.name },
    idempotencyKey: typeof formToken === 'string' && formToken ? `assisted:${actor.id}:${formToken}` : undefined,
  });
  const trackLink = trackUrl(context.publicUrl, receipt.code, receipt.shortToken);
  const reporter = (body.reporter ?? {}) as { phone?: unknown };
  const phone = body.privacy === 'anonymous' ? null : whatsAppNumber(String(reporter.phone ?? body.phone ?? ''));
  const text = t(extra.lang, 'feedback.assisted.whatsapp_text', {
    code: receipt.code,
    kind: t(extra.lang, `feedback.kind.${String(body.kind)}`).toLowerCase(),
    url: trackLink,
  });
  return {
    ...receipt,
    channel: extra.channel,
    receivedAt,
    trackLink,
    whatsAppLink: `https://wa.me/${phone ?? ''}?text=${encodeURIComponent(text)}`,
    alreadyLate: Boolean(receipt.dueAt && receipt.dueAt.getTime() < clock.now()),
  };
}
