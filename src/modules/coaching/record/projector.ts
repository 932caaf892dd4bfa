import type { Types } from 'mongoose';
import { registerProjector, type StoredEvent } from '../../../platform/event-log.js';
import type { DomainEvents } from '../../../platform/events.js';
import { findOfficer, findOfficersByIds, type OfficerDoc } from '../../directory/index.js';
import { findComplimentFacts, findFinding, type FindingDoc } from '../../feedback/index.js';
import { findOfficerAnswer } from '../../surveys/index.js';
import { registerPlanProjector } from '../plan/projector.js';
import { FeedItem, removeFeedItem, removeFeedItems, upsertFeedItem } from './feed-model.js';
import { complimentItems, findingItem, surveyItem } from './feed-items.js';

/**
 * The coaching projectors (platform/event-log.ts): the record's feed follows the durable event records of other
 * modules, and the development plan follows the findings. Registered once per process by the server and by the
 * test set-up; calling it again does nothing.
 *
 * Fairness (docs/domain.md, "Findings and fairness"): only a finding a unit head recorded as substantiated or partially
 * substantiated becomes an item. A `not_substantiated` finding is not shown at all (and an earlier item of that finding
 * is removed), so a cleared allegation can never be read as a negative, counted, or carried into an evaluation. A
 * complaint without a finding never reaches the record. Compliments count once staff verified the ticket.
 *
 * Every handler reads its source again rather than trusting the event's snapshot and writes by upsert, so applying
 * an event twice, or late, leaves the same items; rebuild.ts writes the same items from the same builders
 * (feed-items.ts). Two processes applying events of the same compliment at the same moment can still cross (the older
 * reading written last); the daily reconciliation (verify.ts) repairs that.
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

  registerPlanProjector();
}

// ---- Live updates

async function officerById(id: Types.ObjectId | string): Promise<OfficerDoc | undefined> {
  return (await findOfficersByIds([String(id)]))[0];
}

async function syncFinding(findingId: string): Promise<void> {
  const finding: FindingDoc | null = await findFinding(findingId);
  if (!finding) return;
  const officer = await officerById(finding.officerId);
  if (!officer) return;
  const item = findingItem(finding, officer);
  if (item) await upsertFeedItem(item);
  else await removeFeedItem('finding', finding._id, finding.officerId);
}

async function syncCompliment(ticketId: string): Promise<void> {
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

async function syncSurvey(surveyId: string): Promise<void> {
  const response = await findOfficerAnswer(surveyId);
  if (!response?.officerId) return;
  const officer = await officerById(response.officerId);
  if (officer) await upsertFeedItem(surveyItem(response, officer));
}

/** An officer moved to another unit: their record moves with them, so the new unit's coaches see it. */
async function followOfficer(nip: string): Promise<void> {
  const officer = await findOfficer({ nip });
  if (!officer) return;
  await FeedItem.updateMany(
    { officerId: officer._id, unitPath: { $ne: officer.unitPath } },
    { $set: { unitPath: officer.unitPath } },
  );
}
