import { type Type, applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import { TakesDryRun } from '../common/http/write-query.guard.js';
import { OrderModel } from './dto/order.model.js';

const REHEARSED = 'With dry_run=true: the order as the write would leave it, nothing kept.';

/**
 * An order write that rehearses on `dry_run=true` (see WriteQueryGuard, OrderWriter), its 200
 * documented with the dry run's answer: as given in `ok` for a route that answers 200 with
 * something else besides (anyOf that and the order), as the order for one that answers 200 with
 * nothing else; a route whose 200 is the order already passes `ok: OrderModel`.
 */
export function OrderDryRun(ok?: { type: Type<unknown>; description: string }): MethodDecorator {
  if (ok?.type === OrderModel) {
    return applyDecorators(
      TakesDryRun(),
      ApiOkResponse({ type: OrderModel, description: `${ok.description} ${REHEARSED}` }),
    );
  }
  return applyDecorators(
    TakesDryRun(),
    ok
      ? applyDecorators(
          ApiExtraModels(ok.type, OrderModel),
          ApiOkResponse({
            description: `${ok.description} ${REHEARSED}`,
            schema: { anyOf: [{ $ref: getSchemaPath(ok.type) }, { $ref: getSchemaPath(OrderModel) }] },
          }),
        )
      : ApiOkResponse({ type: OrderModel, description: REHEARSED }),
  );
}
