import { updateAndRead } from '../../platform/db.js';
import mongoose from 'mongoose';
import { dateFormatter, localDate, wallClockLabel } from '../../platform/calendar.js';
import { recordEvent, writeWithEvents } from '../../platform/event-log.js';
import { publish } from '../../platform/events.js';
import { t, type Lang } from '../../platform/i18n.js';
import { logger } from '../../platform/logger.js';
import { registerJob, type Job } from '../../platform/scheduler.js';
import { usersWithRoleOn } from '../accounts/index.js';
import { calendarFor, type BusinessCalendar } from '../calendar/index.js';
import { findUnitByCode, findUnitById, unitPathsOf } from '../directory/index.js';
import { queueMail } from '../notifications/index.js';
import { clockLengthsFor } from './clock-settings.js';
import { decisionScope } from './conflict.js';
import { Ticket, type TicketDoc } from './model.js';
import { eventOf } from './service.js';
import { breachKey, openStatuses, resolvedStatuses, runningStatuses, type Status } from './statuses.js';

/**
 * The scheduled side of the legal clocks (docs/domain.md#clocks): a breached verify, follow-up or resolution clock is
 * escalated to the head of the parent unit, and on up the tree while the breach lasts, a resolved ticket nobody
 * answered closes itself, and heads get a morning digest.
 * Every process runs these jobs; the scheduler's lease makes each run once per period, and each change is claimed
 * ticket by ticket with a precondition, so two overlapping runs still escalate a breach once and close a ticket once.
 */

export interface ClockConfig {
  /** Where staff pages live: links in the mails point to `${publicUrl}/inbox/...`. */
  publicUrl: string;
}

/** The clocks whose breach is escalated; auto-close is not a breach, it is the end of the wait. */
const ESCALATED_CLOCKS = ['verify', 'followUp', 'resolve', 'inform', 'objection'] as const;
type EscalatedClock = (typeof ESCALATED_CLOCKS)[number];

// While a breach lasts, it climbs one unit further up the tree each `escalateAgainWorkingDays` of the ticket's
// agency (clock-settings.ts: 2 unless it set another) after the deadline.

const system = { kind: 'system' as const };
const staffTicketUrl = (publicUrl: string, code: string) =>
  `${publicUrl.replace(/\/+$/, '')}/inbox/tickets/${encodeURIComponent(code)}`;

/**
 * Whom a breach goes to at a level: at the first, the heads of the parent unit (for an agency, a root unit, its own
 * heads); at each next level, those of the unit above the last one told, up to the agency. A unit without a head is
 * passed over, so that a breach never goes nowhere. Null when the level is above the agency; at the first level a
 * tree without any head still counts as told (nobody), as a breach is escalated once either way.
 */
async function escalationTarget(unitPath: readonly string[], level: number) {
  const ancestors = unitPath.length > 1 ? unitPath.slice(0, -1) : unitPath;
  let reached = 0;
  for (const unitId of [...ancestors].reverse()) {
    const heads = await usersWithRoleOn('unit_head', unitId);
    if (heads.length > 0 && ++reached === level) return { unitId, heads };
  }
  return level === 1 ? { unitId: null, heads: [] } : null;
}

/** The level a breach is escalated to next: one above the highest already recorded for this clock and due time. */
function nextLevel(ticket: Pick<TicketDoc, 'escalated'>, clock: string, dueAt: Date): number {
  let level = 1;
  while (ticket.escalated.includes(breachKey(clock, dueAt, level))) level++;
  return level;
}

/**
 * Escalates one breach one level up the tree, exactly once per level however many runs see it: the first level as
 * soon as the clock ran out, each next one the agency's `escalateAgainWorkingDays` (2 unless set) working days
 * later. The ticket is claimed by one atomic update that only matches while the level's key is not yet recorded, the
 * level below it is, and the clock is unchanged (still running, same due time); the heads' mails are queued in the
 * same transaction, so a crash leaves both or neither. Only the run that claimed it tells anyone. Returns whether
 * this call escalated it.
 */
