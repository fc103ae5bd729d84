import { Injectable } from '@nestjs/common';
import { DomainError, type FieldError } from '../../common/errors/domain-error.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { Answer } from '../../common/http/answer.js';
import type { WriteRequest } from '../../common/http/write-request.js';
import type { Transaction } from '../../database/database.js';
import { isTransactionConflict, isUniqueViolation } from '../../database/database-errors.js';
import { IdempotencyRepository } from '../../idempotency/idempotency.repository.js';
import type { OrderModel } from '../dto/order.model.js';
import { OrderCreations } from '../order-creations.js';
import { OrderWriter, orderNotFound } from '../order-writer.js';
import { OrdersRepository } from '../orders.repository.js';
import { OrdersService } from '../orders.service.js';
import type {
  BatchCreateResult,
  BatchUpdateResult,
  OrderBatchCreateModel,
  OrderBatchPatchRequest,
  OrderBatchPostRequest,
  OrderBatchUpdateModel,
} from './order-batch.dto.js';

/** Tries of a batch whose transaction met another one head-on (a deadlock, a unique index). */
const BATCH_TRIES = 3;

// Batches of orders (the Kwik convention): every record built exactly as its single route builds
// it, then all written in one transaction, so that a batch is written whole or not at all. Each
// record still gets its own outbox event, sync row, order event and history entry, so MplusKASSA
// hears of each order as if it had come alone; a batch of creates writes them table by table, in
// one statement (OrderCreations.together). With an Idempotency-Key, the batch's answer is
// recorded in the same transaction.

@Injectable()
export class OrderBatchService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly creations: OrderCreations,
    private readonly single: OrdersService,
    private readonly writer: OrderWriter,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  async create(request: WriteRequest, body: OrderBatchPostRequest): Promise<Answer<OrderBatchCreateModel>> {
    await this.creations.lookUpArticles(body.records);
    const prepared = body.records.map((record, index) =>
      inRecord(index, () => this.creations.prepare(request.caller, record)),
    );
    refuseRepeats(
      prepared.map(({ order }) => externalKey(order.externalOrderPrefix, order.externalOrderId)),
      'external_order_id',
      'an external id',
    );
    const work = this.creations.together(prepared);
    return this.inTransaction(request, async (tx) => {
      const committed = await this.orders.createAll(tx, work);
      const results: BatchCreateResult[] = [];
      for (const [index, { order }] of prepared.entries()) {
        const created = committed[index];
        if (created) {
          results.push({ id: created.id, created: true, version: created.version ?? 1 });
          continue;
        }
        // The anchor wrote nothing: an order with this external id exists (committed before this
        // transaction's insert, or by one it waited for).
        const existing = await this.orders.findByExternalId(order.externalOrderPrefix, order.externalOrderId!, tx);
        if (!existing) throw new Error('A create without an external id wrote nothing');
        results.push({ id: existing.id, created: false, version: existing.version });
      }
      if (request.dryRun) return this.rehearsed(tx, results);
      const answer: OrderBatchCreateModel = { status: true, results };
      const status = results.some((result) => result.created) ? 201 : 200;
      if (request.idempotency) await this.idempotency.recordIn(tx, request.idempotency, answer, status);
      return new Answer(answer, status);
    });
  }

  async update(request: WriteRequest, body: OrderBatchPatchRequest): Promise<Answer<OrderBatchUpdateModel>> {
    if (request.precondition) {
      throw DomainError.invalidField('If-Match', 'is not taken by a batch: it names the version of one order');
    }
    refuseRepeats(
      body.records.map((record) => String(record.id)),
      'id',
      'an order',
    );
    return this.inTransaction(request, async (tx) => {
      const locked = await this.orders.lockManyById(
        tx,
        body.records.map((record) => record.id),
      );
      const results: BatchUpdateResult[] = [];
      for (const [index, record] of body.records.entries()) {
        const order = locked.get(record.id);
        const answer = await inRecordAsync(index, () => {
          if (!order) throw orderNotFound(record.id);
          return this.writer.updateLocked(tx, request.caller, order, (read) => this.single.decideUpdate(read, record));
        });
        results.push({
          id: record.id,
          changed: answer.version !== order!.version,
          version: answer.version ?? order!.version,
        });
      }
      if (request.dryRun) return this.rehearsed(tx, results);
      const answer: OrderBatchUpdateModel = { status: true, results };
      if (request.idempotency) await this.idempotency.recordIn(tx, request.idempotency, answer, 200);
      return new Answer(answer, 200);
    });
  }

  /**
   * A dry run's answer (see WriteRequest): each record's result with its order as `tx` sees it,
   * before the transaction is rolled back.
   */
  private async rehearsed<R extends { id: number }>(
    tx: Transaction,
    results: R[],
  ): Promise<Answer<{ status: boolean; results: Array<R & { order: OrderModel }> }>> {
    const orders: Array<R & { order: OrderModel }> = [];
    for (const result of results) orders.push({ ...result, order: (await this.writer.rehearsed(tx, result.id)).body });
    return new Answer({ status: true, results: orders }, 200);
  }

  /**
   * `work` in one transaction, run again when it met another transaction head-on; for a dry run,
   * in one that is rolled back.
   */
  private async inTransaction<T>(request: WriteRequest, work: (tx: Transaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await (request.dryRun ? this.orders.rehearse(work) : this.orders.transaction(work));
      } catch (error) {
        // Two batches inserting the same external ids in another order deadlock; a single create
        // can win a unique index a batch waited on. Either way the batch may simply run again.
        if (!(isTransactionConflict(error) || isUniqueViolation(error))) throw error;
        if (attempt >= BATCH_TRIES) {
          throw new DomainError(
            ErrorCode.WRITE_CONFLICT,
            `The batch met other writes to the same orders head-on ${BATCH_TRIES} times and wrote nothing; send it again.`,
            {},
            { 'retry-after': '1' },
          );
        }
      }
    }
  }
}

function externalKey(prefix: string | null, externalId: string | null): string | null {
  return externalId === null ? null : JSON.stringify([prefix ?? '', externalId]);
}

/** 400 naming the later record when two records name the same thing. */
function refuseRepeats(keys: Array<string | null>, field: string, what: string): void {
  const first = new Map<string, number>();
  const errors: FieldError[] = [];
  keys.forEach((key, index) => {
    if (key === null) return;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else {
      errors.push({ field: `records[${index}].${field}`, message: `names ${what} records[${earlier}] names already` });
    }
  });
  if (errors.length > 0) throw DomainError.validation(errors);
}

/** `run` for record `index`: what it throws names the record (`records[3].items[0].price`). */
function inRecord<T>(index: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw namedForRecord(index, error);
  }
}

async function inRecordAsync<T>(index: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw namedForRecord(index, error);
  }
}

function namedForRecord(index: number, error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  const record = `records[${index}]`;
  const errors = error.extras.errors?.map((one) => ({
    field: one.field === 'body' ? record : `${record}.${one.field}`,
    message: one.message,
  }));
  return new DomainError(
    error.code,
    `${record}: ${error.detail}`,
    { ...error.extras, ...(errors ? { errors } : {}), record: index },
    error.headers,
  );
}
