import { setTimeout as sleep } from 'node:timers/promises';
import { CommitSignal, type Lease, type LeasedQueue, type Taken, WorkLoop } from '../../src/common/work-loop.js';

// When the worker loop looks for work. The queue here stands for the outbox's lease: what it
// holds, and whether it says more wait. The poll interval is long, so every look the test sees
// within it was a nudge: a commit, or a worker done while more may wait.

const POLL_MS = 60_000;

class ScriptedQueue implements LeasedQueue<number, number> {
  looks = 0;
  waiting: number[] = [];
  /** What the lease says of the rest; by default whether any are left. */
  sayMore: (() => boolean) | undefined;

  lease(_lease: Lease, _working: number[], limit: number): Promise<Taken<number>> {
    this.looks += 1;
    const items = this.waiting.splice(0, limit);
    return Promise.resolve({ items, more: this.sayMore ? this.sayMore() : this.waiting.length > 0 });
  }
}

function loopOn(queue: ScriptedQueue, capacity: number, work: (item: number) => Promise<void>) {
  return new WorkLoop<number, number>({
    queue,
    holder: { instanceId: 'test', shared: false },
    capacity: () => capacity,
    key: (item) => item,
    work,
    pollMs: () => POLL_MS,
    failed: (_what, error) => {
      throw error;
    },
  });
}

/** A loop on a fresh queue holding `waiting`, whose workers take `workMs` an item; started. */
function started(capacity: number, workMs: number, waiting: number[] = []) {
  const queue = new ScriptedQueue();
  queue.waiting.push(...waiting);
  const signal = new CommitSignal();
  const done: number[] = [];
  const loop = loopOn(queue, capacity, async (item) => {
    await sleep(workMs);
    done.push(item);
  });
  loop.start(signal);
  return { queue, signal, done, loop };
}

describe('WorkLoop', () => {
  let loop: WorkLoop<number, number> | undefined;
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
  });

  it('does not look again when a worker is done and the lease said nothing else waits', async () => {
    const { queue, signal, done, ...rest } = started(1, 20);
    loop = rest.loop;
    await sleep(20);
    expect(queue.looks).toBe(1);
    queue.waiting.push(1);
    signal.changed();
    await sleep(100);
    expect(done).toEqual([1]);
    // The look the commit caused, and none after the work.
    expect(queue.looks).toBe(2);
  });

  it('looks again when a worker is done while the lease said more wait, until they are taken', async () => {
    const { queue, done, ...rest } = started(1, 10, [1, 2, 3]);
    loop = rest.loop;
    await sleep(150);
    expect(done).toEqual([1, 2, 3]);
    // One look per order, the last one saying nothing else waits.
    expect(queue.looks).toBe(3);
  });

  it('looks again when a worker is done after a commit came while it worked, whatever the lease said', async () => {
    const { queue, signal, done, ...rest } = started(1, 40, [1]);
    loop = rest.loop;
    await sleep(10);
    // Committed while order 1 is forwarded: no free worker to look for it then.
    queue.waiting.push(2);
    signal.changed();
    await sleep(150);
    expect(done).toEqual([1, 2]);
  });

  it('keeps looking at once while full takes say more wait, and stops when one says none', async () => {
    const queue = new ScriptedQueue();
    queue.waiting.push(1, 2, 3, 4);
    queue.sayMore = () => false;
    const signal = new CommitSignal();
    const seen: number[] = [];
    loop = loopOn(queue, 2, async (item) => {
      seen.push(item);
      await sleep(5);
    });
    loop.start(signal);
    await sleep(100);
    // Two items a look, and the first look's "nothing else" believed: 3 and 4 wait for a nudge.
    expect(seen).toEqual([1, 2]);
    expect(queue.looks).toBe(1);
    signal.changed();
    await sleep(50);
    expect(seen).toEqual([1, 2, 3, 4]);
  });
});
