import { Injectable } from '@nestjs/common';
import { toJsonNumber } from '../common/money/money.js';
import { type Sql, jsonb, raw, sql } from '../database/sql.js';
import { type TableWork, unitRows } from '../database/table-work.js';
import type { UnitOfWork } from '../database/unit-of-work.js';
import { balanceDue } from '../orders/order-money.js';
import type { OrderRecord } from '../orders/order.types.js';
import type { OrderEventKind } from './event-catalogue.js';
import { EventSignal } from './event-signal.js';

// Order events are recorded in the statement of the change they tell of (a part of its unit of
// work), so an event exists exactly when its change committed. The database numbers them per
// order and makes a delivery for each matching subscription (the triggers of order_events).

export interface NewOrderEvent {
  kind: OrderEventKind;
  statusId: number | null;
  channelId: number | null;
  data: Record<string, unknown>;
}

type EventSource = Pick<
  OrderRecord,
  'statusId' | 'channelId' | 'sent' | 'delivered' | 'done' | 'canceled' | 'paid' | 'refunded' | 'money'
>;

/** What a change from `before` to `after` tells partner apps, in this order. */
export function orderEventsOf(before: EventSource, after: EventSource): NewOrderEvent[] {
  const events: NewOrderEvent[] = [];
  const add = (kind: OrderEventKind, data: Record<string, unknown> = {}) =>
    events.push({ kind, statusId: after.statusId, channelId: after.channelId, data });
  if (after.statusId !== before.statusId) add('order-change-status', { previous_status_id: before.statusId });
  if (after.sent && !before.sent) add('order-sent');
  if (after.delivered && !before.delivered) add('order-delivered');
  if (after.done && !before.done) add('order-done');
  if (after.canceled && !before.canceled) add('order-canceled');
  if (after.paid.gt(before.paid)) {
    add('order-paid', {
      amount: toJsonNumber(after.paid.minus(before.paid)),
      amount_paid: toJsonNumber(after.paid),
      balance_due: toJsonNumber(balanceDue(after)),
    });
  }
  if (after.refunded.gt(before.refunded)) {
    add('order-refunded', {
      amount: toJsonNumber(after.refunded.minus(before.refunded)),
      amount_refunded: toJsonNumber(after.refunded),
    });
  }
  return events;
}

/** The event of a new order. */
export function orderCreatedEvent(order: Pick<OrderRecord, 'channelId'> & { statusId?: number | null }): NewOrderEvent {
  return { kind: 'order-new', statusId: order.statusId ?? null, channelId: order.channelId, data: {} };
}

/**
 * The order-sync-failed event of the order `orderId` as a statement, for the statement that marks
 * its sync failed (OutboxRepository.stop): with the status and channel it has now.
 */
export function syncFailedEventStatement(orderId: number, error: string): Sql {
  return sql`INSERT INTO order_events (order_id, kind, status_id, channel_id, data)
             SELECT o.id, 'order-sync-failed', o.status_id, o.channel_id, jsonb_build_object('error', ${error}::text)
               FROM orders o WHERE o.id = ${orderId}::int`;
}

@Injectable()
export class OrderEvents {
  constructor(private readonly signal: EventSignal) {}

  /** The anchor order's events, as a part of its unit of work; nothing when there are none. */
  recordIn(work: UnitOfWork<unknown>, events: NewOrderEvent[]): void {
    if (events.length === 0) return;
    const rows = events.map((event, index) => ({ ...eventRow(event), ord: index }));
    work.write(
      'told',
      sql`INSERT INTO order_events (order_id, kind, status_id, channel_id, data)
          SELECT anchor.id, e.kind, e.status_id, e.channel_id, coalesce(e.data, '{}')
            FROM anchor, jsonb_to_recordset(${jsonb(rows)}) AS e(${raw(EVENT_COLUMNS)}, ord int)
           ORDER BY e.ord`,
    );
    const kinds = events.map((event) => event.kind);
    work.onCommitted(() => this.signal.recorded(kinds));
  }

  /** recordIn for every unit of a TableWork, `eventsOf[u]` unit u's, in the order of the units. */
  recordAllIn(work: TableWork, eventsOf: NewOrderEvent[][]): void {
    const rows = eventsOf.flatMap((events, u) => events.map((event, ord) => ({ u, ord, ...eventRow(event) })));
    if (rows.length === 0) return;
    work.write(
      'told',
      sql`INSERT INTO order_events (order_id, kind, status_id, channel_id, data)
          SELECT anchor.id, e.kind, e.status_id, e.channel_id, coalesce(e.data, '{}')
            FROM anchor JOIN ${unitRows(rows, 'e', `${EVENT_COLUMNS}, ord int`)} USING (u)
           ORDER BY e.u, e.ord`,
    );
    const kinds = [...new Set(rows.map((row) => row.kind))];
    work.onCommitted(() => this.signal.recorded(kinds));
  }
}

const EVENT_COLUMNS = 'kind text, status_id int, channel_id int, data jsonb';

function eventRow(event: NewOrderEvent) {
  return { kind: event.kind, status_id: event.statusId, channel_id: event.channelId, data: event.data };
}
