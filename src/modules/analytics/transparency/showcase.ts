import { EventEmitter } from 'node:events';
import Joi from 'joi';
import mongoose from 'mongoose';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { assertCan, scopeOf, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { findUnitByCode, findUnitById, unitCode as unitCodeSchema } from '../../directory/index.js';
import {
  answeredPublicTickets,
  decisionScope,
  findTicketByCode,
  isAnswered,
  isNamed,
  normaliseTrackingCode,
  officerIdOf,
  scrubPersonalData,
} from '../../feedback/index.js';
import { ShowcaseItem, type ShowcaseDoc } from './showcase-model.js';

/**
 * "You said, we did" (docs/domain.md, privacy `public`): a unit head turns a resolved public ticket into a
 * short, moderated pair of sentences. The ticket's own text never leaves the staff side; what is published is
 * what the head wrote or approved, scrubbed of phone numbers, e-mail addresses and NIKs once more on the way in.
 */

export const SHOWCASE_TEXT_MAX = 300;

const changes = new EventEmitter();
changes.setMaxListeners(20);
/** How many times this process changed the showcase: the cached transparency figures follow it (pages.ts). */
let changeCount = 0;
export const showcaseChanges = () => changeCount;

/** Told the unit path (ids, agency first) of every approved or withdrawn item: the display refreshes those units. */
export function onShowcaseChange(listener: (unitPath: string[]) => void): () => void {
  changes.on('change', listener);
  return () => changes.off('change', listener);
}

const scrubbed = (text: string) => scrubPersonalData(text).replace(/\s+/g, ' ').trim();
const text = Joi.string().trim().max(SHOWCASE_TEXT_MAX);

export const showcaseInput = Joi.object({
  ticketCode: Joi.string().trim().max(40).required(),
  youSaid: text.min(5).required(),
  weDid: text.allow(''),
});

export const listQuery = Joi.object({ unitCode: unitCodeSchema.allow('') });

const byWhom = (actor: Actor) => ({ userId: new mongoose.Types.ObjectId(actor.id), name: actor.name });

/** Resolved public tickets in the actor's moderation scope, newest first, each with a scrubbed suggestion. */
export async function showcaseCandidates(actor: Actor | undefined, raw: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const query = check(listQuery, raw);
  const scope = scopeOf(actor, 'tickets.triage');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  // A complaint's words never reach the officer it names, not even as a suggestion to publish.
  const notNaming = await officerIdOf(actor);
  let unitId: mongoose.Types.ObjectId | null = null;
  if (query.unitCode) {
    const unit = await findUnitByCode(query.unitCode);
    if (!unit) throw AppError.validation({ unitCode: { key: 'feedback.unknown_unit' } });
    assertCan(actor, 'tickets.triage', { unitPath: unit.path.map(String) });
    unitId = unit._id;
  }
  const tickets = await answeredPublicTickets({ scope, unitId, notNaming, limit: 100 });
  const items = await ShowcaseItem.find({ ticketId: { $in: tickets.map((ticket) => ticket._id) } }).lean<
    ShowcaseDoc[]
  >();
  const itemOf = new Map(items.map((item) => [String(item.ticketId), item]));
  return tickets.map((ticket) => {
    const resolution = ticket.lastPublicAnswer;
    const item = itemOf.get(String(ticket._id));
    return {
      code: ticket.code,
      kind: ticket.kind,
      category: ticket.category,
      unitCode: ticket.unitCode,
      resolvedAt: ticket.resolvedAt,
      /** Suggestions for the form, scrubbed; the head edits them before anything is published. */
      suggestedYouSaid: scrubbed(ticket.description).slice(0, SHOWCASE_TEXT_MAX),
      suggestedWeDid: resolution ? scrubbed(resolution).slice(0, SHOWCASE_TEXT_MAX) : '',
      item: item ? publicItem(item) : null,
      itemStatus: item?.status ?? null,
    };
  });
}

/** Approves (or rewrites) the public pair of one ticket; only a resolved public ticket, only its unit's heads. */
export async function approveShowcase(actor: Actor | undefined, raw: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const input = check(showcaseInput, raw);
  const code = normaliseTrackingCode(input.ticketCode);
  const ticket = code ? await findTicketByCode(code) : null;
  if (!ticket) throw new AppError('not_found');
  assertCan(actor, 'tickets.triage', decisionScope(ticket));
  if (await isNamed(actor, ticket)) throw new AppError('forbidden', 'feedback.named_refused');
  if (ticket.privacy !== 'public')
    throw AppError.validation({ ticketCode: { key: 'analytics.pages.showcase_not_public' } });
  if (!isAnswered(ticket)) throw AppError.validation({ ticketCode: { key: 'analytics.pages.showcase_not_resolved' } });
  const weDid = scrubbed(input.weDid ?? '');
  if (ticket.kind !== 'compliment' && !weDid) throw AppError.validation({ weDid: { key: 'validation.required' } });
  const unit = await findUnitById(String(ticket.unitId));
  const now = new Date();
  const item = await ShowcaseItem.findOneAndUpdate(
    { ticketId: ticket._id },
    {
      $set: {
        kind: ticket.kind,
        unitId: ticket.unitId,
        unitCode: ticket.unitCode,
        unitName: unit?.name ?? ticket.unitCode,
        unitPath: ticket.unitPath,
        youSaid: scrubbed(input.youSaid),
        weDid,
        status: 'approved',
        approvedBy: byWhom(actor),
        approvedAt: now,
      },
    },
    { upsert: true, returnDocument: 'after', setDefaultsOnInsert: true },
  ).lean<ShowcaseDoc>();
  await recordAudit(actor, 'showcase.approve', ticket.code, { itemId: String(item!._id) }, null, {
    unitPath: ticket.unitPath,
  });
  changeCount++;
  changes.emit('change', ticket.unitPath.map(String));
  return publicItem(item!);
}

/** Takes an item off the public pages (it stays, withdrawn, for the record). */
export async function withdrawShowcase(actor: Actor | undefined, id: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  if (typeof id !== 'string' || !mongoose.Types.ObjectId.isValid(id)) throw new AppError('not_found');
  const item = await ShowcaseItem.findById(id).lean<ShowcaseDoc>();
  if (!item) throw new AppError('not_found');
  assertCan(actor, 'tickets.triage', { unitPath: item.unitPath.map(String) });
  await ShowcaseItem.updateOne({ _id: item._id }, { $set: { status: 'withdrawn' } });
  await recordAudit(actor, 'showcase.withdraw', String(item._id), null, null, { unitPath: item.unitPath });
  changeCount++;
  changes.emit('change', item.unitPath.map(String));
  return { ...publicItem(item), status: 'withdrawn' };
}

/** What the public sees of an item: the moderated text, the unit, the date. No ticket code, no names. */
export function publicItem(item: ShowcaseDoc) {
  return {
    id: String(item._id),
    kind: item.kind === 'compliment' ? 'compliment' : 'you_said_we_did',
    unitCode: item.unitCode,
    unitName: item.unitName,
    youSaid: item.youSaid,
    weDid: item.weDid,
    approvedAt: item.approvedAt,
  };
}
export type PublicShowcaseItem = ReturnType<typeof publicItem>;

/** Approved items of a unit's subtree (or everywhere), newest first. */
export async function approvedShowcase(
  options: { unitId?: mongoose.Types.ObjectId | string; kind?: 'compliment' | 'you_said_we_did'; limit?: number } = {},
): Promise<PublicShowcaseItem[]> {
  const filter: Record<string, unknown> = { status: 'approved' };
  if (options.unitId) filter.unitPath = new mongoose.Types.ObjectId(String(options.unitId));
  if (options.kind === 'compliment') filter.kind = 'compliment';
  else if (options.kind) filter.kind = { $ne: 'compliment' };
  const items = await ShowcaseItem.find(filter)
    .sort({ approvedAt: -1 })
    .limit(options.limit ?? 20)
    .lean<ShowcaseDoc[]>();
  return items.map(publicItem);
}
