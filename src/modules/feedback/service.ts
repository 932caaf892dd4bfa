import { lookupHash, seal } from '../../platform/crypto.js';
import { utcOffsetMs, wallClockLabel } from '../../platform/calendar.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { recordEvents } from '../../platform/event-log.js';
import { GroupedTransactions } from '../../platform/grouped-inserts.js';
import { publish, type TicketEvent } from '../../platform/events.js';
import { t, type Lang } from '../../platform/i18n.js';
import { check, fieldErrorsFrom } from '../../platform/validate.js';
import { calendarFor } from '../calendar/index.js';
import { findOfficer, findUnitById, findUnitByCode } from '../directory/index.js';
import { queueMail, type QueueMailInput } from '../notifications/index.js';
import { deleteAttachment, storeAttachment, type CleanAttachment, type StoredAttachment } from './attachments.js';
import { activeCategories } from './categories.js';
import { decisionUnitFor, tellDeciders } from './conflict.js';
import { accessTokenFor, fingerprint, newTokenSalt, newTrackingCode, shortAccessTokenFor } from './codes.js';
import { inboxItem } from './inbox-item.js';
import { Ticket, type TicketDoc } from './model.js';
import { similarQuery, ticketInput, type TicketInput } from './schemas.js';
import { informClockAt } from './information-clock.js';
import { acceptedOpenStatuses, type Status, type TicketChannel } from './statuses.js';
import { verifyWorkingDaysFor } from './clock-settings.js';
import { sealCitizenText } from './sealed-text.js';
import { scrubPersonalData, searchTokens } from './text.js';

export interface IntakeContext {
  lang: Lang;
  publicUrl: string;
  idempotencyKey?: string;
  ipHash?: string | null;
  deviceHash?: string | null;
  /** Files already checked by `prepareAttachments`; stored only once everything else is valid. */
  files?: CleanAttachment[];
  /** Signed-in staff or an integration's API token: only they may name an officer by NIP. */
  staff?: boolean;
  /** How the ticket came (default web); a counter kiosk's tickets name the kiosk. */
  channel?: TicketChannel;
  kioskId?: string | null;
  /** When the agency received it, if before now (assisted-intake.ts): the clocks count from then. */
  receivedAt?: Date;
  /** The staff member recording it on the citizen's behalf: the history's `created` entry names them. */
  recordedBy?: { userId: string; name: string };
}

export interface Receipt {
  code: string;
  accessToken: string;
  /** The same ticket's token in the short form a receipt page shows. */
  shortToken: string;
  status: Status;
  dueAt: Date | null;
  /** True when an earlier request with the same Idempotency-Key made this ticket. */
  replayed: boolean;
  emailed: boolean;
  timeZone: string;
}

export const trackUrl = (publicUrl: string, code: string, token: string) =>
  `${publicUrl}/track/${code}?token=${encodeURIComponent(token)}`;

/** The event every subscriber gets: routing facts only, never contact data or text. */
export function eventOf(ticket: TicketDoc): TicketEvent {
  return {
    ticketId: String(ticket._id),
    code: ticket.code,
    kind: ticket.kind,
    status: ticket.status,
    category: ticket.category ?? null,
    privacy: ticket.privacy,
    unitId: String(ticket.unitId),
    unitPath: ticket.unitPath.map(String),
    serviceCode: ticket.serviceCode ?? null,
    officerIds: ticket.officerIds.map(String),
    item: inboxItem(ticket),
    at: new Date(),
  };
}

/** "2026-11-20T09:30" typed on a form is local time at the unit; an explicit zone or Z is taken as given. */
export function parseOccurredAt(value: string, timeZone: string): Date {
  const withTime = value.length === 10 ? `${value}T12:00` : value;
  if (/(Z|[+-]\d{2}:\d{2})$/.test(withTime)) return new Date(withTime);
  const asUtc = new Date(`${withTime}Z`);
  return new Date(asUtc.getTime() - utcOffsetMs(asUtc, timeZone));
}

const receiptOf = (ticket: TicketDoc, replayed: boolean): Receipt => ({
  code: ticket.code,
  accessToken: accessTokenFor(ticket.code, ticket.tokenSalt),
  shortToken: shortAccessTokenFor(ticket.code, ticket.tokenSalt),
  status: ticket.status as Status,
  dueAt: ticket.dueAt ?? null,
  replayed,
  emailed: Boolean(ticket.reporter?.emailHash),
  timeZone: ticket.timeZone,
});

