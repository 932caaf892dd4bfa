import mongoose from 'mongoose';
import { Ticket } from './model.js';

/**
 * Tickets received per local day and channel in a unit's subtree (the trends' "per channel" table). Read from the
 * tickets themselves rather than the rollups, which do not carry the channel: one grouped query on the
 * `{unitPath, createdAt}` index. A ticket from before channels were recorded counts as `web`.
 */
export async function ticketsPerChannel(scope: {
  unitId: string;
  serviceCode?: string | null;
  from: Date;
  to: Date;
  timeZone: string;
}): Promise<{ day: string; channel: string; received: number }[]> {
  const groups = await Ticket.aggregate<{ _id: { day: string; channel: string | null }; n: number }>([
    {
      $match: {
        unitPath: new mongoose.Types.ObjectId(scope.unitId),
        createdAt: { $gte: scope.from, $lte: scope.to },
        ...(scope.serviceCode ? { serviceCode: scope.serviceCode } : {}),
      },
    },
    {
      $group: {
        _id: {
          day: { $dateToString: { format: '%Y-%m-%d', date: '$createdAt', timezone: scope.timeZone } },
          channel: '$channel',
        },
        n: { $sum: 1 },
      },
    },
  ]);
  return groups.map(({ _id, n }) => ({ day: _id.day, channel: _id.channel ?? 'web', received: n }));
}
