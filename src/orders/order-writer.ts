import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Answer } from '../common/http/answer.js';
import { atomSql } from '../common/http/dates.js';
import { orderEntityTag } from '../common/http/entity-tag.js';
import type { WriteRequest } from '../common/http/write-request.js';
import { DATABASE_CONNECTION, type DatabaseConnection } from '../database/database-connection.js';
import type { Executor, Transaction } from '../database/database.js';
import { sql } from '../database/sql.js';
import type { AnswerRecord, JsonHole, UnitOfWork } from '../database/unit-of-work.js';
import { IdempotencyRepository } from '../idempotency/idempotency.repository.js';
import { OrderEvents, orderEventsOf } from '../events/order-events.js';
import { OutboxRepository, type SyncEventKind } from '../outbox/outbox.repository.js';
import type { OrderModel } from './dto/order.model.js';
import type { Changes } from './history/changes.js';
import { type HistoryType, type NewHistoryEntry, OrderHistoryRepository } from './history/order-history.repository.js';
import {
  type Decision,
  type LifecycleAction,
  type LifecycleFlags,
  type LifecycleState,
  allowedTransitions,
  decide,
  lifecycleState,
} from './order-lifecycle.js';
import { OrderMapper } from './order.mapper.js';
import type { OrderPatch, OrderRecord } from './order.types.js';
import { OrdersRepository } from './orders.repository.js';

// The one way an existing order changes. The order is read, the route decides what to do from
// what it read, and the change goes to Postgres as one statement (a unit of work) that writes it
// only while the order is still at the version it was decided on: the order row with its next
// version, the history entry, the outbox event, the order events partner apps hear of, the rows
// that go with it and, with an Idempotency-Key, the answer. Two round trips, no transaction held open across them.
//
// When another change got there between the read and the write, nothing was written and the
// route decides again on the order as it is now (or, with If-Match, answers 412: the order is no
// longer at a version the client allowed). After a few such tries, a hot order is changed the
// pessimistic way instead: in a transaction, under its row lock, so that every writer gets
// through in turn.

/** What the back office must hear about a change, if anything. */
export interface ForwardedEvent {
  kind: SyncEventKind;
  payload?: object;
}

export interface HistoryNote {
  type?: HistoryType;
  action: string;
  recordName: string;
  /** The lifecycle state the entry records; that of the order after the change when left out. */
  recordStatus?: string | null;
  changes: Changes | null;
  /** Values in `changes` only the statement knows (a new line's id). */
  holes?: JsonHole[];
}

/** What a route answers after its change: a value with its holes, and its status (200 unless said). */
export interface AnswerSpec<T> {
  value: T;
  holes?: JsonHole[];
  status?: number;
}

export interface OrderChange<T> {
  /** What the order row gets, its version incremented; null leaves the row and its version as they are. */
  patch: OrderPatch | null;
  /** Its history entry; every change to the order has one. */
  note: HistoryNote | null;
  forward?: ForwardedEvent | null;
  /** The rows that go with the change (a line, a parcel, a payment), as parts of its unit of work. */
  parts?: (work: UnitOfWork<T>) => void;
  /** What the order shows after the change besides its patch (a new refund), for the answer. */
  shows?: Partial<OrderRecord>;
  /** The answer, given the order as the change leaves it. */
  answer: (after: OrderRecord) => AnswerSpec<T>;
}

/** A route's decision on the order it read: a change to write, or an answer without a write. */
export type Decide<T> = (order: OrderRecord) => OrderChange<T> | Answer<T> | Promise<OrderChange<T> | Answer<T>>;

/** Optimistic tries before a change waits for the order's row lock instead. */
const OPTIMISTIC_TRIES = 3;
/** On the embedded store (one session, no row locks to wait for) every try is optimistic. */
const EMBEDDED_TRIES = 50;

const REFUSED_VERBS: Record<LifecycleAction, string> = {
  sent: 'be marked sent',
  delivered: 'be marked delivered',
  done: 'be marked done',
  cancel: 'be canceled',
  paid: 'be paid',
  payment_attempt: 'record a payment attempt',
  item: 'have its items changed',
  delivery_address: 'have its delivery address changed',
  prices: 'have its discount or fees changed',
  metadata: 'have its metadata changed',
  refund: 'be refunded',
  tracking: 'get a tracking',
  archive: 'be archived (only a done or canceled order is)',
  restore: 'be restored',
};

/** The order's new updated_at (the trigger sets it), as the wire writes it. */
const UPDATED_AT: JsonHole = { path: ['updated_at'], value: atomSql(sql`anchor.updated_at`) };

