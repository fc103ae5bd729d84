import type { Type } from '@nestjs/common';
import { RehearsedAs } from '../common/http/dry-run-answer.js';
import { OrderModel } from './dto/order.model.js';

/**
 * An order write that rehearses on `dry_run=true` (see OrderWriter): its dry run answers the order
 * as the write would leave it (see RehearsedAs for `ok`).
 */
export function OrderDryRun(ok?: { type: Type<unknown>; description: string }): MethodDecorator {
  return RehearsedAs(OrderModel, 'the order as the write would leave it', ok);
}
