import { EventSignal } from '../../src/events/event-signal.js';

// Which committed events wake this process's webhook workers at once (the rest wait for a poll).

function wakes(signal: EventSignal, kinds: string[]): boolean {
  let woken = false;
  const unsubscribe = signal.subscribe(() => {
    woken = true;
  });
  signal.recorded(kinds);
  unsubscribe();
  return woken;
}

const kinds =
  (...names: string[]) =>
  () =>
    Promise.resolve(new Set(names));

it('wakes the workers for events a subscription is to, and for every event while that is not known', async () => {
  const signal = new EventSignal();
  expect(wakes(signal, ['order-new'])).toBe(true);
  await signal.refresh(kinds('order-paid'));
  expect(wakes(signal, ['order-new'])).toBe(false);
  expect(wakes(signal, ['order-new', 'order-paid'])).toBe(true);
  await signal.refresh(kinds());
  expect(wakes(signal, ['order-paid'])).toBe(false);
  // A subscription made in this process: not known until the workers read them again.
  signal.subscriptionsChanged();
  expect(wakes(signal, ['order-new'])).toBe(true);
  await signal.refresh(() => Promise.reject(new Error('the database is away')));
  expect(wakes(signal, ['order-new'])).toBe(true);
});

it('does not keep a read begun before a subscription changed', async () => {
  const signal = new EventSignal();
  let finish: (found: Set<string>) => void = () => undefined;
  const reading = signal.refresh(() => new Promise((resolve) => (finish = resolve)));
  signal.subscriptionsChanged();
  finish(new Set());
  await reading;
  expect(wakes(signal, ['order-new'])).toBe(true);
});