@Injectable()
export class OrderWriter {
  constructor(
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    private readonly orders: OrdersRepository,
    private readonly history: OrderHistoryRepository,
    private readonly outbox: OutboxRepository,
    private readonly events: OrderEvents,
    private readonly idempotency: IdempotencyRepository,
    private readonly mapper: OrderMapper,
  ) {}

  /**
   * Reads the order, lets `decide` say what to do, and writes it (see the top of this file). An
   * archived order is refused (422) before `decide` sees it, unless `archivedToo` (archive, restore).
   */
  async update<T>(
    request: WriteRequest,
    orderId: number,
    decideChange: Decide<T>,
    archivedToo = false,
  ): Promise<Answer<T | OrderModel>> {
    const decideOpen = archivedToo ? decideChange : refusingArchived(decideChange);
    const tries = this.connection.embedded ? EMBEDDED_TRIES : OPTIMISTIC_TRIES;
    for (let attempt = 1; attempt <= tries; attempt += 1) {
      const order = await this.orders.readById(orderId);
      const answer = await this.attempt(undefined, request, orderId, order, decideOpen);
      if (answer) return answer;
    }
    if (this.connection.embedded) {
      throw new DomainError(
        ErrorCode.DATABASE_UNAVAILABLE,
        `Order ${orderId} kept changing; try again.`,
        {},
        {
          'retry-after': '1',
        },
      );
    }
    const locked = async (tx: Transaction) =>
      this.attempt(tx, request, orderId, await this.orders.lockById(tx, orderId), decideOpen);
    const answer = await (request.dryRun ? this.orders.rehearse(locked) : this.orders.transaction(locked));
    // Under the lock the order cannot have moved between the read and the write.
    if (!answer) throw new Error(`Order ${orderId} changed under its row lock`);
    return answer;
  }

  /**
   * The answer of a dry run: the order `db` sees (its own writes, before they are rolled back); no
   * ETag, as no version of it is kept.
   */
  async rehearsed(db: Executor, orderId: number): Promise<Answer<OrderModel>> {
    const order = await this.orders.readById(orderId, db);
    if (!order) throw new Error(`Order ${orderId} is gone in its own dry run`);
    return new Answer(this.mapper.toModel(order, false), 200);
  }

  /**
   * A route's change to an order whose row `tx` holds (read with lockManyById), decided and
   * written in `tx`, which commits it with everything else it holds (a batch). Without If-Match
   * and without its own Idempotency-Key answer: the caller answers for the whole transaction.
   */
  async updateLocked<T>(
    tx: Transaction,
    caller: Caller,
    order: OrderRecord,
    decideChange: Decide<T>,
  ): Promise<Answer<T | OrderModel>> {
    const answer = await this.attempt(
      tx,
      { caller, precondition: null, idempotency: null, dryRun: false },
      order.id,
      order,
      refusingArchived(decideChange),
    );
    if (!answer) throw new Error(`Order ${order.id} changed under its row lock`);
    return answer;
  }

  /**
   * A change to an order whose row the caller's transaction holds (read with lockById): the order
   * as it leaves it, to decide the next change on. For the gateway's own workers.
   */
  async applyLocked(
    tx: Transaction,
    actor: Caller,
    order: OrderRecord,
    change: OrderChange<unknown>,
  ): Promise<OrderRecord> {
    const { work, after } = this.unitOfWork(actor, order, change, null);
    if (!(await work.commit(tx))) throw new Error(`Order ${order.id} changed under its row lock`);
    return after;
  }

  /** The table's decision for the action on this order; a refusal is thrown as a 422. */
  check(action: LifecycleAction, order: OrderRecord): Exclude<Decision, { outcome: 'refuse' }> {
    const decision = decide(action, order);
    if (decision.outcome === 'refuse') throw refused(order, action, decision.state);
    return decision;
  }

  /** The order itself as the answer (the lifecycle routes), with the updated_at the change gave it. */
  orderAnswer(after: OrderRecord): AnswerSpec<OrderModel> {
    return { value: this.mapper.toModel(after, false), holes: [UPDATED_AT] };
  }

  /** The order as it is, answered without a write (a repeat whose effect holds). */
  unchanged(order: OrderRecord): Answer<OrderModel> {
    return new Answer(this.mapper.toModel(order, false), 200, order.version);
  }

