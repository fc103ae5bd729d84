import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../auth/auth.decorators.js';
import type { Answer } from '../common/http/answer.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { PageQuery } from '../common/http/pagination.dto.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { CurrentWrite, type WriteRequest } from '../common/http/write-request.js';
import { OrderModel } from '../orders/dto/order.model.js';
import { BackOfficeListsService } from './back-office-lists.service.js';
import { DeliveryMethodsModel, OrderCategoriesModel } from './dto/back-office-lists.model.js';
import { ResyncService } from './resync.service.js';
import { OrderDryRun } from '../orders/dry-run.decorator.js';

@ApiTags('MplusKASSA')
@ApiSecurity('token')
@Controller('System')
export class SyncController {
  constructor(
    private readonly resync: ResyncService,
    private readonly lists: BackOfficeListsService,
  ) {}

  @Post('Orders/:orderId/resync')
  @RequiresRight('admin')
  @ApiOperation({
    summary: 'Sync an order to MplusKASSA again',
    description:
      'An addition to Retailys, for admins. A failed order (see sync.last_error) starts again from the change that ' +
      'failed, once its cause is fixed; a retrying one is tried at once.',
  })
  @OrderDryRun({ type: OrderModel, description: 'The order, its sync started again.' })
  @ApiProblems(400, 401, 403, 404)
  resyncOrder(
    @CurrentWrite() write: WriteRequest,
    @Param('orderId', new ParseIdPipe('order-id')) orderId: number,
  ): Promise<Answer<OrderModel>> {
    return this.resync.resync(write, orderId);
  }

  @Get('Lists/DeliveryMethods')
  @RequiresRight('orders:read')
  @ApiOperation({
    summary: 'List MplusKASSA delivery methods',
    description:
      'An addition to Retailys: the codes that order shipping ids map to (MPLUS_DELIVERY_METHODS). Cached for a minute.',
  })
  @ApiOkResponse({ type: DeliveryMethodsModel })
  @ApiProblems(400, 401, 403, 502, 503)
  listDeliveryMethods(@Query() query: PageQuery): Promise<DeliveryMethodsModel> {
    return this.lists.deliveryMethods(query);
  }

  @Get('Lists/OrderCategories')
  @RequiresRight('orders:read')
  @ApiOperation({
    summary: 'List MplusKASSA order categories',
    description: 'An addition to Retailys. Cached for a minute.',
  })
  @ApiOkResponse({ type: OrderCategoriesModel })
  @ApiProblems(400, 401, 403, 502, 503)
  listOrderCategories(@Query() query: PageQuery): Promise<OrderCategoriesModel> {
    return this.lists.orderCategories(query);
  }
}
