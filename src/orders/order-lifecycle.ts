// The order lifecycle: what each route may do in each state of an order. The service consults
// `decide` before every change and nothing else decides whether a change is allowed.
//
// An order's state is read off its flags, most final first: archived, canceled, done, delivered,
// sent, otherwise open. An archived order (DELETE, only once done or canceled) takes no change but
// its restore. The flags themselves are what the routes set; the state only chooses the column.
//
// How to read a row: first, if the route's effect already holds for the order (a second /sent),
// the answer is 200 and nothing is written. Otherwise the cell for the order's state says:
//   ALLOW  - the change is made (and recorded in the history);
//   REFUSE - 422, naming the order's state;
//   HOLDS  - the effect always holds in this state, so the first rule has answered already
//            (kept in the table so that every cell says something; a unit test checks it).

export type LifecycleState = 'open' | 'sent' | 'delivered' | 'done' | 'canceled' | 'archived';

export interface LifecycleFlags {
  sent: boolean;
  delivered: boolean;
  done: boolean;
  canceled: boolean;
  archived: boolean;
}

type Cell = 'ALLOW' | 'REFUSE' | 'HOLDS';
const ALLOW: Cell = 'ALLOW';
const REFUSE: Cell = 'REFUSE';
const HOLDS: Cell = 'HOLDS';

interface Rule {
  /** When the route's effect is already there: a repeat, answered 200 without writing. */
  holds: (order: LifecycleFlags) => boolean;
  cells: Record<LifecycleState, Cell>;
  /** The flags the route sets, if it is a lifecycle route. */
  sets: Partial<LifecycleFlags>;
}

const never = (): boolean => false;

function rule(
  holds: Rule['holds'],
  open: Cell,
  sent: Cell,
  delivered: Cell,
  done: Cell,
  canceled: Cell,
  archived: Cell,
  sets: Partial<LifecycleFlags> = {},
): Rule {
  return { holds, cells: { open, sent, delivered, done, canceled, archived }, sets };
}

// prettier-ignore -- a table reads better aligned
export const LIFECYCLE = {
  //                     already holds when      open    sent    delivered done    canceled archived  sets
  sent: rule((o) => o.sent, ALLOW, HOLDS, HOLDS, ALLOW, REFUSE, REFUSE, { sent: true }),
  delivered: rule((o) => o.delivered, ALLOW, ALLOW, HOLDS, ALLOW, REFUSE, REFUSE, { sent: true, delivered: true }),
  done: rule((o) => o.done, ALLOW, ALLOW, ALLOW, HOLDS, REFUSE, REFUSE, { done: true }),
  cancel: rule((o) => o.canceled, ALLOW, REFUSE, REFUSE, REFUSE, HOLDS, REFUSE, { canceled: true }),
  // /paid with status success; a repeat with the same payment_id is caught by the payment itself.
  paid: rule(never, ALLOW, ALLOW, ALLOW, ALLOW, REFUSE, REFUSE),
  // /paid with denied, canceled or unknown only records the attempt in the history.
  payment_attempt: rule(never, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, REFUSE),
  // POST, PUT and DELETE of an item: lines are fixed once the order has left or is finished.
  item: rule(never, ALLOW, REFUSE, REFUSE, REFUSE, REFUSE, REFUSE),
  delivery_address: rule(never, ALLOW, REFUSE, REFUSE, REFUSE, REFUSE, REFUSE),
  // PUT of the order's discount or fees: the money is fixed, like the lines, once the order has left.
  prices: rule(never, ALLOW, REFUSE, REFUSE, REFUSE, REFUSE, REFUSE),
  // The caller's own metadata: its data, not the order's, so it may change until the order is archived.
  metadata: rule(never, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, REFUSE),
  // A refund of what was paid: in every state, a canceled order's above all (what is left to
  // refund is checked by the route).
  refund: rule(never, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, REFUSE),
  tracking: rule(never, ALLOW, ALLOW, ALLOW, ALLOW, REFUSE, REFUSE),
  // DELETE /System/Orders/{id}: only a finished order leaves the lists.
  archive: rule((o) => o.archived, REFUSE, REFUSE, REFUSE, ALLOW, ALLOW, HOLDS, { archived: true }),
  // An admin brings an archived order back as it was; any other order holds already.
  restore: rule((o) => !o.archived, HOLDS, HOLDS, HOLDS, HOLDS, HOLDS, ALLOW, { archived: false }),
} satisfies Record<string, Rule>;

export type LifecycleAction = keyof typeof LIFECYCLE;

export const LIFECYCLE_ACTIONS = Object.keys(LIFECYCLE) as LifecycleAction[];

export type Decision =
  | { outcome: 'apply'; sets: Partial<LifecycleFlags> }
  | { outcome: 'noop' }
  | { outcome: 'refuse'; state: LifecycleState };

export function lifecycleState(order: LifecycleFlags): LifecycleState {
  if (order.archived) return 'archived';
  if (order.canceled) return 'canceled';
  if (order.done) return 'done';
  if (order.delivered) return 'delivered';
  if (order.sent) return 'sent';
  return 'open';
}

export function decide(action: LifecycleAction, order: LifecycleFlags): Decision {
  const { holds, cells, sets } = LIFECYCLE[action];
  if (holds(order)) return { outcome: 'noop' };
  const state = lifecycleState(order);
  switch (cells[state]) {
    case 'ALLOW':
      return { outcome: 'apply', sets };
    case 'REFUSE':
      return { outcome: 'refuse', state };
    case 'HOLDS':
      // Unreachable while the table is consistent (tested); answering "nothing to do" is the safe reading.
      return { outcome: 'noop' };
  }
}

/**
 * The routes that would change this order now, shown on every order as allowed_transitions.
 * Recording a failed payment attempt is always possible and changes nothing, and metadata is the
 * caller's own, not a step of the order's; both are left out.
 */
export const TRANSITIONS = LIFECYCLE_ACTIONS.filter((action) => action !== 'payment_attempt' && action !== 'metadata');

export function allowedTransitions(order: LifecycleFlags): LifecycleAction[] {
  return TRANSITIONS.filter((action) => decide(action, order).outcome === 'apply');
}
