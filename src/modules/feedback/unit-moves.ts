import mongoose from 'mongoose';
import { registerProjector, type StoredEvent } from '../../platform/event-log.js';
import { logger } from '../../platform/logger.js';
import { findUnitById, unitPathsOf } from '../directory/index.js';
import { decisionUnitFor } from './conflict.js';
import { Finding, Ticket, type TicketDoc } from './model.js';

/**
 * Tickets follow their unit through the tree (docs/domain.md#moved-units): when a unit is moved, the directory
 * records `unit.changed` for it and every unit below it in the transaction of the move, and this projector sets the
 * `unitPath` of every ticket of those units (open or not) and of their findings to the unit's path as it is now, and
 * moves where a ticket naming a unit's head is decided. Setting a path to the unit's current one is idempotent, so an
 * event applied twice, or late, changes nothing more; the event record makes it happen even if the process dies
 * right after the move. The rollups keep the path they were written with (docs/architecture.md#rollups).
 */

export const UNIT_PATHS_PROJECTOR = 'feedback.unit_paths';

const oid = (id: string) => new mongoose.Types.ObjectId(id);

async function followUnits(events: StoredEvent[]): Promise<void> {
  const unitIds = [...new Set(events.map((event) => (event.payload as { unitId: string }).unitId))];
  // Read from the database, never a kept lookup: another process may have moved the unit a moment ago.
  const paths = await unitPathsOf(unitIds.filter((id) => mongoose.Types.ObjectId.isValid(id)));
  for (const [unitId, path] of paths) {
    const unitPath = path.map(oid);
    // Every step again on every application (none skipped as "already done"): one cut short by a crash is completed.
    await Ticket.updateMany({ unitId: oid(unitId) }, { $set: { unitPath } });
    const tickets = await Ticket.find({ unitId: oid(unitId) })
      .select({ _id: 1, officerIds: 1, decisionUnitId: 1, code: 1 })
      .lean<Pick<TicketDoc, '_id' | 'officerIds' | 'decisionUnitId' | 'code'>[]>();
    await Finding.updateMany({ ticketId: { $in: tickets.map((ticket) => ticket._id) } }, { $set: { unitPath } });
    // A ticket naming a unit's head is decided above it: above it in the tree it now sits in.
    for (const ticket of tickets.filter((one) => one.officerIds.length > 0)) {
      const decider = await decisionUnitFor(unitPath, ticket.officerIds);
      if (decider === (ticket.decisionUnitId ? String(ticket.decisionUnitId) : null)) continue;
      const unit = decider ? await findUnitById(decider) : null;
      await Ticket.updateOne(
        { _id: ticket._id },
        { $set: { decisionUnitId: unit?._id ?? null, decisionUnitCode: unit?.code ?? null } },
      );
    }
    logger.info({ unitId, tickets: tickets.length }, 'tickets follow their moved unit');
  }
}

/** Registered in every process that writes (the feedback manifest's `subscribers`). */
export function registerUnitPathFollower(): void {
  registerProjector({ name: UNIT_PATHS_PROJECTOR, events: ['unit.changed'], apply: followUnits });
}
