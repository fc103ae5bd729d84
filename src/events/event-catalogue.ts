import type { FieldError } from '../common/errors/domain-error.js';

// The events a partner app can subscribe to (/System/Events), the variables its parameters may
// use, and the conditions the gateway understands. Retailys names two order events, `order-new`
// (the reference) and `order-change-status`; its PHP SDK spells the first `new-order` and lets its
// models hold no other order event. Both spellings name one event here, and a subscription is
// answered with the spelling it was made with, so the SDK reads its own subscriptions back.

export const ORDER_EVENT_KINDS = [
  'order-new',
  'order-change-status',
  'order-paid',
  'order-sent',
  'order-delivered',
  'order-done',
  'order-canceled',
  'order-refunded',
  'order-sync-failed',
] as const;

export type OrderEventKind = (typeof ORDER_EVENT_KINDS)[number];

/** The names a subscription may give, to the event each stands for. */
const EVENT_NAMES: ReadonlyMap<string, OrderEventKind> = new Map<string, OrderEventKind>([
  ...ORDER_EVENT_KINDS.map((kind) => [kind, kind] as [string, OrderEventKind]),
  ['new-order', 'order-new'],
]);

export const EVENT_NAME_VALUES = [...EVENT_NAMES.keys()];

export function eventKindOf(name: string): OrderEventKind | undefined {
  return EVENT_NAMES.get(name);
}

/** What an event is about: the values its variables are filled with. */
export interface EventFacts {
  eventId: string;
  /** The event as the subscription names it. */
  event: string;
  orderId: number;
  sequence: number;
  statusId: number | null;
  channelId: number | null;
  occurredAt: string;
}

/** Each variable and the value it stands for; typed, for a JSON body that gives one alone. */
export const VARIABLES: Readonly<Record<string, (facts: EventFacts) => string | number | null>> = {
  '%orderId%': (facts) => facts.orderId,
  '%statusId%': (facts) => facts.statusId,
  '%channelId%': (facts) => facts.channelId,
  '%event%': (facts) => facts.event,
  '%eventId%': (facts) => facts.eventId,
  '%sequence%': (facts) => facts.sequence,
  '%occurredAt%': (facts) => facts.occurredAt,
};

const VARIABLE = /%[A-Za-z]+%/g;

/** The names of unknown variables in a parameter's text. */
export function unknownVariables(text: string): string[] {
  return (text.match(VARIABLE) ?? []).filter((name) => !(name in VARIABLES));
}

/**
 * A parameter's value: the variable's own value when the text is one variable alone (a number
 * stays a number, an unknown status null), else the text with each variable written in it
 * (null as nothing).
 */
export function parameterValue(text: string, facts: EventFacts): string | number | null {
  const alone = VARIABLES[text];
  if (alone) return alone(facts);
  return text.replace(VARIABLE, (name) => {
    const value = VARIABLES[name]?.(facts);
    return value === null || value === undefined ? '' : String(value);
  });
}

/** A subscription's condition as filters: an empty list matches every value. */
export interface EventCondition {
  statusIds: number[];
  channelIds: number[];
}

const FIELDS: ReadonlyMap<string, keyof EventCondition> = new Map([
  ['status_id', 'statusIds'],
  ['statusid', 'statusIds'],
  ['%statusid%', 'statusIds'],
  ['channel_id', 'channelIds'],
  ['channelid', 'channelIds'],
  ['%channelid%', 'channelIds'],
]);

const CLAUSE = /^\s*(%?[a-z_]+%?)\s*(?:(?:==?)\s*(\d{1,10})|in\s*\(\s*(\d{1,10}(?:\s*,\s*\d{1,10})*)\s*\))\s*$/i;

export const CONDITION_GRAMMAR =
  'status_id = 3, channel_id in (1, 2), or both joined by "and" (also written %statusId% == 3)';

/**
 * The condition a subscription gives, parsed; an error naming `field` when it says something the
 * gateway cannot honour (rather than a filter silently ignored).
 */
export function parseCondition(
  condition: string | null | undefined,
  field: string,
  errors: FieldError[],
): EventCondition {
  const parsed: EventCondition = { statusIds: [], channelIds: [] };
  if (condition === null || condition === undefined || condition.trim() === '') return parsed;
  const seen = new Set<keyof EventCondition>();
  for (const clause of condition.split(/\s+and\s+|\s*&&\s*/i)) {
    const match = CLAUSE.exec(clause);
    const target = match ? FIELDS.get(match[1]!.toLowerCase()) : undefined;
    if (!match || !target || seen.has(target)) {
      errors.push({ field, message: `cannot be honoured: the gateway understands ${CONDITION_GRAMMAR}` });
      return parsed;
    }
    seen.add(target);
    parsed[target] = (match[2] ?? match[3]!).split(',').map((id) => Number(id.trim()));
  }
  return parsed;
}
