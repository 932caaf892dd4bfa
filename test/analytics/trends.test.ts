import { expect } from 'chai';
import { Types } from 'mongoose';
import { rebuildRollups } from '../../src/modules/analytics/rollups/rebuild.js';
import {
  bucketOf,
  countAtMost,
  DURATION_HOURS_BOUNDS,
  quantile,
  WAIT_MINUTES_BOUNDS,
} from '../../src/modules/analytics/shared/histogram.js';
import { ikmReport } from '../../src/modules/analytics/ikm/report.js';
import { segmentsOf } from '../../src/modules/analytics/shared/days.js';
import { transparencyFigures } from '../../src/modules/analytics/transparency/figures.js';
import { bucketsOf } from '../../src/modules/analytics/trends/buckets.js';
import { ticketTrends } from '../../src/modules/analytics/trends/report.js';
import { Unit, type UnitDoc } from '../../src/modules/directory/model.js';
import { ClockSettings } from '../../src/modules/feedback/clock-settings.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';
import { insertSurveys, rowsFor } from './rollups-helpers.js';

const HOUR = 3_600_000;

describe('Histograms for medians and percentiles', () => {
  it('puts values in fixed buckets, the overflow last', () => {
    expect(bucketOf(0, WAIT_MINUTES_BOUNDS)).to.equal(0);
    expect(bucketOf(4.99, WAIT_MINUTES_BOUNDS)).to.equal(0);
    expect(bucketOf(5, WAIT_MINUTES_BOUNDS)).to.equal(1);
    expect(bucketOf(-3, WAIT_MINUTES_BOUNDS)).to.equal(0);
    expect(bucketOf(10_000, WAIT_MINUTES_BOUNDS)).to.equal(WAIT_MINUTES_BOUNDS.length - 1);
    expect(bucketOf(48, DURATION_HOURS_BOUNDS)).to.equal(DURATION_HOURS_BOUNDS.indexOf(48));
  });

  it('interpolates within the bucket and stays within one bucket width of the exact percentile', () => {
    // A deterministic spread of waiting times: the exact p50/p90 vs the histogram's estimate.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const values = Array.from({ length: 5000 }, () => Math.round(-Math.log(1 - random()) * 40));
    const histogram = WAIT_MINUTES_BOUNDS.map(() => 0);
    for (const value of values) histogram[bucketOf(value, WAIT_MINUTES_BOUNDS)]!++;
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.5, 0.9]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const estimate = quantile(histogram, q, WAIT_MINUTES_BOUNDS)!;
      const bucket = bucketOf(exact, WAIT_MINUTES_BOUNDS);
      const width = WAIT_MINUTES_BOUNDS[bucket + 1]! - WAIT_MINUTES_BOUNDS[bucket]!;
      expect(Math.abs(estimate - exact), `q=${q}`).to.be.at.most(width);
    }
    // Evenly spread within a bucket: 10 values in [10, 15) → the median is in the middle.
    const even = WAIT_MINUTES_BOUNDS.map(() => 0);
    even[bucketOf(10, WAIT_MINUTES_BOUNDS)] = 10;
    expect(quantile(even, 0.5, WAIT_MINUTES_BOUNDS)).to.equal(12.5);
    expect(quantile(even, 1, WAIT_MINUTES_BOUNDS)).to.equal(15);
    expect(
      quantile(
        WAIT_MINUTES_BOUNDS.map(() => 0),
        0.5,
        WAIT_MINUTES_BOUNDS,
      ),
    ).to.equal(null);
    // The overflow bucket has no upper bound: its lower bound is reported (a lower bound of the truth).
    const overflow = WAIT_MINUTES_BOUNDS.map(() => 0);
    overflow[WAIT_MINUTES_BOUNDS.length - 1] = 3;
    expect(quantile(overflow, 0.9, WAIT_MINUTES_BOUNDS)).to.equal(1440);
    expect(countAtMost(even, 12.5, WAIT_MINUTES_BOUNDS)).to.equal(5);
  });
});

