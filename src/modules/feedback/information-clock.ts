import type { BusinessCalendar } from '../calendar/index.js';
import type { ClockEffect } from './actions.js';
import type { TicketDoc } from './model.js';

/**
 * The clocks of an information request (UU 14/2008 on public information, KIP; docs/domain.md#information-requests):
 * the answer is due 10 working days after receipt, once extendable by 7 working days with a reason the requester is
 * told; an objection (keberatan) may be lodged within 30 working days and is answered by the unit above within 30
 * working days. Pure rules, no database: intake and the staff changes read them.
 */
export const informationClocks = {
  answerWorkingDays: 10,
  extensionWorkingDays: 7,
  objectionWindowWorkingDays: 30,
  objectionWorkingDays: 30,
} as const;

/** The clocks an information request runs on instead of the complaint clocks. */
export const informationClockNames = ['inform', 'objection'] as const;
type InformationClock = (typeof informationClockNames)[number];

export const isInformationRequest = (ticket: Pick<TicketDoc, 'kind'>) => ticket.kind === 'information_request';

/** The answer clock started at receipt: the fields a new information request is filed with. */
export function informClockAt(calendar: BusinessCalendar, receivedAt: Date) {
  const due = calendar.dueAfterWorkingDays(receivedAt, informationClocks.answerWorkingDays);
  return { dueAt: due, dueClock: 'inform' as const, due: { inform: due } };
}

/**
 * What a staff action's clock effect does on an information request, or undefined where the complaint rule applies.
 * The answer clock counts from receipt whatever staff do in between: verifying, assigning, a first reply or
 * forwarding start no clock of their own while the answer or an objection is due. Resolving (the answer) and
 * rejecting (a refusal) end it through the complaint rules.
 */
export function informationClockFields(
  clock: ClockEffect,
  ticket: Pick<TicketDoc, 'kind' | 'dueClock'>,
): Record<string, unknown> | undefined {
  if (!isInformationRequest(ticket) || typeof clock !== 'object') return undefined;
  const running = informationClockNames.includes(ticket.dueClock as InformationClock);
  if (running && clock.starts !== 'autoClose') return {};
  return undefined;
}
