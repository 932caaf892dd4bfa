import mongoose from 'mongoose';
import { wallClockLabel } from '../../../platform/calendar.js';
import { t, type Lang } from '../../../platform/i18n.js';
import { logger } from '../../../platform/logger.js';
import { accountContact } from '../../accounts/index.js';
import { findOfficersByIds, type OfficerDoc } from '../../directory/index.js';
import { queueMail } from '../../notifications/index.js';
import { CoachingAction, CoachingSession, type ActionDoc, type SessionDoc } from './model.js';

/**
 * Reminders for agreed actions of coaching sessions: on the due day (from 07:00 on the agency's wall clock) the
 * officer (through their account, when they have one) and the coach get one e-mail. Exactly once per action: each
 * action is claimed by one atomic update (`remindedAt: null` → now) in the same transaction as its mails, so two
 * overlapping runs (two processes) remind once, and a crash in between leaves neither the claim nor the mails.
 * Each mail also carries a dedupe key, the outbox's own guard.
 */

export interface ReminderConfig {
  /** Where staff pages live: the mail links to `${publicUrl}/coaching/sessions/<id>`. */
  publicUrl: string;
}

const BATCH = 200;

type Recipient = { email: string; name: string; lang: Lang; key: string };

async function recipientsFor(action: ActionDoc, officer: OfficerDoc | null): Promise<Recipient[]> {
  const [officerUser, coach] = await Promise.all([
    officer ? accountContact({ officerNip: officer.nip }) : Promise.resolve(null),
    accountContact({ userId: action.coachUserId }),
  ]);
  const list: Recipient[] = [];
  for (const user of [officerUser, coach]) {
    if (!user || list.some((other) => other.email === user.email)) continue;
    list.push({ email: user.email, name: user.name, lang: user.lang, key: user.id });
  }
  return list;
}

/** Reminds every due, open, not yet reminded action once. Returns how many actions this run reminded. */
export async function sendActionReminders(
  config: ReminderConfig,
  now = new Date(),
  signal?: AbortSignal,
): Promise<{ reminded: number }> {
  let reminded = 0;
  const due = await CoachingAction.find({ done: false, remindedAt: null, remindAt: { $lte: now } })
    .sort({ remindAt: 1 })
    .limit(BATCH)
    .lean<ActionDoc[]>();
  for (const action of due) {
    if (signal?.aborted) break;
    const [[officer = null], session] = await Promise.all([
      findOfficersByIds([String(action.officerId)]),
      CoachingSession.findById(action.sessionId).select({ timeZone: 1 }).lean<SessionDoc>(),
    ]);
    const timeZone = session?.timeZone ?? 'Asia/Jakarta';
    const recipients = await recipientsFor(action, officer);
    const url = `${config.publicUrl.replace(/\/+$/, '')}/coaching/sessions/${String(action.sessionId)}`;
    let claimed = false;
    await mongoose.connection.transaction(async (session) => {
      claimed = false;
      const result = await CoachingAction.updateOne(
        { _id: action._id, done: false, remindedAt: null },
        { $set: { remindedAt: now } },
        { session },
      );
      if (result.modifiedCount !== 1) return;
      claimed = true;
      for (const recipient of recipients)
        await queueMail(
          {
            to: recipient.email,
            template: 'coaching.action_due',
            lang: recipient.lang,
            data: {
              trackUrl: url,
              name: recipient.name,
              officerName: officer?.name ?? '',
              action: action.text,
              ownerLabel: `${t(recipient.lang, `coaching.work.owner.${action.owner}`)}: ${action.ownerName}`,
              dueLabel: wallClockLabel(action.dueAt, timeZone, recipient.lang, { time: false }),
            },
            dedupeKey: `coaching-action:${String(action._id)}:${recipient.key}`,
            unitPath: officer?.unitPath.map(String),
          },
          { session },
        );
    });
    if (claimed) reminded++;
  }
  if (reminded > 0) logger.info({ reminded }, 'coaching action reminders queued');
  return { reminded };
}
