import mongoose, { type Types } from 'mongoose';
import Joi from 'joi';
import { AppError } from '../../../platform/errors.js';
import { check } from '../../../platform/validate.js';
import { can, scopeOf, type Actor } from '../../../platform/access.js';
import { recordAudit } from '../../../platform/audit-log.js';
import { activeOfficersUnder, countActiveOfficersUnder, findUnitByCode } from '../../directory/index.js';
import { FeedItem } from './feed-model.js';
import { periodOf } from './periods.js';

/**
 * The units whose officers the actor may read (`coaching.read`), narrowed to one unit's subtree when asked (a unit
 * outside the scope is not found), and the time zone its periods are read in.
 */
export async function officersInScope(actor: Actor, unitCode?: string) {
  const scope = scopeOf(actor, 'coaching.read');
  if (scope !== 'all' && scope.length === 0) throw new AppError('forbidden');
  let under: 'all' | Types.ObjectId[] = scope === 'all' ? 'all' : scope.map((id) => new mongoose.Types.ObjectId(id));
  let timeZone = 'Asia/Jakarta';
  if (unitCode) {
    const unit = await findUnitByCode(unitCode);
    if (!unit || !can(actor, 'coaching.read', { unitPath: unit.path })) throw new AppError('not_found');
    under = [unit._id];
    timeZone = unit.timeZone;
  } else if (scope !== 'all') {
    const grant = actor.grants.find((candidate) => candidate.unitId === scope[0]);
    const unit = grant?.unitCode ? await findUnitByCode(grant.unitCode) : null;
    timeZone = unit?.timeZone ?? timeZone;
  }
  return { under, timeZone };
}

export const overviewQuery = Joi.object({
  unitCode: Joi.string().trim().uppercase().max(40).allow(''),
  page: Joi.number().integer().min(1).max(10_000).default(1),
});
const OVERVIEW_PAGE = 50;

/** Officers whose records the actor may read, with this quarter's counts per officer. */
export async function coachingOverview(actor: Actor | undefined, raw: unknown) {
  if (!actor) throw new AppError('unauthenticated');
  const query = check(overviewQuery, raw ?? {}) as { unitCode?: string; page: number };
  const { under, timeZone } = await officersInScope(actor, query.unitCode);
  const period = periodOf({}, timeZone);
  await recordAudit(actor, 'coaching.overview.read', query.unitCode || null, {
    grant: 'coaching.read',
    page: query.page,
  });
  const [officers, total] = await Promise.all([
    activeOfficersUnder(under, { skip: (query.page - 1) * OVERVIEW_PAGE, limit: OVERVIEW_PAGE }),
    countActiveOfficersUnder(under),
  ]);
  const counts = await FeedItem.aggregate<{ _id: { officerId: Types.ObjectId; type: string }; n: number }>([
    {
      $match: {
        officerId: { $in: officers.map((officer) => officer._id) },
        at: { $gte: period.from, $lte: period.to },
      },
    },
    { $group: { _id: { officerId: '$officerId', type: '$type' }, n: { $sum: 1 } } },
  ]);
  const countOf = (officerId: Types.ObjectId, type: string) =>
    counts.find((row) => String(row._id.officerId) === String(officerId) && row._id.type === type)?.n ?? 0;
  return {
    period: { from: period.fromDay, to: period.toDay, timeZone },
    unitCode: query.unitCode || null,
    page: query.page,
    pages: Math.max(1, Math.ceil(total / OVERVIEW_PAGE)),
    total,
    officers: officers.map((officer) => ({
      nip: officer.nip,
      name: officer.name,
      position: officer.position,
      unitCode: officer.unitCode,
      findings: countOf(officer._id, 'finding'),
      compliments: countOf(officer._id, 'compliment'),
      surveys: countOf(officer._id, 'survey'),
      sessions: countOf(officer._id, 'session'),
    })),
  };
}
