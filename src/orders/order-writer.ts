import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { entityTagMatches, orderEntityTag } from '../common/http/entity-tag.js';
import { RequestContext } from '../common/request-context.js';
import type { Db } from '../database/prisma.service.js';
import { WriteTransaction } from '../idempotency/write-transaction.js';
import type { Changes } from './history/changes.js';
import { type HistoryType, OrderHistoryRepository } from './history/order-history.repository.js';
import {
  type Decision,
  type LifecycleAction,
  type LifecycleState,
  allowedTransitions,
  decide,
  lifecycleState,
} from './order-lifecycle.js';
import type { OrderPatch, OrderRecord } from './order.types.js';
import { OrdersRepository } from './orders.repository.js';
import { OutboxRepository, type SyncEventKind } from '../outbox/outbox.repository.js';

/** What the back office must hear about a change, if anything. */
export interface ForwardedEvent {
  kind: SyncEventKind;
  payload?: object;
}

// The one way an existing order changes: inside one transaction, with the order's row locked
// (so concurrent changes to one order run in turn and see each other's results), the order is
// patched (its version incremented) and the change recorded in its history, or nothing is.
// The request's If-Match is checked against the version under that lock, and the version the
// request leaves is what its ETag says.

export interface HistoryNote {
  type?: HistoryType;
  action: string;
  recordName: string;
  changes: Changes | null;
}

const REFUSED_VERBS: Record<LifecycleAction, string> = {
  sent: 'be marked sent',
  delivered: 'be marked delivered',
  done: 'be marked done',
  cancel: 'be canceled',
  paid: 'be paid',
  payment_attempt: 'record a payment attempt',
  item: 'have its items changed',
  delivery_address: 'have its delivery address changed',
  tracking: 'get a tracking',
};

@Injectable()
export class OrderWriter {
  constructor(
    private readonly transaction: WriteTransaction,
    private readonly orders: OrdersRepository,
    private readonly history: OrderHistoryRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  inLockedOrder<T>(orderId: number, change: (tx: Db, order: OrderRecord) => Promise<T>): Promise<T> {
    return this.transaction.run(async (tx) => {
      const order = await this.orders.lockById(tx, orderId);
      if (!order) throw orderNotFound(orderId);
      const request = RequestContext.current();
      if (request?.ifMatch !== undefined && !entityTagMatches(request.ifMatch, order.version)) {
        throw new DomainError(
          ErrorCode.PRECONDITION_FAILED,
          `Order ${order.id} is at version ${order.version}, not the one If-Match names; read it again.`,
          { current_version: order.version },
          { etag: orderEntityTag(order.version) },
        );
      }
      RequestContext.setOrderVersion(order.version);
      return change(tx, order);
    });
  }

  /** The table's decision for the action on this order; a refusal is thrown as a 422. */
  check(action: LifecycleAction, order: OrderRecord): Exclude<Decision, { outcome: 'refuse' }> {
    const decision = decide(action, order);
    if (decision.outcome === 'refuse') throw refused(order, action, decision.state);
    return decision;
  }

  /**
   * The patch, its history entry and, when given, the event for the back office: all in the
   * caller's transaction. Changes that came from the back office pass no event (no echo).
   */
  async change(
    tx: Db,
    caller: Caller,
    order: OrderRecord,
    patch: OrderPatch,
    note: HistoryNote,
    forward: ForwardedEvent | null,
  ): Promise<void> {
    await this.orders.patch(tx, order.id, patch);
    RequestContext.setOrderVersion(order.version + 1);
    await this.note(tx, caller, order.id, { ...note, recordStatus: lifecycleState({ ...order, ...patch }) });
    if (forward) await this.outbox.record(tx, order.id, forward.kind, forward.payload);
  }

  /** A history entry without a change to the order row (a posted note, a failed payment attempt). */
  async note(
    tx: Db,
    caller: Caller,
    orderId: number,
    note: HistoryNote & { recordStatus: string | null },
  ): Promise<number> {
    return this.history.insert(tx, {
      orderId,
      type: note.type ?? 'order',
      action: note.action,
      recordName: note.recordName,
      recordStatus: note.recordStatus,
      changes: note.changes,
      apiKeyId: caller.apiKeyId,
      apiKeyName: caller.apiKeyName,
      requestId: caller.requestId,
    });
  }
}

export function orderNotFound(orderId: number): DomainError {
  return new DomainError(ErrorCode.ORDER_NOT_FOUND, `There is no order ${orderId}.`);
}

function refused(order: OrderRecord, action: LifecycleAction, state: LifecycleState): DomainError {
  return new DomainError(
    ErrorCode.TRANSITION_NOT_ALLOWED,
    `Order ${order.id} cannot ${REFUSED_VERBS[action]}: it is ${state}.`,
    { current_state: state, allowed_transitions: allowedTransitions(order) },
  );
}
