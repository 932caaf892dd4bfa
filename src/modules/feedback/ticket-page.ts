import { t, type Lang } from '../../platform/i18n.js';
import { findUnitByCode, listPublicOfficers, listPublicUnits } from '../directory/index.js';
import { categoryNames } from './categories.js';
import { formOf, nextActionOf, offeredActions, type ActionName } from './actions.js';
import type { StaffView } from './staff/ticket-reads.js';
import { findingOutcomes, type Status } from './statuses.js';

/**
 * What the staff ticket page shows, in the reader's language: names instead of codes, a sentence per history entry,
 * the waiting time beside the service standard, and the one action the ticket waits for next (the rest are behind
 * "Tindakan lain"), both as actions.ts offers them.
 */

type Entry = StaffView['history'][number];

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
  const names = await categoryNames();
  const categoryName = (code: string | null) => (code ? (names.get(code)?.[lang] ?? code) : '');
  const statusName = (status: string | null) => (status ? t(lang, `feedback.status.${status}`) : '');

  /** One history entry as a sentence: who, what, and its values named as people read them. */
  const describe = async (entry: Entry): Promise<string> => {
    switch (entry.action) {
      case 'created':
        // Recorded by staff from a phone call, a letter...: the channel it came by.
        return view.ticket.channel === 'web' ? '' : t(lang, `feedback.channel.${view.ticket.channel}`);
      case 'extended':
        return entry.to ? new Date(entry.to).toISOString().slice(0, 10) : '';
      case 'objection_decided':
        return entry.to ? t(lang, `inbox.objection_outcome.${entry.to}`) : '';
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

  const offer = { status: view.ticket.status as Status, can: view.can, ticket: view.ticket };
  const actions = offeredActions(offer);
  const primary = nextActionOf(offer);
  const form = (action: ActionName) => formOf(action)!;
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
    // The page draws an action by its form partial; the primary is drawn apart from the others.
    primaryForm: primary && formOf(primary),
    otherForms: actions.filter((action) => action !== primary).map(form),
    officersToTag: view.can.triage
      ? (await listPublicOfficers(view.ticket.unitCode)).filter((officer) => !taggedRefs.has(officer.ref))
      : [],
    forwardUnits: actions.includes('forward')
      ? (await listPublicUnits()).filter((candidate) => candidate.code !== view.ticket.unitCode)
      : [],
  };
}
