import {
  LIFECYCLE,
  LIFECYCLE_ACTIONS,
  type LifecycleFlags,
  allowedTransitions,
  decide,
  lifecycleState,
} from '../../src/orders/order-lifecycle.js';

// Every combination of flags an order can reach through the routes, starting from open.
function reachableFlagSets(): LifecycleFlags[] {
  const key = (flags: LifecycleFlags) => JSON.stringify(flags);
  const start: LifecycleFlags = { sent: false, delivered: false, done: false, canceled: false, archived: false };
  const seen = new Map([[key(start), start]]);
  const queue = [start];
  while (queue.length > 0) {
    const flags = queue.shift()!;
    for (const action of LIFECYCLE_ACTIONS) {
      const decision = decide(action, flags);
      if (decision.outcome !== 'apply') continue;
      const next = { ...flags, ...decision.sets };
      if (!seen.has(key(next))) {
        seen.set(key(next), next);
        queue.push(next);
      }
    }
  }
  return [...seen.values()];
}

const open: LifecycleFlags = { sent: false, delivered: false, done: false, canceled: false, archived: false };
const reachable = reachableFlagSets();

describe('the lifecycle table', () => {
  it('reaches exactly the flag sets the routes allow', () => {
    const f = (sent: boolean, delivered: boolean, done: boolean, canceled: boolean, archived = false) => ({
      sent,
      delivered,
      done,
      canceled,
      archived,
    });
    const finished = [
      f(false, false, true, false), // done without shipping (a pickup)
      f(true, false, true, false), // done after sending
      f(true, true, true, false), // done after delivery
      f(false, false, false, true), // canceled
    ];
    expect(reachable).toHaveLength(11);
    expect(reachable).toEqual(
      expect.arrayContaining([
        f(false, false, false, false), // open
        f(true, false, false, false), // sent
        f(true, true, false, false), // delivered
        ...finished,
        // Only a finished order is archived.
        ...finished.map((flags) => ({ ...flags, archived: true })),
      ]),
    );
    // A canceled order was never sent, delivered or done; delivered always comes with sent.
    for (const flags of reachable) {
      if (flags.canceled) expect(flags).toEqual({ ...open, canceled: true, archived: flags.archived });
      if (flags.delivered) expect(flags.sent).toBe(true);
      if (flags.archived) expect(flags.done || flags.canceled).toBe(true);
    }
  });

  it('marks HOLDS only where the route already holds for every order in that state', () => {
    for (const [action, rule] of Object.entries(LIFECYCLE)) {
      for (const flags of reachable) {
        if (rule.cells[lifecycleState(flags)] === 'HOLDS') {
          expect({ action, flags, holds: rule.holds(flags) }).toEqual({ action, flags, holds: true });
        }
      }
    }
  });

  it('answers every route in every reachable state with apply, noop or refuse, and is idempotent', () => {
    for (const action of LIFECYCLE_ACTIONS) {
      for (const flags of reachable) {
        const decision = decide(action, flags);
        if (decision.outcome === 'apply') {
          // Applying twice is applying once: the second time it holds or is a plain allowed change again.
          const after = { ...flags, ...decision.sets };
          if (Object.keys(decision.sets).length > 0) expect(decide(action, after).outcome).toBe('noop');
        }
        if (decision.outcome === 'refuse') expect(decision.state).toBe(lifecycleState(flags));
      }
    }
  });

  it.each([
    ['cancel', { ...open, sent: true }, 'refuse'],
    ['cancel', { ...open, sent: true, delivered: true }, 'refuse'],
    ['cancel', { ...open, done: true }, 'refuse'],
    ['cancel', open, 'apply'],
    ['cancel', { ...open, canceled: true }, 'noop'],
    ['sent', { ...open, canceled: true }, 'refuse'],
    ['delivered', { ...open, canceled: true }, 'refuse'],
    ['done', { ...open, canceled: true }, 'refuse'],
    ['sent', { ...open, sent: true }, 'noop'],
    ['sent', { ...open, sent: true, delivered: true }, 'noop'],
    ['delivered', open, 'apply'],
    ['item', { ...open, sent: true }, 'refuse'],
    ['item', { ...open, canceled: true }, 'refuse'],
    ['item', { ...open, done: true }, 'refuse'],
    ['item', open, 'apply'],
    ['delivery_address', { ...open, sent: true }, 'refuse'],
    ['paid', { ...open, canceled: true }, 'refuse'],
    ['paid', { ...open, done: true }, 'apply'],
    ['payment_attempt', { ...open, canceled: true }, 'apply'],
    ['tracking', { ...open, canceled: true }, 'refuse'],
  ] as const)('%s on %j: %s', (action, flags, outcome) => {
    expect(decide(action, flags).outcome).toBe(outcome);
  });

  it('sets sent together with delivered', () => {
    expect(decide('delivered', open)).toEqual({ outcome: 'apply', sets: { sent: true, delivered: true } });
  });

  it('names the state by the most final flag', () => {
    expect(lifecycleState(open)).toBe('open');
    expect(lifecycleState({ ...open, sent: true, delivered: true, done: true })).toBe('done');
    expect(lifecycleState({ ...open, sent: true, delivered: true })).toBe('delivered');
  });

  it('lists allowed transitions without repeats, refusals or payment attempts', () => {
    expect(allowedTransitions(open)).toEqual([
      'sent',
      'delivered',
      'done',
      'cancel',
      'paid',
      'item',
      'delivery_address',
      'prices',
      'refund',
      'tracking',
    ]);
    expect(allowedTransitions({ ...open, sent: true, delivered: true })).toEqual([
      'done',
      'paid',
      'refund',
      'tracking',
    ]);
    // A canceled order can still give back what was paid (the order shows it only when something was).
    expect(allowedTransitions({ ...open, canceled: true })).toEqual(['refund', 'archive']);
    // An archived order takes nothing but its restore.
    expect(allowedTransitions({ ...open, canceled: true, archived: true })).toEqual(['restore']);
  });
});