  /** One try: null when the order moved on between the read and the write (nothing was written). */
  private async attempt<T>(
    db: Executor | undefined,
    request: WriteRequest,
    orderId: number,
    order: OrderRecord | null,
    decideChange: Decide<T>,
  ): Promise<Answer<T | OrderModel> | null> {
    if (!order) throw orderNotFound(orderId);
    if (request.precondition && !request.precondition.allows(order.version)) throw preconditionFailed(order);
    const decision = await decideChange(order);
    if (decision instanceof Answer) {
      // A change that changes nothing: a dry run answers the order as it is, like any other.
      return request.dryRun ? new Answer(this.mapper.toModel(order, false), 200) : decision;
    }
    if (request.dryRun) return this.rehearse(db, orderId, this.unitOfWork(request.caller, order, decision, null).work);
    const record = request.idempotency ? this.idempotency.recordFor(request.idempotency) : null;
    const { work } = this.unitOfWork(request.caller, order, decision, record);
    const committed = await work.commit(db);
    return committed && new Answer(committed.answer, committed.status, committed.version);
  }

  /**
   * A dry run's write (see WriteRequest): the statement the change would commit, in a transaction
   * that is rolled back (`db`, the locked try's, is one already), and the order as it then reads.
   * Only this runs in the transaction: the decision was made outside it, as for a real write, so
   * that on the embedded store (one session) no lookup of the route's waits on it. Null when the
   * order moved on meanwhile, as for a real write.
   */
  private async rehearse(
    db: Executor | undefined,
    orderId: number,
    work: UnitOfWork<unknown>,
  ): Promise<Answer<OrderModel> | null> {
    const written = async (tx: Executor) => ((await work.commit(tx)) ? this.rehearsed(tx, orderId) : null);
    return db ? written(db) : this.orders.rehearse(written);
  }

  private unitOfWork<T>(
    actor: Caller,
    order: OrderRecord,
    change: OrderChange<T>,
    record: AnswerRecord | null,
  ): { work: UnitOfWork<T>; after: OrderRecord } {
    const work = change.patch
      ? this.orders.change<T>(order.id, order.version, change.patch)
      : this.orders.beside<T>(order.id, order.version);
    const after: OrderRecord = {
      ...order,
      ...(change.patch ?? {}),
      ...(change.shows ?? {}),
      version: change.patch ? order.version + 1 : order.version,
      syncPending: order.syncPending || Boolean(change.forward),
    };
    change.parts?.(work);
    if (change.note) this.history.recordIn(work, historyEntry(actor, change.note, after), change.note.holes);
    if (change.forward) this.outbox.recordIn(work, change.forward.kind, change.forward.payload);
    // What partner apps hear of the change follows from what it did to the order, whichever route made it.
    this.events.recordIn(work, orderEventsOf(order, after));
    const answer = change.answer(after);
    work.answers(answer.value, { holes: answer.holes, status: answer.status }).recordedBy(record);
    return { work, after };
  }
}

/** The history entry of a note by `actor`, on the order as the change leaves it. */
export function historyEntry(actor: Caller, note: HistoryNote, after: LifecycleFlags): NewHistoryEntry {
  return {
    type: note.type ?? 'order',
    action: note.action,
    recordName: note.recordName,
    recordStatus: note.recordStatus === undefined ? lifecycleState(after) : note.recordStatus,
    changes: note.changes,
    apiKeyId: actor.apiKeyId,
    apiKeyName: actor.apiKeyName,
    requestId: actor.requestId,
  };
}

export function orderNotFound(orderId: number): DomainError {
  return new DomainError(ErrorCode.ORDER_NOT_FOUND, `There is no order ${orderId}.`);
}

function preconditionFailed(order: OrderRecord): DomainError {
  return new DomainError(
    ErrorCode.PRECONDITION_FAILED,
    `Order ${order.id} is at version ${order.version}, not the one If-Match names; read it again.`,
    { current_version: order.version },
    { etag: orderEntityTag(order.version) },
  );
}

/**
 * `decide`, for an order that is not archived: every write to an archived order but its restore
 * is a 422, as the lifecycle table says, also where a route would answer a no-op without asking it.
 */
function refusingArchived<T>(decide: Decide<T>): Decide<T> {
  return (order) => {
    if (!order.archived) return decide(order);
    throw new DomainError(
      ErrorCode.TRANSITION_NOT_ALLOWED,
      `Order ${order.id} is archived: it takes no change until an admin restores it.`,
      { current_state: 'archived', allowed_transitions: allowedTransitions(order) },
    );
  };
}

function refused(order: OrderRecord, action: LifecycleAction, state: LifecycleState): DomainError {
  return new DomainError(
    ErrorCode.TRANSITION_NOT_ALLOWED,
    `Order ${order.id} cannot ${REFUSED_VERBS[action]}: it is ${state}.`,
    { current_state: state, allowed_transitions: allowedTransitions(order) },
  );
}