describe('Trends from the rollups', () => {
  useTestDatabase();
  let units: Record<string, UnitDoc>;

  before(async () => {
    await clearCollections();
    await testApp();
    await seedDirectory();
    units = Object.fromEntries((await Unit.find({}).lean<UnitDoc[]>()).map((unit) => [unit.code, unit]));
    const unit = units['PKM-KEBUNHANDIL']!;
    const staff = { kind: 'staff', userId: null, name: 'Kepala' };
    const citizen = { kind: 'citizen' };
    const ticket = (createdAt: Date, fields: Record<string, unknown>) => ({
      _id: new Types.ObjectId(),
      code: `T${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      tokenSalt: 'x',
      kind: 'complaint',
      category: 'waiting_time',
      description: 'Antrean lama.',
      unitId: unit._id,
      unitCode: unit.code,
      unitPath: unit.path,
      agencyCode: 'JAMBI',
      timeZone: 'Asia/Jakarta',
      serviceCode: null,
      officerIds: [],
      privacy: 'public',
      status: 'received',
      revision: 0,
      waitMinutes: null,
      resolvedAt: null,
      closedAt: null,
      rating: { score: null, at: null },
      due: { verify: new Date(createdAt.getTime() + 72 * HOUR), followUp: null },
      history: [{ at: createdAt, actor: citizen, action: 'created', to: 'received', public: true }],
      createdAt,
      updatedAt: createdAt,
      ...fields,
    });
    const t1 = new Date('2026-02-02T02:00:00Z'); // Monday 09:00 WIB
    const t2 = new Date('2026-02-03T02:00:00Z');
    const t4 = new Date('2026-03-02T02:00:00Z');
    const after = (start: Date, hours: number) => new Date(start.getTime() + hours * HOUR);
    await Ticket.collection.insertMany([
      ticket(t1, {
        serviceCode: 'POLI-UMUM',
        waitMinutes: 20,
        status: 'closed',
        resolvedAt: after(t1, 48),
        closedAt: after(t1, 60),
        rating: { score: 4, at: after(t1, 61) },
        due: { verify: after(t1, 72), followUp: after(t1, 2 + 120) },
        history: [
          { at: t1, actor: citizen, action: 'created', to: 'received', public: true },
          { at: after(t1, 2), actor: staff, action: 'status', from: 'received', to: 'verified', public: true },
          { at: after(t1, 12), actor: staff, action: 'reply', body: 'Sedang kami periksa.', public: true },
          { at: after(t1, 48), actor: staff, action: 'status', from: 'in_progress', to: 'resolved', public: true },
          { at: after(t1, 60), actor: citizen, action: 'confirmed', from: 'resolved', to: 'closed', public: true },
        ],
      }),
      ticket(t2, {
        serviceCode: 'POLI-UMUM',
        waitMinutes: 50,
        status: 'verified',
        history: [
          { at: t2, actor: citizen, action: 'created', to: 'received', public: true },
          { at: after(t2, 100), actor: staff, action: 'status', from: 'received', to: 'verified', public: true },
        ],
      }),
      ticket(new Date('2026-02-10T02:00:00Z'), { kind: 'compliment', category: null }),
      ticket(t4, {
        category: 'slow_processing',
        waitMinutes: 90,
        status: 'in_progress',
        history: [
          { at: t4, actor: citizen, action: 'created', to: 'received', public: true },
          { at: after(t4, 1), actor: staff, action: 'status', from: 'received', to: 'verified', public: true },
          { at: after(t4, 5), actor: staff, action: 'status', from: 'verified', to: 'resolved', public: true },
          { at: after(t4, 30), actor: citizen, action: 'reopened', from: 'resolved', to: 'in_progress', public: true },
        ],
      }),
    ] as never[]);
    await insertSurveys(
      unit,
      rowsFor([105, 101, 100, 116, 102, 105, 106, 105, 115], 29),
      new Date('2026-02-12T03:00:00Z'),
    );
    await rebuildRollups();
  });

  it('buckets by calendar month and ISO week, partial at the ends', () => {
    expect(bucketsOf({ from: '2026-01-15', to: '2026-03-02' }, 'month')).to.deep.equal([
      { key: '2026-01', label: '2026-01', from: '2026-01-15', to: '2026-01-31' },
      { key: '2026-02', label: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { key: '2026-03', label: '2026-03', from: '2026-03-01', to: '2026-03-02' },
    ]);
    expect(
      bucketsOf({ from: '2026-02-04', to: '2026-02-15' }, 'week').map((b) => [b.label, b.from, b.to]),
    ).to.deep.equal([
      ['2026-W06', '2026-02-04', '2026-02-08'],
      ['2026-W07', '2026-02-09', '2026-02-15'],
    ]);
  });

  it('reads whole months from the monthly rollups and the other days from the daily ones, with the same sums', async () => {
    expect(segmentsOf({ from: '2026-01-15', to: '2026-04-02' })).to.deep.equal([
      { monthly: false, from: '2026-01-15', to: '2026-01-31' },
      { monthly: true, from: '2026-02-01', to: '2026-03-31' },
      { monthly: false, from: '2026-04-01', to: '2026-04-02' },
    ]);
    expect(segmentsOf({ from: '2026-02-01', to: '2026-02-28' }, false)).to.deep.equal([
      { monthly: false, from: '2026-02-01', to: '2026-02-28' },
    ]);
    const months = await ticketTrends(null, {
      unitCode: 'JAMBI',
      from: '2026-02-01',
      to: '2026-03-31',
      interval: 'month',
    });
    const days = await ticketTrends(null, {
      unitCode: 'JAMBI',
      from: '2026-02-02',
      to: '2026-03-30',
      interval: 'month',
    });
    expect(days.tickets.total).to.deep.equal(months.tickets.total);
    expect(days.durations).to.deep.equal(months.durations);
    expect(days.waiting.byService).to.deep.equal(months.waiting.byService);
    const whole = await ikmReport(null, { unitCode: 'JAMBI', from: '2026-02-01', to: '2026-02-28' });
    const part = await ikmReport(null, { unitCode: 'JAMBI', from: '2026-02-02', to: '2026-02-28' });
    expect(part.elements).to.deep.equal(whole.elements);
  });

  it('counts tickets by kind and category, compliments, reopenings and ratings per month', async () => {
    const trends = await ticketTrends(null, {
      unitCode: 'JAMBI',
      from: '2026-02-01',
      to: '2026-03-31',
      interval: 'month',
    });
    expect(trends.buckets.map((bucket) => bucket.label)).to.deep.equal(['2026-02', '2026-03']);
    expect(trends.tickets.total).to.deep.equal([3, 1]);
    expect(trends.tickets.byKind.complaint).to.deep.equal([2, 1]);
    expect(trends.tickets.byKind.compliment).to.deep.equal([1, 0]);
    expect(trends.compliments).to.deep.equal([1, 0]);
    expect(trends.tickets.byCategory).to.deep.include({ waiting_time: [2, 0], slow_processing: [0, 1] });
    expect(trends.reopen).to.deep.include({ reopened: 1, resolved: 1, rate: 1 });
    expect(trends.rating).to.deep.include({ count: 1, mean: 4 });
    expect(trends.ikm[0]).to.include({ respondents: 29, ikm: 91.48, grade: 'A' });
    expect(trends.ikm[1]).to.include({ respondents: 0, ikm: null });
  });

  it('gives times to verify, to first follow-up and to resolve with the share within the legal limits', async () => {
    const { durations } = await ticketTrends(null, {
      unitCode: 'PKM-KEBUNHANDIL',
      from: '2026-02-01',
      to: '2026-02-28',
      interval: 'month',
    });
    // Verified after 2 h (in time) and after 100 h (past the stored 3-working-day due time).
    expect(durations.verify).to.include({ count: 2, timed: 2, withinLimitShare: 0.5, limitWorkingDays: 3 });
    expect(durations.verify.median).to.be.within(2, 3);
    expect(durations.verify.p90).to.be.within(96, 120);
    expect(durations.followUp).to.include({ count: 1, timed: 1, withinLimitShare: 1 });
    expect(durations.followUp.median).to.be.within(8, 12); // 10 h after verification
    expect(durations.resolve).to.include({ count: 1, withinLimitShare: null });
    expect(durations.resolve.median).to.be.within(48, 60); // 48 h, within its bucket
    // In March the reopened ticket has no resolution and no known follow-up due time.
    const march = await ticketTrends(null, {
      unitCode: 'PKM-KEBUNHANDIL',
      from: '2026-03-01',
      to: '2026-03-31',
      interval: 'month',
    });
    expect(march.durations.resolve.count).to.equal(0);
    expect(march.durations.followUp).to.include({ count: 1, timed: 0, withinLimitShare: null });

    // An agency that shortens its verify clock sees its own limit; each ticket stays judged by the deadline it had.
    await ClockSettings.create({ _id: 'JAMBI', verifyWorkingDays: 2 } as Record<string, unknown>);
    try {
      const shorter = await ticketTrends(null, {
        unitCode: 'PKM-KEBUNHANDIL',
        from: '2026-02-01',
        to: '2026-02-27',
        interval: 'month',
      });
      expect(shorter.durations.verify).to.include({ withinLimitShare: 0.5, limitWorkingDays: 2 });
    } finally {
      await ClockSettings.deleteOne({ _id: 'JAMBI' });
    }
  });

  it('narrows to one service from the detailed rollups, by month and by week alike', async () => {
    for (const interval of ['month', 'week'] as const) {
      const trends = await ticketTrends(null, {
        unitCode: 'JAMBI',
        from: '2026-02-01',
        to: '2026-03-31',
        interval,
        serviceCode: 'POLI-UMUM',
      });
      expect(
        trends.tickets.total.reduce((a, b) => a + b, 0),
        interval,
      ).to.equal(2);
      expect(trends.waiting.byService.map((row) => row.serviceCode)).to.deep.equal(['POLI-UMUM']);
      expect(trends.durations.verify).to.include({ count: 2, withinLimitShare: 0.5 });
    }
    const weeks = await ticketTrends(null, {
      unitCode: 'JAMBI',
      from: '2026-02-01',
      to: '2026-03-31',
      interval: 'week',
    });
    expect(weeks.tickets.total.reduce((a, b) => a + b, 0)).to.equal(4);
    expect(weeks.durations.verify.count).to.equal(3); // March's ticket too, verified in time
    expect(weeks.durations.verify.withinLimitShare).to.be.closeTo(2 / 3, 1e-9);
  });

  it('gives waiting minutes per unit and service against the service standard', async () => {
    const { waiting } = await ticketTrends(null, {
      unitCode: 'JAMBI-DINKES',
      from: '2026-02-01',
      to: '2026-03-31',
      interval: 'month',
    });
    expect(waiting.overall.reports).to.equal(3);
    expect(waiting.overall.mean).to.equal(53.33);
    const poli = waiting.byService.find((row) => row.serviceCode === 'POLI-UMUM')!;
    expect(poli).to.include({ unitCode: 'PKM-KEBUNHANDIL', reports: 2, targetWaitMinutes: 30, withinTargetShare: 0.5 });
    expect(poli.median).to.be.within(20, 50);
    const none = waiting.byService.find((row) => row.serviceCode === null)!;
    expect(none).to.include({ reports: 1, targetWaitMinutes: null, withinTargetShare: null });
    expect(none.median).to.be.within(90, 105);
    expect(waiting.perBucket.map((bucket) => bucket.reports)).to.deep.equal([2, 1]);
  });

  it('gives the transparency figures per unit, each over its subtree', async () => {
    const rows = await transparencyFigures('JAMBI', { from: '2026-02-01', to: '2026-03-31' });
    expect(rows.map((row) => row.code)).to.deep.equal(['JAMBI', 'JAMBI-DINKES', 'PKM-KEBUNHANDIL', 'PKM-PUTRIAYU']);
    const jambi = rows[0]!;
    expect(jambi).to.include({
      agencyCode: 'JAMBI',
      received: 4,
      resolved: 1,
      respondents: 29,
      ikm: 91.48,
      grade: 'A',
    });
    expect(jambi.answeredInTimeShare).to.equal(1);
    expect(jambi.medianResolveHours).to.be.within(48, 60);
    expect(rows[3]).to.include({
      received: 0,
      respondents: 0,
      ikm: null,
      answeredInTimeShare: null,
      medianResolveHours: null,
    });
    const all = await transparencyFigures(undefined, { from: '2026-02-01', to: '2026-03-31' });
    expect(all.map((row) => row.code)).to.include.members(['AMBON', 'AMB-DUKCAPIL', 'JAMBI']);
  });
});
