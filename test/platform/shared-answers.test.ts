import { expect } from 'chai';
import { freezeRows, SharedAnswers } from '../../src/platform/shared-answers.js';
import { useTestClock } from '../helpers/clock.js';

/** Lets the promise callbacks already queued run (a refresh finishing behind the askers). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A computation that counts its runs and finishes when told to. */
function counted<T>(value: T) {
  const run = { calls: 0, release: () => {} };
  const compute = () => {
    run.calls++;
    return new Promise<T>((resolve) => {
      run.release = () => resolve(value);
    });
  };
  return { run, compute };
}

describe('Answers shared between requests (dashboards under load)', () => {
  const time = useTestClock();
  let version = 0;
  const make = (ttlMs = 60_000, maxEntries = 10) =>
    new SharedAnswers<unknown>({ ttlMs, maxEntries, version: () => version });
  beforeEach(() => {
    version = 0;
  });

  it('computes once for every request that asks while the first computation runs, and after it', async () => {
    const shared = make();
    const { run, compute } = counted({ ikm: 88.1 });
    const waiting = [shared.get('q', compute), shared.get('q', compute), shared.get('q', compute)];
    await Promise.resolve();
    run.release();
    const answers = await Promise.all(waiting);
    expect(run.calls).to.equal(1);
    expect(answers.every((answer) => answer === answers[0])).to.equal(true);
    expect(await shared.get('q', compute)).to.equal(answers[0]);
    expect(run.calls).to.equal(1);
  });

  it('keeps different questions apart', async () => {
    const shared = make();
    const a = await shared.get('a', async () => 'A');
    const b = await shared.get('b', async () => 'B');
    expect([a, b]).to.deep.equal(['A', 'B']);
  });

  it('computes again after a write of this process (the version moved)', async () => {
    const shared = make();
    let calls = 0;
    const compute = async () => ++calls;
    expect(await shared.get('q', compute)).to.equal(1);
    version++;
    expect(await shared.get('q', compute)).to.equal(2);
    expect(await shared.get('q', compute)).to.equal(2);
  });

  it('computes again once the answer is older than its time to live (another process may have written)', async () => {
    const shared = make(30);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await shared.get('q', compute)).to.equal(1);
    time.advance(40);
    expect(await shared.get('q', compute)).to.equal(2);
  });

  it('refreshes an answer past half its time to live behind the askers: they get the kept one at once, then the new one', async () => {
    const shared = make(1_000);
    let calls = 0;
    let release = () => {};
    const compute = () => {
      calls++;
      if (calls === 1) return Promise.resolve('first');
      return new Promise<string>((resolve) => (release = () => resolve('second')));
    };
    expect(await shared.get('q', compute)).to.equal('first');
    time.advance(600); // past half of 1 s
    // Served at once although the refresh has not finished (it never will until released).
    expect(await shared.get('q', compute)).to.equal('first');
    expect(await shared.get('q', compute)).to.equal('first');
    expect(calls).to.equal(2); // one refresh, however many asked
    release();
    await settled();
    expect(await shared.get('q', compute)).to.equal('second');
    expect(calls).to.equal(2);
  });

  it('keeps the old answer when a refresh fails, and never past its time to live', async () => {
    const shared = make(1_000);
    let calls = 0;
    const compute = async () => {
      calls++;
      if (calls === 2) throw new Error('database gone');
      return `answer ${calls}`;
    };
    expect(await shared.get('q', compute)).to.equal('answer 1');
    time.advance(600);
    expect(await shared.get('q', compute)).to.equal('answer 1'); // starts the refresh, which fails
    await settled();
    expect(await shared.get('q', compute)).to.equal('answer 1'); // a new refresh: answer 3 replaces it
    await settled();
    expect(await shared.get('q', compute)).to.equal('answer 3');
    time.advance(1_050);
    expect(await shared.get('q', compute)).to.equal('answer 4'); // aged out: computed while the asker waits
  });

  it('never keeps a failure: the next request tries again', async () => {
    const shared = make();
    let calls = 0;
    const compute = async () => {
      calls++;
      if (calls === 1) throw new Error('database gone');
      return 'figures';
    };
    let failure: unknown;
    await shared.get('q', compute).catch((error: unknown) => (failure = error));
    expect(String(failure)).to.contain('database gone');
    expect(await shared.get('q', compute)).to.equal('figures');
    expect(calls).to.equal(2);
  });

  it('a computation that throws before its first await is a rejected answer, not a thrown call', async () => {
    const shared = make();
    const answer = shared.get('q', () => {
      throw new Error('bad key');
    });
    expect(answer).to.be.instanceOf(Promise);
    let failure: unknown;
    await answer.catch((error: unknown) => (failure = error));
    expect(String(failure)).to.contain('bad key');
  });

  it('drops the oldest answers beyond its size, so made-up keys cannot grow it', async () => {
    const shared = make(60_000, 3);
    const calls: Record<string, number> = {};
    const compute = (key: string) => async () => (calls[key] = (calls[key] ?? 0) + 1);
    for (const key of ['a', 'b', 'c', 'd']) await shared.get(key, compute(key));
    await shared.get('d', compute('d'));
    await shared.get('b', compute('b'));
    expect(calls.d).to.equal(1);
    expect(calls.b).to.equal(1);
    await shared.get('a', compute('a')); // the oldest, dropped when 'd' came
    expect(calls.a).to.equal(2);
  });

  it('seals the rows it shares: a caller that changes one fails loudly instead of changing everyone else’s', async () => {
    const shared = new SharedAnswers<{ n: number }[]>({
      ttlMs: 60_000,
      maxEntries: 10,
      version: () => 0,
      seal: freezeRows,
    });
    const rows = await shared.get('q', async () => [{ n: 1 }, { n: 2 }]);
    expect(() => {
      rows[0]!.n = 5;
    }).to.throw(TypeError);
    // Growing it changes nothing either (whether push throws on a frozen array varies: in a process that has loaded
    // the PDF specs' modules, Node 20's push neither throws nor adds).
    expect(Object.isFrozen(rows)).to.equal(true);
    try {
      rows.push({ n: 3 });
    } catch {
      // refused: as expected
    }
    expect((await shared.get('q', async () => [])).map((row) => row.n)).to.deep.equal([1, 2]);
  });
});
