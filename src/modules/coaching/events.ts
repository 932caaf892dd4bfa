import type { Types } from 'mongoose';
import { registerProjector, type StoredEvent } from '../../platform/event-log.js';
import type { DomainEvents } from '../../platform/events.js';
import { findOfficer, findOfficersByIds, type OfficerDoc } from '../directory/index.js';
import {
  countedOutcomes,
  findComplimentFacts,
  findFinding,
  scrubPersonalData,
  unverifiedStatuses,
  type ComplimentFacts,
  type FindingDoc,
} from '../feedback/index.js';
import { findOfficerAnswer, type OfficerAnswer } from '../surveys/index.js';
import { FeedItem, removeFeedItem, removeFeedItems, upsertFeedItem, type FeedItemInput } from './model.js';
import { registerCoachingWorkSubscribers } from './plan-events.js';

/**
 * The coaching projectors (platform/event-log.ts): the record's feed follows the durable event records of other
 * modules, and the development plan follows the findings. Registered once per process by the server and by the
 * test set-up; calling it again does nothing.
 *
 * Fairness (DESIGN.md section 3): only a finding a unit head recorded as substantiated or partially substantiated
 * becomes an item. A `not_substantiated` finding is not shown at all (and an earlier item of that finding is
 * removed), so a cleared allegation can never be read as a negative, counted, or carried into an evaluation. A
 * complaint without a finding never reaches the record. Compliments count once staff verified the ticket.
 *
 * Every handler reads its source again rather than trusting the event's snapshot and writes by upsert, so applying
 * an event twice, or late, leaves the same items; rebuild.ts writes the same items from the same builders. Two
 * processes applying events of the same compliment at the same moment can still cross (the older reading written
 * last); the daily reconciliation (verify.ts) repairs that.
 */
export const RECORD_PROJECTOR = 'coaching.record';
let registered = false;

/** The source an event is about, and the work that brings the record in line with it (null: nothing to do). */
function recordWork(event: StoredEvent): [string, () => Promise<void>] | null {
  const payload = event.payload as Record<string, unknown> & DomainEvents['ticket.created'];
  switch (event.name) {
    case 'finding.recorded':
    case 'finding.answered': {
      const id = String(payload.findingId);
      return [`finding:${id}`, () => syncFinding(id)];
    }
    case 'ticket.created':
    case 'ticket.updated':
      return payload.kind === 'compliment'
        ? [`ticket:${payload.ticketId}`, () => syncCompliment(payload.ticketId)]
        : null;
    case 'survey.submitted':
      return payload.officerId
        ? [`survey:${String(payload.surveyId)}`, () => syncSurvey(String(payload.surveyId))]
        : null;
    case 'officer.changed':
      return [`officer:${String(payload.nip)}`, () => followOfficer(String(payload.nip))];
    default:
      return null;
  }
}

/** Each source once per batch, in the order of its last event: every handler reads the source as it is now. */
async function projectRecord(events: StoredEvent[]): Promise<void> {
  const work = new Map<string, () => Promise<void>>();
  for (const event of events) {
    const item = recordWork(event);
    if (!item) continue;
    work.delete(item[0]);
    work.set(item[0], item[1]);
  }
  for (const run of work.values()) await run();
}

export function registerCoachingSubscribers(): void {
  if (registered) return;
  registered = true;
  registerProjector({
    name: RECORD_PROJECTOR,
    events: [
      'finding.recorded',
      'finding.answered',
      'ticket.created',
      'ticket.updated',
      'survey.submitted',
      'officer.changed',
    ],
    wants: (event) => recordWork({ name: event.name, payload: event.payload } as StoredEvent) !== null,
    apply: projectRecord,
  });

  // Coaching work (sessions, actions, training, evaluations) registers its own projectors below this line.
  registerCoachingWorkSubscribers();
}

// ---- Item builders: the one place that decides what the record shows (used live and by a rebuild)

type ItemOfficer = Pick<OfficerDoc, '_id' | 'unitPath'>;

