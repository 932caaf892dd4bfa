import { expect } from 'chai';
import { JobLease, Scheduler, type Job } from '../../src/platform/scheduler.js';
import { clearCollections, useTestDatabase } from '../helpers/db.js';

/**
 * Two schedulers with two owner ids play two processes of one deployment, sharing one database and one clock
 * that the spec moves forward (instead of waiting for real periods to pass).
 */
const MINUTE = 60_000;

class Clock {
  constructor(public time = new Date('2026-03-02T01:00:00Z')) {}
  now = () => this.time;
  advance(ms: number) {
    this.time = new Date(this.time.getTime() + ms);
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('The scheduler with a database lease', () => {
  useTestDatabase();
  beforeEach(() => clearCollections());

  function twoProcesses(clock: Clock, job: Omit<Job, 'name'> & { runLeaseMs?: number }) {
    const { runLeaseMs, ...rest } = job;
    const full = { name: 'feedback.auto_close', ...rest };
    const web1 = new Scheduler({ owner: 'web-1', now: clock.now, runLeaseMs });
    const web2 = new Scheduler({ owner: 'web-2', now: clock.now, runLeaseMs });
    web1.register(full);
    web2.register(full);
    const tickBoth = async () => {
      const started = await Promise.all([web1.tick(), web2.tick()]);
      await Promise.all([web1.idle(), web2.idle()]);
      return started.flat();
    };
    return { web1, web2, tickBoth };
  }

  it('runs a job once per period when two processes tick at the same moment', async () => {
    const clock = new Clock();
    const runs: string[] = [];
    const { tickBoth } = twoProcesses(clock, { everyMs: 10 * MINUTE, run: ({ owner }) => void runs.push(owner) });

    expect(await tickBoth()).to.have.length(1);
    expect(await tickBoth()).to.have.length(0); // same period: nobody runs it again
    clock.advance(9 * MINUTE);
    expect(await tickBoth()).to.have.length(0);
    clock.advance(1 * MINUTE);
    expect(await tickBoth()).to.have.length(1);
    for (let period = 0; period < 4; period++) {
      clock.advance(10 * MINUTE);
      await tickBoth();
      await tickBoth();
    }
    expect(runs).to.have.length(6);
    expect(runs.every((owner) => owner === 'web-1' || owner === 'web-2')).to.equal(true);
    const lease = await JobLease.findById('feedback.auto_close').lean();
    expect(lease!.owner).to.equal(runs.at(-1));
    expect(lease!.leaseUntil.getTime()).to.equal(clock.time.getTime() + 10 * MINUTE);
  });

  it('takes over the job of a process that died holding the lease, once the lease has expired', async () => {
    const clock = new Clock();
    await JobLease.create({
      _id: 'feedback.auto_close',
      owner: 'web-3 (crashed)',
      startedAt: clock.time,
      leaseUntil: new Date(clock.time.getTime() + MINUTE),
    });
    const runs: string[] = [];
    const { tickBoth } = twoProcesses(clock, { everyMs: 10 * MINUTE, run: ({ owner }) => void runs.push(owner) });

    await tickBoth();
    expect(runs).to.deep.equal([]); // still held by the crashed process
    clock.advance(MINUTE);
    await tickBoth();
    expect(runs).to.have.length(1);
    const lease = await JobLease.findById('feedback.auto_close').lean();
    expect(lease!.owner).to.equal(runs[0]);
  });

  it('does not start a job again while its run is still going, even past its period', async () => {
    const clock = new Clock();
    const release = deferred();
    let runs = 0;
    const { web1, web2 } = twoProcesses(clock, {
      everyMs: MINUTE,
      runLeaseMs: 10 * MINUTE, // the running owner's extensions; the spec's clock does not move their timers
      run: async () => {
        runs++;
        await release.promise;
      },
    });

    expect(await web1.tick()).to.deep.equal(['feedback.auto_close']);
    clock.advance(5 * MINUTE);
    expect(await web1.tick()).to.deep.equal([]);
    expect(await web2.tick()).to.deep.equal([]);
    expect(runs).to.equal(1);

    release.resolve();
    await web1.idle();
    // The run overran its period, so the job is free again for the next period, whoever looks first.
    clock.advance(MINUTE);
    expect(await web2.tick()).to.deep.equal(['feedback.auto_close']);
    await web2.idle();
    expect(runs).to.equal(2);
  });

  it('records a failing run and runs the job again next period', async () => {
    const clock = new Clock();
    let calls = 0;
    const { tickBoth } = twoProcesses(clock, {
      everyMs: MINUTE,
      run: () => {
        calls++;
        if (calls === 1) throw new Error('the holiday calendar is empty');
      },
    });
    await tickBoth();
    expect((await JobLease.findById('feedback.auto_close').lean())!.lastError).to.equal(
      'the holiday calendar is empty',
    );
    clock.advance(MINUTE);
    await tickBoth();
    expect(calls).to.equal(2);
    expect((await JobLease.findById('feedback.auto_close').lean())!.lastError).to.equal(null);
  });

  it('on stop, asks a running job to finish and waits for it', async () => {
    const started = deferred();
    let finished = false;
    const scheduler = new Scheduler({ owner: 'web-1' });
    scheduler.register({
      name: 'analytics.rollup',
      everyMs: MINUTE,
      run: async ({ signal }) => {
        started.resolve();
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        await JobLease.exists({ _id: 'analytics.rollup' }); // some last work after the signal
        finished = true;
      },
    });
    scheduler.start();
    await started.promise;
    await scheduler.stop();
    expect(finished).to.equal(true);
    expect((await JobLease.findById('analytics.rollup').lean())!.finishedAt).to.be.instanceOf(Date);
  });

  it('refuses two jobs with one name', () => {
    const scheduler = new Scheduler();
    scheduler.register({ name: 'digest.weekly', everyMs: MINUTE, run: () => undefined });
    expect(() => scheduler.register({ name: 'digest.weekly', everyMs: MINUTE, run: () => undefined })).to.throw(
      /already registered/,
    );
  });
});