async function escalate(ticket: TicketDoc, now: Date, config: ClockConfig): Promise<boolean> {
  const clock = ticket.dueClock as EscalatedClock;
  const dueAt = ticket.dueAt!;
  const level = nextLevel(ticket, clock, dueAt);
  const calendar = await calendarFor(ticket);
  const lateDays = calendar.workingDaysBetween(dueAt, now);
  const { escalateAgainWorkingDays } = await clockLengthsFor(ticket.agencyCode);
  if (lateDays < (level - 1) * escalateAgainWorkingDays) return false;
  // Above where the ticket is decided: a ticket naming a unit's head is already decided one unit up.
  const unitPath = decisionScope(ticket).unitPath.map(String);
  // Each level is a unit of its own: past the agency there is nobody left to ask, and no need to look.
  if (level > Math.max(1, unitPath.length - 1)) return false;
  const target = await escalationTarget(unitPath, level);
  if (!target) return false; // the agency's heads know already
  const key = breachKey(clock, dueAt, level);
  const below = level > 1 ? [{ escalated: breachKey(clock, dueAt, level - 1) }] : [];
  const { heads } = target;
  const [unit, told] = await Promise.all([
    findUnitByCode(ticket.unitCode),
    target.unitId ? findUnitById(target.unitId) : null,
  ]);
  const unitName = unit?.name ?? ticket.unitCode;

  let claimed: TicketDoc | null = null;
  await mongoose.connection.transaction(async (session) => {
    claimed = null; // a retried transaction starts again from nothing
    claimed = await updateAndRead<TicketDoc>(
      Ticket,
      {
        _id: ticket._id,
        dueClock: clock,
        dueAt,
        status: { $in: runningStatuses },
        $and: [{ escalated: { $ne: key } }, ...below],
      },
      {
        $addToSet: { escalated: key },
        $push: {
          history: {
            at: now,
            actor: system,
            action: 'escalated',
            from: clock,
            to: told?.code ?? null,
            body: heads.map((head) => head.name).join(', ') || null,
            public: false,
          },
        },
        $inc: { revision: 1 },
      },
      { session },
    );
    if (!claimed) return;
    await recordEvent(session, 'ticket.updated', { ...eventOf(claimed), change: 'escalated', public: false });
    for (const head of heads) {
      const lang = head.lang as Lang;
      await queueMail(
        {
          to: head.email,
          template: 'staff.escalation',
          lang,
          data: {
            code: ticket.code,
            trackUrl: staffTicketUrl(config.publicUrl, ticket.code),
            unitName,
            name: head.name,
            clockLabel: t(lang, `clocks.clock.${clock}`),
            dueLabel: wallClockLabel(dueAt, ticket.timeZone, lang),
            lateLabel: lateDays > 0 ? t(lang, 'clocks.late.days', { days: lateDays }) : t(lang, 'clocks.late.today'),
          },
          dedupeKey: `escalation:${String(ticket._id)}:${key}:${head.id}`,
          unitPath: ticket.unitPath.map(String),
        },
        { session },
      );
    }
  });
  if (!claimed) return false;

  if (heads.length === 0) logger.warn({ code: ticket.code, key }, 'breach escalated, but no unit head above the unit');
  for (const head of heads)
    publish('user.notice', {
      userId: head.id,
      kind: 'escalation',
      ticketCode: ticket.code,
      message: t(head.lang as Lang, 'clocks.notice.escalated', {
        code: ticket.code,
        unit: unitName,
        clock: t(head.lang as Lang, `clocks.clock.${clock}`),
      }),
    });
  publish('ticket.updated', { ...eventOf(claimed), change: 'escalated', public: false });
  return true;
}

/**
 * The tickets in these statuses whose clock ran out before `now`, status by status, each status's in due order. One
 * `{status, dueAt}` query per status, which the `{status: 1, dueAt: 1}` index answers; with the clock's name (or a
 * list of statuses) in the same query SecantusDB read every ticket in the statuses instead, about 2 s a run at a
 * million tickets even with nothing due. The caller checks the clock.
 */
async function* dueTickets(
  inStatuses: readonly Status[],
  now: Date,
  projection: Record<string, 0>,
): AsyncGenerator<TicketDoc> {
  for (const status of inStatuses) {
    const due = Ticket.find({ status, dueAt: { $lt: now } })
      .sort({ dueAt: 1 })
      .select(projection)
      .lean<TicketDoc[]>()
      .cursor();
    for await (const ticket of due) yield ticket;
  }
}

/**
 * Escalates every verify, follow-up or resolution clock that ran out before `now` on a ticket whose clock runs (open,
 * not paused), each breach once per level up the tree and at most one level a run. Returns how many this run
 * escalated.
 */
