import Joi from 'joi';
import { recordAudit } from '../../platform/audit-log.js';
import type { Actor, Scoped } from '../../platform/access.js';
import { logger } from '../../platform/logger.js';
import { check } from '../../platform/validate.js';
import { activeAgencies } from '../directory/index.js';
import { purgeAttachments, purgeContactData } from '../feedback/index.js';
import { purgeSurveyEvidence } from '../surveys/index.js';
import { AgencyRetention } from './retention-model.js';

/**
 * How long personal data is kept, per agency, and the daily job that forgets what is past it (docs/privacy.md#retention:
 * the defaults and bounds, and why). The periods live here because this module's job is their only reader; the
 * forgetting itself is done by the modules that own the data, through their faces.
 */

export const retentionKinds = ['contactDays', 'attachmentDays', 'evidenceDays'] as const;
export type RetentionKind = (typeof retentionKinds)[number];
export type RetentionPeriods = Record<RetentionKind, number>;

/** Days: contact data and attachments count from the ticket's closing, survey evidence from the answer. */
export const retentionBounds: Record<RetentionKind, { min: number; max: number; default: number }> = {
  contactDays: { min: 180, max: 1825, default: 730 },
  attachmentDays: { min: 180, max: 1825, default: 730 },
  evidenceDays: { min: 30, max: 730, default: 180 },
};

const DAY_MS = 86_400_000;

/** The message keys are snake case, as platform/validate.ts recognises them. */
const boundsMessage: Record<RetentionKind, string> = {
  contactDays: 'settings.retention.contact_bounds',
  attachmentDays: 'settings.retention.attachment_bounds',
  evidenceDays: 'settings.retention.evidence_bounds',
};

export const retentionInput = Joi.object(
  Object.fromEntries(
    retentionKinds.map((kind) => [
      kind,
      Joi.number().integer().min(retentionBounds[kind].min).max(retentionBounds[kind].max).messages({
        'number.base': boundsMessage[kind],
        'number.integer': boundsMessage[kind],
        'number.min': boundsMessage[kind],
        'number.max': boundsMessage[kind],
        'number.unsafe': boundsMessage[kind],
      }),
    ]),
  ),
);

export async function retentionOf(agencyCode: string): Promise<RetentionPeriods> {
  const saved = await AgencyRetention.findById(agencyCode).lean<Partial<Record<RetentionKind, number | null>>>();
  return Object.fromEntries(
    retentionKinds.map((kind) => [kind, saved?.[kind] ?? retentionBounds[kind].default]),
  ) as RetentionPeriods;
}

/** Saves the periods given (the caller has checked the actor manages the agency); audited with before and after. */
export async function saveRetention(
  actor: Actor,
  agency: { code: string; path: Scoped['unitPath'] },
  raw: unknown,
): Promise<RetentionPeriods> {
  const change = check(retentionInput, raw ?? {}) as Partial<RetentionPeriods>;
  const before = await retentionOf(agency.code);
  const after = { ...before, ...change };
  await AgencyRetention.updateOne(
    { _id: agency.code },
    { $set: { ...after, updatedBy: actor.id, updatedAt: new Date() } },
    { upsert: true },
  );
  await recordAudit(actor, 'settings.retention', agency.code, { before, after }, null, { unitPath: agency.path });
  return after;
}

export interface RetentionCounts {
  contactData: number;
  attachments: number;
  surveyEvidence: number;
}

/**
 * One run of the retention job: for every active agency, forgets what is past its periods at `now`. Logs the counts
 * and writes one audit entry with them, per agency and in total, even when nothing was due (the inspectorate sees
 * the job ran).
 */
export async function applyRetention(now = new Date(), signal?: AbortSignal): Promise<RetentionCounts> {
  const total: RetentionCounts = { contactData: 0, attachments: 0, surveyEvidence: 0 };
  const agencies: Record<string, RetentionCounts> = {};
  for (const agency of await activeAgencies()) {
    if (signal?.aborted) break;
    const periods = await retentionOf(agency.code);
    const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const counts: RetentionCounts = {
      contactData: await purgeContactData(cutoff(periods.contactDays), agency.code),
      attachments: await purgeAttachments(cutoff(periods.attachmentDays), agency.code),
      surveyEvidence: await purgeSurveyEvidence(cutoff(periods.evidenceDays), agency.code),
    };
    agencies[agency.code] = counts;
    for (const key of Object.keys(total) as (keyof RetentionCounts)[]) total[key] += counts[key];
  }
  logger.info({ job: 'settings.retention', ...total }, 'retention: personal data past its period removed');
  await recordAudit(null, 'settings.retention_run', null, { at: now, total, agencies });
  return total;
}