/**
 * Everything that makes an intake request unfit to file, found in one pass: the schema, then the unit, service,
 * counter, officer, category and time of the event, each judged as far as the rest allows. Throws one validation
 * error naming every field, so a form shows all its mistakes at once; returns what filing needs otherwise.
 */
export async function checkTicketInput(raw: unknown, context: Pick<IntakeContext, 'staff'>) {
  const { value, error } = ticketInput.validate(raw, { abortEarly: false, stripUnknown: true, convert: true });
  const fields: FieldErrors = error ? fieldErrorsFrom(error) : {};
  const input = (value ?? {}) as Partial<TicketInput>;
  const fine = (path: string) => !fields[path];
  const unit = typeof input.unitCode === 'string' && fine('unitCode') ? await findUnitByCode(input.unitCode) : null;
  if (fine('unitCode') && (!unit || !unit.active)) fields.unitCode = { key: 'feedback.unknown_unit' };
  const service =
    unit && input.serviceCode ? unit.services.find((s) => s.code === input.serviceCode && s.active) : undefined;
  if (unit && input.serviceCode && !service && fine('serviceCode'))
    fields.serviceCode = { key: 'feedback.unknown_service' };
  const counter = unit && input.counter ? unit.counters.find((c) => c.code === input.counter) : undefined;
  if (unit && input.counter && !counter && fine('counter')) fields.counter = { key: 'feedback.unknown_counter' };
  // A NIP encodes a birth date, and answering "unknown officer" to anyone would confirm whose it is: the public
  // names officers by their opaque reference only.
  if (input.officerNip && !context.staff) fields.officerNip = { key: 'feedback.nip_staff_only' };
  const asText = (path: 'officerNip' | 'officerRef') =>
    typeof input[path] === 'string' && input[path] !== '' && fine(path) ? input[path] : undefined;
  const officerQuery =
    asText('officerNip') && context.staff
      ? { nip: asText('officerNip') }
      : asText('officerRef') && !input.officerNip
        ? { ref: asText('officerRef') }
        : undefined;
  const officer = officerQuery && unit ? await findOfficer(officerQuery) : null;
  if (officerQuery && unit && (!officer || !officer.unitPath.map(String).includes(String(unit._id))))
    fields[input.officerNip ? 'officerNip' : 'officerRef'] = { key: 'feedback.unknown_officer' };
  const categories = await activeCategories(unit?.agencyCode);
  const categoryCode = input.category || (input.kind === 'information_request' ? 'information' : null);
  const category = categoryCode ? categories.find((c) => c.code === categoryCode) : undefined;
  if (categoryCode && fine('category') && (!category || (input.kind && !category.kinds.includes(input.kind))))
    fields.category = { key: category ? 'feedback.category_for_kind' : 'feedback.category_required' };
  const occurredAt =
    input.occurredAt && fine('occurredAt') ? parseOccurredAt(input.occurredAt, unit?.timeZone ?? 'Asia/Jakarta') : null;
  if (occurredAt && Number.isNaN(occurredAt.getTime())) fields.occurredAt = { key: 'feedback.occurred_format' };
  else if (occurredAt && occurredAt.getTime() > Date.now() + 5 * 60_000)
    fields.occurredAt = { key: 'feedback.occurred_future' };
  if (Object.keys(fields).length > 0 || !unit) throw AppError.validation(fields);
  return { input: input as TicketInput, unit, service, counter, officer, category, occurredAt };
}

interface NewTicket {
  ticket: InstanceType<typeof Ticket>;
  receipt: QueueMailInput | null;
}

/**
 * Each ticket, its receipt and the record of `ticket.created` are committed in one transaction, so a crash keeps all
 * or none; tickets filed at the same moment share that transaction, because the durable commit is most of what an
 * intake costs the database.
 */
const intakeWrites = new GroupedTransactions<NewTicket>(async (filed, session) => {
  await Ticket.insertMany(
    filed.map((item) => item.ticket),
    { session },
  );
  for (const { receipt } of filed) if (receipt) await queueMail(receipt, { session });
  await recordEvents(
    session,
    filed.map(({ ticket }) => ({ name: 'ticket.created', payload: eventOf(ticket.toObject() as TicketDoc) })),
  );
});

/**
 * A citizen files a complaint, compliment, suggestion or information request. The ticket, its receipt e-mail and
 * the record of `ticket.created` are written in one transaction (`intakeWrites`), so a crash in between loses none of
 * them; live subscribers hear `ticket.created` after.
 */
