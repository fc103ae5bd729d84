import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsObject, ValidateNested } from 'class-validator';
import type { OrderModel } from '../dto/order.model.js';
import { OrderPostRequest } from '../dto/order-post.dto.js';
import { OrderPutRequest } from '../dto/order-put.dto.js';

/** Most records one batch takes (all written in one transaction). */
export const BATCH_MAX_RECORDS = 100;

/** 1 to BATCH_MAX_RECORDS records, each an object validated as `record`. */
function Records(record: new () => object): PropertyDecorator {
  return applyDecorators(
    IsDefined(),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(BATCH_MAX_RECORDS),
    IsObject({ each: true, message: 'each of records must be an object' }),
    ValidateNested({ each: true }),
    Type(() => record),
  );
}

/** Orders to create together, as the Kwik Orders API sends them: all of them, or none. */
export class OrderBatchPostRequest {
  /** Each record is the body of POST /System/Orders. At most 100. */
  @Records(OrderPostRequest)
  records!: OrderPostRequest[];
}

/** Changes to several orders together: all of them, or none. */
export class OrderBatchPatchRequest {
  /** Each record is the body of PUT /System/Orders: its `id` and only the fields to change (null clears one). At most 100. */
  @Records(OrderPutRequest)
  records!: OrderPutRequest[];
}

export class BatchCreateResult {
  /** @example 12345 */
  id!: number;
  /** False when an order with the record's external id existed: its id, and nothing written for it. @example true */
  created!: boolean;
  /** The order's version (its ETag). @example 1 */
  version!: number;
  /** Only in a dry run: the order as the batch would leave it. */
  order?: OrderModel;
}

export class BatchUpdateResult {
  /** @example 12345 */
  id!: number;
  /** False when the record changed nothing. @example true */
  changed!: boolean;
  /** The order's version after the batch (its ETag). @example 2 */
  version!: number;
  /** Only in a dry run: the order as the batch would leave it. */
  order?: OrderModel;
}

/** The answer of a batch create: each record's order, in the order of the records. */
export class OrderBatchCreateModel {
  /** Always true: a batch that fails answers an error and writes nothing. @example true */
  status!: boolean;
  results!: BatchCreateResult[];
}

/** The answer of a batch update: each record's order, in the order of the records. */
export class OrderBatchUpdateModel {
  /** Always true: a batch that fails answers an error and writes nothing. @example true */
  status!: boolean;
  results!: BatchUpdateResult[];
}
