import type { Types } from 'mongoose';
import { lookupHash, seal } from '../../src/platform/crypto.js';
import { breachKey } from '../../src/modules/feedback/statuses.js';
import { searchTokens } from '../../src/modules/feedback/text.js';
import { type Ids, trackingCode } from './ids.js';
import type { Plan, PlanOfficer, PlanUnit, Quality, Staff } from './plan.js';
import { Random, Weighted } from './random.js';
import { askTexts, describe, findingNotes, placesFor, ratingComments, replyFor } from './text.js';
import { Calendar, dueAfterWorkingDays, officeTimeAfter } from './time.js';

type ObjectId = Types.ObjectId;

/**
 * One generated ticket, shaped exactly as the Ticket model stores it (src/modules/feedback/model.ts), with every
 * default the model would fill in, so that it is written with the raw driver but reads back as if the app wrote it.
 * Its life is simulated event by event (received → verified → assigned → in progress → resolved → closed, with
 * rejections, questions to the citizen, reopenings, ratings and findings) and stopped at `now`.
 */
export type TicketRole = 'finding' | 'compliment';

const kinds = new Weighted([
  ['complaint', 70],
  ['compliment', 15],
  ['suggestion', 10],
  ['information_request', 5],
] as const);
const complaintCategories = new Weighted([
  ['waiting_time', 22],
  ['slow_processing', 16],
  ['officer_conduct', 14],
  ['competence', 6],
  ['illegal_fee', 5],
  ['procedure', 12],
  ['discrimination', 2],
  ['service_refused', 4],
  ['facilities', 10],
  ['digital_service', 6],
  ['other', 3],
] as const);
const complimentCategories = new Weighted([
  ['officer_conduct', 45],
  ['competence', 25],
  ['facilities', 10],
  ['digital_service', 8],
  ['other', 12],
] as const);
const suggestionCategories = new Weighted([
  ['waiting_time', 25],
  ['procedure', 25],
  ['facilities', 25],
  ['digital_service', 20],
  ['other', 5],
] as const);
const officerCategories = new Set([
  'waiting_time',
  'slow_processing',
  'officer_conduct',
  'competence',
  'illegal_fee',
  'procedure',
  'discrimination',
  'service_refused',
  'other',
]);
const findingCategories = [
  'officer_conduct',
  'officer_conduct',
  'slow_processing',
  'competence',
  'waiting_time',
  'illegal_fee',
];
const privacies = new Weighted([
  ['public', 55],
  ['anonymous', 35],
  ['confidential', 10],
] as const);
const rejectReasons = new Weighted([
  ['incomplete', 35],
  ['spam', 25],
  ['not_our_authority', 25],
  ['duplicate', 15],
] as const);

/** Working days to verify, by the unit's quality; the legal limit is 3 (docs/domain.md#clocks): 4 and more breach. */
const verifyDays: Record<Quality, Weighted<number>> = {
  A: new Weighted([
    [0, 60],
    [1, 28],
    [2, 9],
    [4, 3],
  ] as const),
  B: new Weighted([
    [0, 40],
    [1, 30],
    [2, 16],
    [3, 8],
    [4, 5],
    [6, 1],
  ] as const),
  C: new Weighted([
    [0, 20],
    [1, 24],
    [2, 20],
    [3, 14],
    [4, 12],
    [6, 7],
    [9, 3],
  ] as const),
};
/** Working days from assignment to the first public answer; the limit is 5: 6 and more breach. */
const followUpDays: Record<Quality, Weighted<number>> = {
  A: new Weighted([
    [0, 30],
    [1, 32],
    [2, 20],
    [3, 10],
    [5, 6],
    [7, 2],
  ] as const),
  B: new Weighted([
    [0, 18],
    [1, 25],
    [2, 22],
    [3, 15],
    [5, 12],
    [7, 6],
    [10, 2],
  ] as const),
  C: new Weighted([
    [1, 15],
    [2, 18],
    [3, 18],
    [5, 18],
    [7, 16],
    [10, 10],
    [15, 5],
  ] as const),
};
const ratings: Record<Quality, Weighted<number>> = {
  A: new Weighted([
    [5, 55],
    [4, 30],
    [3, 10],
    [2, 3],
    [1, 2],
  ] as const),
  B: new Weighted([
    [5, 35],
    [4, 35],
    [3, 18],
    [2, 7],
    [1, 5],
  ] as const),
  C: new Weighted([
    [5, 15],
    [4, 25],
    [3, 25],
    [2, 18],
    [1, 17],
  ] as const),
};

