import type { OfficerDoc } from '../../directory/index.js';
import {
  countedOutcomes,
  scrubPersonalData,
  unverifiedStatuses,
  type ComplimentFacts,
  type FindingDoc,
} from '../../feedback/index.js';
import type { OfficerAnswer } from '../../surveys/index.js';
import type { FeedItemInput } from './feed-model.js';

/**
 * The one place that decides what the record shows of findings, compliments and survey answers: the projector
 * (projector.ts), the rebuild (rebuild.ts) and the drift check (verify.ts) all write these items.
 */

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
        // Scrubbed like the inbox row; the officer's own view leaves it out (see officer-record.ts).
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
      // Integrity indicators are shown beside the index, never used to drop an answer (docs/domain.md, "Integrity
      // evidence").
      flags: [...(response.integrity?.flags ?? [])],
    },
  };
}