export async function escalateBreaches(
  config: ClockConfig,
  now = new Date(),
  signal?: AbortSignal,
): Promise<{ escalated: number }> {
  let escalated = 0;
  for await (const ticket of dueTickets(runningStatuses, now, {
    history: 0,
    searchTokens: 0,
    reporter: 0,
    description: 0,
  })) {
    if (signal?.aborted) break;
    if (!(ESCALATED_CLOCKS as readonly (string | null | undefined)[]).includes(ticket.dueClock)) continue;
    try {
      if (await escalate(ticket, now, config)) escalated++;
    } catch (error) {
      // One ticket must not hold back the others; it is tried again next run.
      logger.error({ err: error, code: ticket.code }, 'could not escalate a breach');
    }
  }
  if (escalated > 0) logger.info({ escalated }, 'clock breaches escalated');
  return { escalated };
}

/**
 * Closes every resolved ticket whose auto-close time (the agency's auto-close length after resolution, stored then)
 * passed before `now` with no answer from the citizen. Each close is one atomic update conditioned on the ticket
 * being exactly as read (same revision), so a citizen confirming, replying or reopening at the same moment wins or
 * loses whole, never half. Returns how many this run closed.
 */
export async function autoCloseResolved(now = new Date(), signal?: AbortSignal): Promise<{ closed: number }> {
  let closed = 0;
  for await (const ticket of dueTickets(resolvedStatuses, now, { searchTokens: 0, reporter: 0, description: 0 })) {
    if (signal?.aborted) break;
    if (ticket.dueClock !== 'autoClose') continue;
    // "Without reply": a citizen who answered after the resolution is waiting for the unit, not for the clock.
    const answered = ticket.history.some(
      (entry) => entry.action === 'citizen_reply' && ticket.resolvedAt && entry.at > ticket.resolvedAt,
    );
    if (answered) continue;
    const updated = await writeWithEvents(async (session) => {
      const changed = await updateAndRead<TicketDoc>(
        Ticket,
        { _id: ticket._id, status: 'resolved', dueClock: 'autoClose', revision: ticket.revision, dueAt: { $lt: now } },
        {
          $set: { status: 'closed', closedAt: now, dueAt: null, dueClock: null },
          $push: {
            history: { at: now, actor: system, action: 'status', from: 'resolved', to: 'closed', public: true },
          },
          $inc: { revision: 1 },
        },
        { session },
      );
      if (changed)
        await recordEvent(session, 'ticket.updated', { ...eventOf(changed), change: 'auto_closed', public: true });
      return changed;
    });
    if (!updated) continue; // changed since it was read: the next run looks again
    closed++;
    publish('ticket.updated', { ...eventOf(updated), change: 'auto_closed', public: true });
  }
  if (closed > 0) logger.info({ closed }, 'resolved tickets closed automatically');
  return { closed };
}

// ---------------------------------------------------------------------------------------------------------------
// The morning digest
// ---------------------------------------------------------------------------------------------------------------

/** Digests go out from 07:00 local time; a process that was down at 07:00 still sends until this hour. */
const DIGEST_FROM_HOUR = 7;
const DIGEST_UNTIL_HOUR = 10;
const DIGEST_LIST = 10;
const DAY_MS = 24 * 3600 * 1000;