interface HistoryEntry {
  _id: ObjectId;
  at: Date;
  actor: { kind: 'citizen' | 'staff' | 'system'; userId: ObjectId | null; name: string | null };
  action: string;
  from: string | null;
  to: string | null;
  body: string | null;
  public: boolean;
}

export interface GeneratedFinding {
  _id: ObjectId;
  ticketId: ObjectId;
  code: string;
  officerId: ObjectId;
  unitPath: ObjectId[];
  category: string | null;
  outcome: string;
  note: string;
  recordedBy: { userId: ObjectId; name: string };
  answer: { body: null; at: null };
  createdAt: Date;
  updatedAt: Date;
  __v: 0;
}

export interface TicketContext {
  plan: Plan;
  calendar: Calendar;
  /** The instant generation stops: nothing happens after it. */
  now: number;
  seed: number;
  ids: Ids;
  units: Weighted<PlanUnit>;
  /** Seal contact data (when an encryption key is set); otherwise contact fields stay null. */
  sealContacts: boolean;
}

export function ticketContext(
  plan: Plan,
  calendar: Calendar,
  now: number,
  seed: number,
  ids: Ids,
  sealContacts: boolean,
) {
  return {
    plan,
    calendar,
    now,
    seed,
    ids,
    units: new Weighted(plan.units.map((unit) => [unit, unit.weight] as const)),
    sealContacts,
  } satisfies TicketContext;
}

const citizen = { kind: 'citizen' as const, userId: null, name: null };
const system = { kind: 'system' as const, userId: null, name: null };
const staffActor = (staff: Staff) => ({ kind: 'staff' as const, userId: staff.userId, name: staff.name });

function pickService(random: Random, unit: PlanUnit) {
  // The first service of a unit is its busiest (poli umum, KTP-el, rawat jalan).
  return random.chance(0.5) ? unit.services[0]! : random.pick(unit.services);
}

export function waitMinutesFor(random: Random, unit: PlanUnit, targetWaitMinutes: number): number {
  const minutes = random.logNormal(targetWaitMinutes * unit.waitFactor, unit.waitSigma);
  return Math.max(1, Math.min(720, Math.round(minutes)));
}

function otherOfficer(random: Random, unit: PlanUnit, chosen: PlanOfficer): PlanOfficer | undefined {
  const candidates = unit.officers.filter((officer) => officer._id !== chosen._id);
  return candidates.length ? random.pick(candidates) : undefined;
}