export async function fileTicket(raw: unknown, context: IntakeContext): Promise<Receipt> {
  const checked = await checkTicketInput(raw, context);
  const idempotencyKey = context.idempotencyKey ? lookupHash(`idempotency:${context.idempotencyKey}`) : undefined;
  const requestFingerprint = fingerprint(checked.input);
  if (idempotencyKey) {
    const earlier = await Ticket.findOne({ idempotencyKey }).lean<TicketDoc>();
    if (earlier) return replay(earlier, requestFingerprint);
  }
  // A complaint naming the unit's head is decided by the unit above from the start (conflict.ts).
  const decider = checked.officer ? await decisionUnitFor(checked.unit.path, [checked.officer._id]) : null;
  const decisionUnit = decider ? await findUnitById(decider) : null;
  const files = await storeFiles(context);
  const ticket = await newTicket(checked, context, { decisionUnit, attachments: files.stored, idempotencyKey });
  if (idempotencyKey) ticket.idempotencyFingerprint = requestFingerprint;
  const email = checked.input.reporter.email || null;
  try {
    await intakeWrites.add({ ticket, receipt: email ? receiptMail(ticket, checked.unit.name, email, context) : null });
  } catch (error) {
    // Nothing was saved, so the files belong to no ticket: remove them before answering.
    await files.discard();
    // Two taps with one Idempotency-Key racing each other: the second finds the first's ticket.
    if ((error as { code?: number }).code === 11000 && idempotencyKey) {
      const earlier = await Ticket.findOne({ idempotencyKey }).lean<TicketDoc>();
      if (earlier) return replay(earlier, requestFingerprint);
    }
    throw error;
  }
  const saved = ticket.toObject() as TicketDoc;
  publish('ticket.created', eventOf(saved));
  await tellDeciders({ to: decider }, saved);
  return receiptOf(saved, false);
}

/** The citizen's files, cleaned and stored; `discard` removes them again when the ticket is not saved. */
async function storeFiles(context: IntakeContext) {
  const stored: StoredAttachment[] = [];
  const discard = () => Promise.all(stored.map((file) => deleteAttachment(file.storedName).catch(() => undefined)));
  try {
    for (const file of context.files ?? [])
      stored.push(await storeAttachment(file.buffer, { originalName: file.originalName }));
  } catch (error) {
    // A PDF that cannot be rewritten, or a store that fails (503), stops intake here: no ticket is made, and the
    // files stored before this one belong to none, so they go again.
    await discard();
    throw error;
  }
  return { stored, discard };
}

/** The ticket as filed: contact data sealed, text scrubbed, the verification clock started on the unit's calendar. */
async function newTicket(
  { input, unit, service, counter, officer, category, occurredAt }: Awaited<ReturnType<typeof checkTicketInput>>,
  context: IntakeContext,
  extra: {
    decisionUnit: Awaited<ReturnType<typeof findUnitById>>;
    attachments: StoredAttachment[];
    idempotencyKey: string | undefined;
  },
) {
  const now = context.receivedAt ?? new Date();
  const calendar = await calendarFor(unit);
  // The agency's verify length, or the category's where it is shorter (clock-settings.ts).
  const verifyBy = calendar.dueAfterWorkingDays(now, await verifyWorkingDaysFor(unit.agencyCode, category));
  // An information request runs on its own clock from receipt (information-clock.ts).
  const firstClock =
    input.kind === 'information_request'
      ? informClockAt(calendar, now)
      : { dueAt: verifyBy, dueClock: 'verify' as const, due: { verify: verifyBy } };
  const recorder = context.recordedBy;
  const description = sealCitizenText(input.description);
  const email = input.reporter.email || null;
  // Anonymous: only the address the system itself writes to is kept; a name or a phone would identify the citizen.
  const anonymous = input.privacy === 'anonymous';
  const phone = input.reporter.phone && !anonymous ? input.reporter.phone.replace(/[\s()-]/g, '') : null;
  const { decisionUnit } = extra;
  return new Ticket({
    code: newTrackingCode(),
    tokenSalt: newTokenSalt(),
    kind: input.kind,
    category: category?.code ?? null,
    description: description.scrubbed,
    descriptionSealed: description.sealed,
    occurredAt,
    waitMinutes: input.waitMinutes === '' || input.waitMinutes == null ? null : input.waitMinutes,
    unitId: unit._id,
    unitCode: unit.code,
    unitPath: unit.path,
    agencyCode: unit.agencyCode,
    timeZone: unit.timeZone,
    serviceCode: service?.code ?? null,
    counterCode: counter?.code ?? null,
    officerIds: officer ? [officer._id] : [],
    decisionUnitId: decisionUnit?._id ?? null,
    decisionUnitCode: decisionUnit?.code ?? null,
    privacy: input.privacy,
    reporter: {
      name: input.reporter.name && !anonymous ? seal(input.reporter.name) : null,
      email: email ? seal(email) : null,
      phone: phone ? seal(phone) : null,
      emailHash: email ? lookupHash(email) : null,
      phoneHash: phone ? lookupHash(phone) : null,
    },
    lang: context.lang,
    channel: context.channel ?? 'web',
    kioskId: context.kioskId ?? null,
    status: 'received',
    // Recorded on the citizen's behalf: the date received, and the staff member in the history (never as reporter).
    ...(context.receivedAt ? { createdAt: context.receivedAt } : {}),
    history: [
      {
        at: now,
        actor: recorder ? { kind: 'staff', userId: recorder.userId, name: recorder.name } : { kind: 'citizen' },
        action: 'created',
        to: 'received',
        public: true,
      },
      ...(decisionUnit
        ? [
            {
              at: now,
              actor: { kind: 'system' },
              action: 'decision_moved',
              from: unit.code,
              to: decisionUnit.code,
              public: false,
            },
          ]
        : []),
    ],
    ...firstClock,
    attachments: extra.attachments,
    searchTokens: searchTokens(input.description),
    idempotencyKey: extra.idempotencyKey,
    evidence: { ipHash: context.ipHash ?? null, deviceHash: context.deviceHash ?? null },
  });
}