const localHour = (instant: Date, timeZone: string) =>
  Number(
    dateFormatter('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone })
      .formatToParts(instant)
      .find((part) => part.type === 'hour')!.value,
  );

interface DigestHead {
  id: string;
  email: string;
  name: string;
  lang: Lang;
  unitIds: string[];
  timeZone: string;
  day: string;
}

/**
 * The heads to write to now: those of every unit with unfinished tickets in its subtree, in agencies where it is a
 * working-day morning (07:00–10:00 on the agency's wall clock). One entry per head, with all the units they head.
 */
async function headsDueForDigest(now: Date): Promise<DigestHead[]> {
  const agencies = await Ticket.aggregate<{ _id: { agencyCode: string; timeZone: string }; units: unknown[] }>([
    { $match: { status: { $in: openStatuses } } },
    { $unwind: '$unitPath' },
    { $group: { _id: { agencyCode: '$agencyCode', timeZone: '$timeZone' }, units: { $addToSet: '$unitPath' } } },
  ]);
  const heads = new Map<string, DigestHead>();
  for (const { _id: agency, units } of agencies) {
    const hour = localHour(now, agency.timeZone);
    if (hour < DIGEST_FROM_HOUR || hour >= DIGEST_UNTIL_HOUR) continue;
    const calendar: BusinessCalendar = await calendarFor(agency);
    if (!calendar.isWorkingDay(now)) continue;
    for (const unitId of units.map(String))
      for (const head of await usersWithRoleOn('unit_head', unitId, { digest: true })) {
        const entry = heads.get(head.id) ?? {
          ...head,
          lang: head.lang as Lang,
          unitIds: [],
          timeZone: agency.timeZone,
          day: localDate(now, agency.timeZone),
        };
        entry.unitIds.push(unitId);
        heads.set(head.id, entry);
      }
  }
  return [...heads.values()];
}

/**
 * Sends each unit head with unfinished tickets a short morning summary of their subtree (open, overdue, new in the
 * last 24 hours, the most overdue codes), on working days from 07:00 on the agency's wall clock, once a day per
 * head (the outbox's dedupe key). Returns how many digests this run queued.
 */
export async function sendMorningDigests(
  config: ClockConfig,
  now = new Date(),
  signal?: AbortSignal,
): Promise<{ queued: number }> {
  let queued = 0;
  const unitNames = new Map<string, string>();
  const unitName = async (code: string) => {
    if (!unitNames.has(code)) unitNames.set(code, (await findUnitByCode(code))?.name ?? code);
    return unitNames.get(code)!;
  };
  for (const head of await headsDueForDigest(now)) {
    if (signal?.aborted) break;
    const subtree = { unitPath: { $in: head.unitIds.map((id) => new mongoose.Types.ObjectId(id)) } };
    const overdueFilter = {
      ...subtree,
      status: { $in: runningStatuses },
      dueClock: { $in: ESCALATED_CLOCKS },
      dueAt: { $lt: now },
    };
    const [openCount, overdueCount, newCount, overdue] = await Promise.all([
      Ticket.countDocuments({ ...subtree, status: { $in: openStatuses } }),
      Ticket.countDocuments(overdueFilter),
      Ticket.countDocuments({ ...subtree, createdAt: { $gte: new Date(now.getTime() - DAY_MS) } }),
      Ticket.find(overdueFilter)
        .sort({ dueAt: 1 })
        .limit(DIGEST_LIST)
        .select({ code: 1, unitCode: 1, dueAt: 1, dueClock: 1, timeZone: 1 })
        .lean<Pick<TicketDoc, 'code' | 'unitCode' | 'dueAt' | 'dueClock' | 'timeZone'>[]>(),
    ]);
    const [firstUnit] = head.unitIds;
    const unitPath = firstUnit ? (await unitPathsOf([firstUnit])).get(String(firstUnit)) : undefined;
    const result = await queueMail({
      unitPath, // the agency's admins see it on their outbox page
      to: head.email,
      template: 'staff.digest',
      lang: head.lang,
      data: {
        trackUrl: `${config.publicUrl.replace(/\/+$/, '')}/inbox`,
        name: head.name,
        dateLabel: wallClockLabel(now, head.timeZone, head.lang).replace(/ (pukul|at) .*$/, ''),
        openCount,
        overdueCount,
        newCount,
        overdue: await Promise.all(
          overdue.map(async (ticket) => ({
            code: ticket.code,
            unitName: await unitName(ticket.unitCode),
            clockLabel: t(head.lang, `clocks.clock.${ticket.dueClock}`),
            dueLabel: wallClockLabel(ticket.dueAt!, ticket.timeZone, head.lang),
          })),
        ),
        moreOverdue: Math.max(0, overdueCount - overdue.length),
      },
      dedupeKey: `digest:${head.id}:${head.day}`,
    });
    if (result.queued) queued++;
  }
  if (queued > 0) logger.info({ queued }, 'morning digests queued');
  return { queued };
}

// ---------------------------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------------------------

const MINUTE = 60_000;

/** The clock jobs, for a scheduler to run; the run's start time is the "now" they measure clocks against. */
export function clockJobs(config: ClockConfig): Job[] {
  return [
    {
      name: 'feedback.escalate_breaches',
      everyMs: MINUTE,
      run: async ({ startedAt, signal }) => void (await escalateBreaches(config, startedAt, signal)),
    },
    {
      name: 'feedback.auto_close',
      everyMs: MINUTE,
      run: async ({ startedAt, signal }) => void (await autoCloseResolved(startedAt, signal)),
    },
    {
      name: 'feedback.morning_digest',
      everyMs: 5 * MINUTE,
      run: async ({ startedAt, signal }) => void (await sendMorningDigests(config, startedAt, signal)),
    },
  ];
}

/** Registers the clock jobs on the process's scheduler (server.ts calls this once, before starting it). */
export function registerClockJobs(config: ClockConfig): void {
  for (const job of clockJobs(config)) registerJob(job);
}