export function makeTicket(
  context: TicketContext,
  random: Random,
  index: number,
  role?: TicketRole,
): { ticket: Record<string, unknown>; finding?: GeneratedFinding } {
  const { plan, now, ids } = context;
  const chosen = plan.chosen;
  const unit = role ? chosen.unit : context.units.draw(random);
  const kind = role === 'finding' ? 'complaint' : role === 'compliment' ? 'compliment' : kinds.draw(random);
  const category =
    role === 'finding'
      ? random.pick(findingCategories)
      : role === 'compliment'
        ? random.chance(0.65)
          ? 'officer_conduct'
          : 'competence'
        : kind === 'complaint'
          ? complaintCategories.draw(random)
          : kind === 'compliment'
            ? complimentCategories.draw(random)
            : kind === 'suggestion'
              ? suggestionCategories.draw(random)
              : 'information';
  const unitLevel = category === 'facilities' || category === 'digital_service';
  const service = unitLevel && random.chance(0.6) ? null : random.chance(0.85) ? pickService(random, unit) : null;
  const counter = unit.counters.length && random.chance(0.55) ? random.pick(unit.counters) : null;
  const waitMinutes =
    service && (category === 'waiting_time' || random.chance(kind === 'complaint' ? 0.3 : 0.12))
      ? waitMinutesFor(random, unit, service.targetWaitMinutes)
      : null;

  // When: records of the chosen officer are finished business (at least six weeks old).
  const latestDay = role ? context.calendar.lastDay - 45 : context.calendar.lastDay;
  let day = context.calendar.day(random);
  if (day > latestDay) day = latestDay - random.int(300);
  const created = Math.min(context.calendar.ticketInstant(random, unit.offset, day), now - 60_000);
  const description = describe(random, kind, category, {
    unitName: unit.name,
    serviceName: service?.name ?? null,
    counterName: counter?.name ?? null,
    place: random.pick(placesFor(unit.agencyCode)),
    waitMinutes,
  });

  let officer: PlanOfficer | undefined;
  if (role) officer = chosen.officer;
  else if (kind === 'complaint' && officerCategories.has(category) && random.chance(0.3))
    officer = otherOfficer(random, unit, chosen.officer);
  else if (kind === 'compliment' && (category === 'officer_conduct' || category === 'competence') && random.chance(0.7))
    officer = otherOfficer(random, unit, chosen.officer);

  const id = ids.at(created);
  const code = trackingCode(index, context.seed);
  const privacy = privacies.draw(random);
  const withEmail = random.chance(0.3) && context.sealContacts && privacy !== 'anonymous';
  const withPhone = random.chance(0.2) && context.sealContacts && privacy !== 'anonymous';
  const email = withEmail ? `warga${index}@contoh.id` : null;
  const phone = withPhone ? `08${String(1100000000 + ((index * 7919) % 899999999))}` : null;

  // ── Its life, event by event, until now ─────────────────────────────────────────────────────────────────────
  const history: HistoryEntry[] = [];
  const push = (at: number, actor: HistoryEntry['actor'], action: string, extra: Partial<HistoryEntry> = {}) =>
    history.push({
      _id: ids.at(at),
      at: new Date(at),
      actor,
      action,
      from: null,
      to: null,
      body: null,
      public: true,
      ...extra,
    });
  push(created, citizen, 'created', { to: 'received' });
  const head = unit.head;
  const handler = unit.handler;
  const verifyDue = dueAfterWorkingDays(created, 3, unit.offset);
  const state = {
    status: 'received',
    dueAt: verifyDue as number | null,
    dueClock: 'verify' as string | null,
    due: { verify: verifyDue, followUp: null as number | null, autoClose: null as number | null },
    resolvedAt: null as number | null,
    closedAt: null as number | null,
    pausedAt: null as number | null,
    rating: { score: null as number | null, comment: null as string | null, at: null as number | null },
    assignee: { userId: null as ObjectId | null, name: null as string | null },
    rejectReason: null as string | null,
    escalated: [] as string[],
    revision: 0,
    updatedAt: created,
  };
  let finding: GeneratedFinding | undefined;
  const staffStep = (at: number, actor: Staff, entries: [string, Partial<HistoryEntry>][]) => {
    for (const [action, extra] of entries) push(at, staffActor(actor), action, extra);
    state.revision++;
    state.updatedAt = at;
  };
  // Marked the way the app's clock job marks what it escalated, so that it does not escalate them all again.
  const breach = (clock: string, due: number | null, at: number) => {
    const key = due === null ? '' : breachKey(clock, new Date(due));
    if (due !== null && at > due && !state.escalated.includes(key)) state.escalated.push(key);
  };

  const live = () => {
    const quality = unit.quality;
    // Verification (or rejection).
    const verifyAt = officeTimeAfter(
      random,
      created,
      role ? random.int(2) : verifyDays[quality].draw(random),
      unit.offset,
    );
    if (verifyAt > now) return breach('verify', verifyDue, now);
    breach('verify', verifyDue, verifyAt);
    if (!role && random.chance(kind === 'compliment' ? 0.01 : 0.045)) {
      const reason = rejectReasons.draw(random);
      staffStep(verifyAt, head, [['status', { from: 'received', to: 'rejected', body: reason }]]);
      Object.assign(state, {
        status: 'rejected',
        rejectReason: reason,
        closedAt: verifyAt,
        dueAt: null,
        dueClock: null,
      });
      return;
    }
    let followUpDue = dueAfterWorkingDays(verifyAt, 5, unit.offset);
    staffStep(verifyAt, head, [['status', { from: 'received', to: 'verified' }]]);
    Object.assign(state, { status: 'verified', dueAt: followUpDue, dueClock: 'followUp' });
    state.due.followUp = followUpDue;

    let at = verifyAt;
    if (kind === 'complaint' || kind === 'suggestion') {
      at += (5 + random.int(90)) * 60_000;
      if (at > now) return;
      followUpDue = dueAfterWorkingDays(at, 5, unit.offset);
      staffStep(at, head, [
        ['assigned', { to: handler.name, public: false }],
        ['status', { from: 'verified', to: 'assigned' }],
      ]);
      Object.assign(state, { status: 'assigned', assignee: { ...handler }, dueAt: followUpDue });
      state.due.followUp = followUpDue;
    }

    // The first public answer (the follow-up the legal clock asks for).
    const firstDays =
      kind === 'compliment' ? random.int(3) : followUpDays[quality].draw(random) + (kind === 'suggestion' ? 2 : 0);
    const replyAt = officeTimeAfter(random, at, firstDays, unit.offset);
    if (replyAt > now) return breach('followUp', followUpDue, now);
    breach('followUp', followUpDue, replyAt);
    const answer = replyFor(random, kind);
    if (kind === 'compliment') {
      // Thanked and resolved in one step.
      const autoClose = dueAfterWorkingDays(replyAt, 10, unit.offset);
      staffStep(replyAt, head, [
        ['status', { from: state.status, to: 'resolved' }],
        ['reply', { body: answer }],
      ]);
      Object.assign(state, { status: 'resolved', resolvedAt: replyAt, dueAt: autoClose, dueClock: 'autoClose' });
      state.due.autoClose = autoClose;
      at = replyAt;
    } else {
      staffStep(replyAt, kind === 'information_request' ? head : handler, [
        ['reply', { body: kind === 'information_request' ? answer : 'Laporan Anda sedang kami tindak lanjuti.' }],
        ['status', { from: state.status, to: 'in_progress' }],
      ]);
      Object.assign(state, { status: 'in_progress', dueAt: null, dueClock: null });
      at = replyAt;

      // A finding about the tagged officer, recorded by the head.
      if (kind === 'complaint' && officer && (role === 'finding' || random.chance(0.6))) {
        const findingAt = officeTimeAfter(random, at, random.int(3), unit.offset);
        if (findingAt > now) return;
        const outcome =
          role === 'finding'
            ? random.chance(0.7)
              ? 'substantiated'
              : 'partially_substantiated'
            : random.pick([
                'substantiated',
                'substantiated',
                'partially_substantiated',
                'not_substantiated',
                'not_substantiated',
              ]);
        const note = random.pick(findingNotes);
        staffStep(findingAt, head, [['finding', { to: `${officer.name}: ${outcome}`, body: note, public: false }]]);
        finding = {
          _id: ids.at(findingAt),
          ticketId: id,
          code,
          officerId: officer._id,
          unitPath: unit.path,
          category,
          outcome,
          note,
          recordedBy: { userId: head.userId!, name: head.name },
          answer: { body: null, at: null },
          createdAt: new Date(findingAt),
          updatedAt: new Date(findingAt),
          __v: 0,
        };
        at = findingAt;
      }

      // Sometimes the unit needs more from the citizen first (the clock pauses).
      if (kind !== 'information_request' && random.chance(0.08)) {
        const askAt = officeTimeAfter(random, at, random.int(2), unit.offset);
        if (askAt > now) return;
        staffStep(askAt, handler, [
          ['status', { from: 'in_progress', to: 'awaiting_citizen' }],
          ['reply', { body: random.pick(askTexts) }],
        ]);
        Object.assign(state, { status: 'awaiting_citizen', pausedAt: askAt });
        const backAt = askAt + (2 + random.int(5 * 24)) * 3600_000;
        if (backAt > now) return;
        push(backAt, citizen, 'citizen_reply', {
          from: 'awaiting_citizen',
          to: 'in_progress',
          body: 'Sudah saya lengkapi.',
        });
        Object.assign(state, { status: 'in_progress', pausedAt: null, updatedAt: backAt });
        at = backAt;
      }

      const resolveAt = officeTimeAfter(random, at, random.int(quality === 'C' ? 8 : 4), unit.offset);
      if (resolveAt > now) return;
      const autoClose = dueAfterWorkingDays(resolveAt, 10, unit.offset);
      staffStep(resolveAt, handler, [
        ['status', { from: state.status, to: 'resolved' }],
        ['reply', { body: answer }],
      ]);
      Object.assign(state, {
        status: 'resolved',
        resolvedAt: resolveAt,
        pausedAt: null,
        dueAt: autoClose,
        dueClock: 'autoClose',
      });
      state.due.autoClose = autoClose;
      at = resolveAt;
    }

    // The citizen's rating, a reopening now and then, and closing.
    if (random.chance(kind === 'complaint' ? 0.35 : 0.15)) {
      const ratedAt = at + (1 + random.int(72)) * 3600_000;
      if (ratedAt > now) return;
      const score = role === 'compliment' ? 5 : ratings[quality].draw(random);
      const comment = random.pick(ratingComments);
      push(ratedAt, citizen, 'rating', { to: String(score), body: comment });
      state.rating = { score, comment, at: ratedAt };
      state.updatedAt = ratedAt;
      at = ratedAt;
      if (!role && kind === 'complaint' && score <= 2 && random.chance(0.3)) {
        const reopenedAt = at + (1 + random.int(48)) * 3600_000;
        if (reopenedAt > now) return;
        const followUp = dueAfterWorkingDays(reopenedAt, 5, unit.offset);
        push(reopenedAt, citizen, 'reopened', {
          from: 'resolved',
          to: 'in_progress',
          body: 'Masalahnya belum selesai.',
        });
        Object.assign(state, {
          status: 'in_progress',
          resolvedAt: null,
          dueAt: followUp,
          dueClock: 'followUp',
          updatedAt: reopenedAt,
        });
        state.due.followUp = followUp;
        state.due.autoClose = null;
        const againAt = officeTimeAfter(random, reopenedAt, 1 + random.int(5), unit.offset);
        if (againAt > now) return;
        const autoClose = dueAfterWorkingDays(againAt, 10, unit.offset);
        staffStep(againAt, handler, [
          ['status', { from: 'in_progress', to: 'resolved' }],
          ['reply', { body: replyFor(random, kind) }],
        ]);
        Object.assign(state, { status: 'resolved', resolvedAt: againAt, dueAt: autoClose, dueClock: 'autoClose' });
        state.due.autoClose = autoClose;
        at = againAt;
      }
    }
    if (random.chance(0.35)) {
      const confirmedAt = at + (2 + random.int(96)) * 3600_000;
      if (confirmedAt > now || confirmedAt > state.due.autoClose!) return;
      push(confirmedAt, citizen, 'confirmed', { from: 'resolved', to: 'closed' });
      Object.assign(state, {
        status: 'closed',
        closedAt: confirmedAt,
        dueAt: null,
        dueClock: null,
        updatedAt: confirmedAt,
      });
      return;
    }
    const closeAt = state.due.autoClose! + 1 + random.int(15 * 60_000);
    if (closeAt > now) return;
    push(closeAt, system, 'status', { from: 'resolved', to: 'closed' });
    Object.assign(state, { status: 'closed', closedAt: closeAt, dueAt: null, dueClock: null, updatedAt: closeAt });
    state.revision++;
  };
  live();

  const date = (value: number | null) => (value === null ? null : new Date(value));
  const ticket = {
    _id: id,
    code,
    tokenSalt: random.token(16),
    kind,
    category,
    description,
    occurredAt: random.chance(0.4) ? new Date(created - random.int(3 * 24 * 60) * 60_000) : null,
    waitMinutes,
    unitId: unit._id,
    unitCode: unit.code,
    unitPath: unit.path,
    agencyCode: unit.agencyCode,
    timeZone: unit.timeZone,
    serviceCode: service?.code ?? null,
    counterCode: counter?.code ?? null,
    officerIds: officer ? [officer._id] : [],
    decisionUnitId: null,
    decisionUnitCode: null,
    privacy,
    reporter: {
      name: null,
      email: email ? seal(email) : null,
      phone: phone ? seal(phone) : null,
      emailHash: email ? lookupHash(email) : null,
      phoneHash: phone ? lookupHash(phone) : null,
    },
    lang: random.chance(0.04) ? 'en' : 'id',
    channel: 'web',
    kioskId: null,
    status: state.status,
    priority: kind === 'complaint' && category === 'illegal_fee' ? 'high' : 'normal',
    assignee: state.assignee,
    revision: state.revision,
    mergedInto: null,
    rejectReason: state.rejectReason,
    pausedAt: date(state.pausedAt),
    escalated: state.escalated,
    history,
    dueAt: date(state.dueAt),
    dueClock: state.dueClock,
    due: {
      verify: date(state.due.verify),
      followUp: date(state.due.followUp),
      autoClose: date(state.due.autoClose),
      inform: null,
      objection: null,
    },
    extension: { at: null, reason: null, by: null },
    objection: { at: null, grounds: null, unitCode: null, outcome: null, decidedAt: null },
    resolvedAt: date(state.resolvedAt),
    closedAt: date(state.closedAt),
    rating: { score: state.rating.score, comment: state.rating.comment, at: date(state.rating.at) },
    attachments: [],
    searchTokens: searchTokens(description),
    evidence: { ipHash: random.hex(64), deviceHash: random.chance(0.8) ? random.hex(64) : null },
    createdAt: new Date(created),
    updatedAt: new Date(state.updatedAt),
    __v: 0,
  };
  return { ticket, finding };
}