export function findingItem(finding: FindingDoc, officer: ItemOfficer): FeedItemInput | null {
  if (!countedOutcomes.includes(finding.outcome)) return null;
  return {
    officerId: officer._id,
    unitPath: officer.unitPath,
    type: 'finding',
    sourceId: finding._id,
    at: finding.createdAt,
    data: {
      findingId: String(finding._id),
      ticketCode: finding.code,
      category: finding.category ?? null,
      outcome: finding.outcome,
      note: finding.note ?? '',
      recordedBy: finding.recordedBy?.name ?? '',
      // The officer's answer (hak jawab), once; null until given.
      answer: finding.answer?.body ? { body: finding.answer.body, at: finding.answer.at } : null,
    },
  };
}

/** A compliment counts once staff verified the ticket: never while received, nor when rejected or merged. */
export function complimentItems(ticket: ComplimentFacts, officers: readonly ItemOfficer[]): FeedItemInput[] {
  if (ticket.kind !== 'compliment' || unverifiedStatuses.includes(ticket.status)) return [];
  const named = new Set(ticket.officerIds.map(String));
  return officers
    .filter((officer) => named.has(String(officer._id)))
    .map((officer) => ({
      officerId: officer._id,
      unitPath: officer.unitPath,
      type: 'compliment' as const,
      sourceId: ticket._id,
      at: ticket.createdAt,
      data: {
        ticketCode: ticket.code,
        category: ticket.category ?? null,
        unitCode: ticket.unitCode,
        serviceCode: ticket.serviceCode ?? null,
        // Scrubbed like the inbox row; the officer's own view leaves it out (see record.ts).
        summary: scrubPersonalData(ticket.description).slice(0, 200),
      },
    }));
}

/** The officer-specific part of an SKM answer: element 6 (kompetensi pelaksana) and 7 (perilaku pelaksana). */
export function surveyItem(response: OfficerAnswer, officer: ItemOfficer): FeedItemInput {
  return {
    officerId: officer._id,
    unitPath: officer.unitPath,
    type: 'survey',
    sourceId: response._id,
    at: response.submittedAt,
    data: {
      competence: response.answers[5],
      conduct: response.answers[6],
      unitCode: response.unitCode,
      serviceCode: response.serviceCode ?? null,
      // Integrity indicators are shown beside the index, never used to drop an answer (DESIGN.md section 8).
      flags: [...(response.integrity?.flags ?? [])],
    },
  };
}

// ---- Live updates

async function officerById(id: Types.ObjectId | string): Promise<OfficerDoc | undefined> {
  return (await findOfficersByIds([String(id)]))[0];
}

export async function syncFinding(findingId: string): Promise<void> {
  const finding: FindingDoc | null = await findFinding(findingId);
  if (!finding) return;
  const officer = await officerById(finding.officerId);
  if (!officer) return;
  const item = findingItem(finding, officer);
  if (item) await upsertFeedItem(item);
  else await removeFeedItem('finding', finding._id, finding.officerId);
}

export async function syncCompliment(ticketId: string): Promise<void> {
  const ticket = await findComplimentFacts(ticketId);
  if (!ticket || ticket.kind !== 'compliment') return;
  const items = complimentItems(ticket, await findOfficersByIds(ticket.officerIds.map(String)));
  // A compliment rejected as spam, merged, sent back to another unit, or untagged from an officer leaves the record.
  await removeFeedItems({
    type: 'compliment',
    sourceId: ticket._id,
    officerId: { $nin: items.map((item) => item.officerId) },
  });
  for (const item of items) await upsertFeedItem(item);
}

export async function syncSurvey(surveyId: string): Promise<void> {
  const response = await findOfficerAnswer(surveyId);
  if (!response?.officerId) return;
  const officer = await officerById(response.officerId);
  if (officer) await upsertFeedItem(surveyItem(response, officer));
}

/** An officer moved to another unit: their record moves with them, so the new unit's coaches see it. */
export async function followOfficer(nip: string): Promise<void> {
  const officer = await findOfficer({ nip });
  if (!officer) return;
  await FeedItem.updateMany(
    { officerId: officer._id, unitPath: { $ne: officer.unitPath } },
    { $set: { unitPath: officer.unitPath } },
  );
}