/** The receipt the citizen gets by e-mail: the code and the tracking link (written with the ticket). */
function receiptMail(
  ticket: InstanceType<typeof Ticket>,
  unitName: string,
  to: string,
  context: IntakeContext,
): QueueMailInput {
  return {
    to,
    template: 'ticket.receipt',
    lang: context.lang,
    data: {
      code: ticket.code,
      trackUrl: trackUrl(context.publicUrl, ticket.code, accessTokenFor(ticket.code, ticket.tokenSalt)),
      unitName,
      kindLabel: t(context.lang, `feedback.kind.${ticket.kind}`),
      // The due time the ticket was filed with: the agency's verify length, or an information request's answer.
      ...(ticket.dueAt ? { dueLabel: wallClockLabel(ticket.dueAt, ticket.timeZone, context.lang) } : {}),
      answerDue: ticket.dueClock === 'inform',
    },
    dedupeKey: `receipt:${ticket.code}`,
    unitPath: ticket.unitPath.map(String), // the agency's admins see it on their outbox page
  };
}

function replay(earlier: TicketDoc, requestFingerprint: string): Receipt {
  // Knowing a key is not enough to read someone's ticket: the content must be the same request.
  if (earlier.idempotencyFingerprint !== requestFingerprint)
    throw new AppError('conflict', 'feedback.idempotency_conflict');
  return receiptOf(earlier, true);
}

/** Duplicate help while typing: open public tickets of the same unit (and category) sharing words, text scrubbed. */
export async function similarOpenTickets(raw: unknown) {
  const query = check(similarQuery, raw);
  const tokens = searchTokens(query.q);
  if (tokens.length === 0) return [];
  const unit = await findUnitByCode(query.unitCode);
  if (!unit) return [];
  // Only tickets a verifier has looked at: public text is shown after moderation (docs/domain.md#privacy).
  const moderatedOpen = acceptedOpenStatuses;
  const candidates = await Ticket.find({
    unitId: unit._id,
    privacy: 'public',
    status: { $in: moderatedOpen },
    ...(query.category ? { category: query.category } : {}),
    searchTokens: { $in: tokens },
  })
    .sort({ createdAt: -1 })
    .limit(50)
    .select({ description: 1, category: 1, status: 1, createdAt: 1, searchTokens: 1 })
    .lean<TicketDoc[]>();
  return candidates
    .map((ticket) => ({ ticket, shared: ticket.searchTokens.filter((token) => tokens.includes(token)).length }))
    .filter(({ shared }) => shared >= Math.min(2, tokens.length))
    .sort((a, b) => b.shared - a.shared)
    .slice(0, 5)
    .map(({ ticket }) => ({
      summary: scrubPersonalData(ticket.description).slice(0, 160),
      category: ticket.category,
      status: ticket.status,
      createdAt: ticket.createdAt,
    }));
}
