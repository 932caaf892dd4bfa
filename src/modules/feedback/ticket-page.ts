import { t, type Lang } from '../../platform/i18n.js';
import { findUnitByCode, listPublicOfficers, listPublicUnits } from '../directory/index.js';
import type { StaffView } from './staff.js';
import { findingOutcomes } from './statuses.js';

/**
 * What the staff ticket page shows, in the reader's language: names instead of codes, a sentence per history entry,
 * the waiting time beside the service standard, and the one action the ticket waits for next (the rest are behind
 * "Tindakan lain").
 */

type Entry = StaffView['history'][number];

/** The action a ticket in this state waits for, for a person with these rights; null when there is none. */
export function nextActionOf(view: Pick<StaffView, 'ticket' | 'can'>): string | null {
  const { status } = view.ticket;
  if (view.can.triage && status === 'received') return 'verify';
  if (view.can.triage && status === 'verified') return 'assign';
  if (view.can.work && ['assigned', 'in_progress', 'awaiting_citizen'].includes(status)) return 'resolve';
  if (view.can.triage && status === 'resolved') return 'close';
  return null;
}

/** Every action form the page may show for this state and these rights, in the order people reach for them. */
function actionsOf(view: Pick<StaffView, 'ticket' | 'can'>): string[] {
  const { status, statusType } = view.ticket;
  const open = statusType === 'open' || statusType === 'paused';
  const triage = view.can.triage;
  const work = view.can.work;
  return [
    triage && status === 'received' && 'verify',
    triage && open && status !== 'received' && 'assign',
    work && ['verified', 'assigned', 'in_progress'].includes(status) && 'ask',
    work && open && status !== 'received' && 'resolve',
    triage && status === 'resolved' && 'close',
    triage && open && 'reject',
    triage && open && 'forward',
    triage && open && 'priority',
    triage && open && 'merge',
    triage && (status === 'resolved' || status === 'closed') && 'reopen',
  ].filter((action): action is string => Boolean(action));
}

export async function ticketPage(view: StaffView, lang: Lang) {
  const unit = await findUnitByCode(view.ticket.unitCode);
  const service = unit?.services.find((candidate) => candidate.code === view.ticket.serviceCode);
  const counter = unit?.counters.find((candidate) => candidate.code === view.ticket.counter);
  const unitNames = new Map<string, string>();
  const unitName = async (code: string | null) => {
    if (!code) return '';
    if (!unitNames.has(code)) unitNames.set(code, (await findUnitByCode(code))?.name ?? code);
    return unitNames.get(code)!;
  };
  const categoryName = (code: string | null) =>
    view.categories.find((category) => category.code === code)?.name?.[lang] ?? code ?? '';
  const statusName = (status: string | null) => (status ? t(lang, `feedback.status.${status}`) : '');

  /** One history entry as a sentence: who, what, and its values named as people read them. */
  const describe = async (entry: Entry): Promise<string> => {
    switch (entry.action) {
      case 'created':
        return '';
      case 'status':
        return entry.from ? `${statusName(entry.from)} → ${statusName(entry.to)}` : statusName(entry.to);
      case 'forwarded':
      case 'decision_moved':
        return `${await unitName(entry.from)} → ${await unitName(entry.to)}`;
      case 'category':
        return entry.from ? `${categoryName(entry.from)} → ${categoryName(entry.to)}` : categoryName(entry.to);
      case 'priority':
        return `${t(lang, `inbox.priority.${entry.from ?? 'normal'}`)} → ${t(lang, `inbox.priority.${entry.to}`)}`;
      case 'escalated':
        return entry.from ? t(lang, `clocks.clock.${entry.from}`) : '';
      case 'finding': {
        const outcome = findingOutcomes.find((candidate) => entry.to?.endsWith(`: ${candidate}`));
        return outcome
          ? `${entry.to!.slice(0, -outcome.length - 2)}: ${t(lang, `inbox.outcome.${outcome}`)}`
          : (entry.to ?? '');
      }
      case 'unassigned':
        return entry.from ?? '';
      default:
        return [entry.from, entry.to].filter(Boolean).join(' → ');
    }
  };
  const who = (entry: Entry) =>
    entry.by === 'citizen'
      ? t(lang, 'inbox.by.citizen')
      : entry.by === 'system'
        ? t(lang, 'inbox.by.system')
        : entry.by;

  const actions = actionsOf(view);
  const primary = nextActionOf(view);
  const taggedRefs = new Set(view.officers.map((officer) => officer.ref));
  const wait = view.waitMinutes;
  const standard = service?.targetWaitMinutes ?? null;
  return {
    unitName: unit?.name ?? view.ticket.unitCode,
    serviceName: service?.name ?? view.ticket.serviceCode,
    counterName: counter?.name ?? view.ticket.counter,
    decisionUnitName: await unitName(view.ticket.decisionUnitCode),
    categoryName: categoryName(view.ticket.category),
    wait: wait === null ? null : { minutes: wait, standard, over: standard !== null && wait > standard },
    history: await Promise.all(
      view.history.map(async (entry) => ({ ...entry, who: who(entry), what: await describe(entry) })),
    ),
    primary,
    others: actions.filter((action) => action !== primary),
    officersToTag: view.can.triage
      ? (await listPublicOfficers(view.ticket.unitCode)).filter((officer) => !taggedRefs.has(officer.ref))
      : [],
    forwardUnits: actions.includes('forward')
      ? (await listPublicUnits()).filter((candidate) => candidate.code !== view.ticket.unitCode)
      : [],
  };
}
