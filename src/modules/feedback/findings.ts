import { updateAndRead } from '../../platform/db.js';
import Joi from 'joi';
import mongoose from 'mongoose';
import { AppError } from '../../platform/errors.js';
import { recordEvent, writeWithEvents } from '../../platform/event-log.js';
import { publish } from '../../platform/events.js';
import { check } from '../../platform/validate.js';
import type { Actor } from '../../platform/access.js';
import { findOfficersByIds } from '../directory/index.js';
import { Finding, type FindingDoc } from './model.js';

/** The officer's answer to a finding (hak jawab): plain text, shown beside the finding on their record. */
export const findingAnswerInput = Joi.object({ body: Joi.string().trim().min(1).max(2000).required() });

export interface FindingAnswer {
  id: string;
  answer: { body: string; at: Date };
}

/**
 * The officer a finding is about answers it, once (docs/domain.md#findings-and-fairness). Only that officer, signed in with the
 * account linked to their NIP, may; the write is one conditional update, so two answers racing each other leave
 * exactly one, and the second is told it came too late.
 */
export async function answerFinding(
  actor: Actor | undefined,
  findingId: unknown,
  raw: unknown,
): Promise<FindingAnswer> {
  if (!actor) throw new AppError('unauthenticated');
  const id = String(findingId ?? '');
  if (!mongoose.Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) throw new AppError('not_found');
  const finding = await Finding.findById(id).select({ officerId: 1, ticketId: 1 }).lean<FindingDoc>();
  if (!finding) throw new AppError('not_found');
  const [officer] = await findOfficersByIds([String(finding.officerId)]);
  if (!officer || !actor.officerNip || actor.officerNip !== officer.nip) throw new AppError('forbidden');
  const { body } = check(findingAnswerInput, raw);

  const at = new Date();
  const event = {
    findingId: String(finding._id),
    ticketId: String(finding.ticketId),
    officerId: String(finding.officerId),
    at,
  };
  const answered = await writeWithEvents(async (session) => {
    const changed = await updateAndRead<FindingDoc>(
      Finding,
      { _id: finding._id, 'answer.body': null },
      { $set: { 'answer.body': body, 'answer.at': at } },
      { session },
    );
    if (changed) await recordEvent(session, 'finding.answered', event);
    return changed;
  });
  if (!answered) throw new AppError('conflict', 'coaching.answer.already');
  publish('finding.answered', event);
  return { id: String(finding._id), answer: { body, at } };
}
