import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { PageQuery } from '../common/http/pagination.dto.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { OrderStatusModel, OrderStatusesModel } from './dto/order-status.model.js';
import { StatusesService } from './statuses.service.js';

@ApiTags('Order statuses')
@ApiSecurity('token')
@RequiresRight('orders:read')
@Controller('System/Orders/Statuses')
export class StatusesController {
  constructor(private readonly statuses: StatusesService) {}

  @Get()
  @ApiOperation({ summary: 'List order statuses', description: 'The statuses an order can be given, by `sort`.' })
  @ApiOkResponse({ type: OrderStatusesModel })
  @ApiProblems(400, 401, 403)
  listOrderStatuses(@Query() query: PageQuery): Promise<OrderStatusesModel> {
    return this.statuses.list(query.page, query.per_page);
  }

  @Get(':statusId')
  @ApiOperation({
    summary: 'Get one order status',
    description: 'An addition to Retailys: where `status.api_link` points.',
  })
  @ApiOkResponse({ type: OrderStatusModel })
  @ApiProblems(400, 401, 403, 404)
  getOrderStatus(@Param('statusId', new ParseIdPipe('status-id')) statusId: number): Promise<OrderStatusModel> {
    return this.statuses.get(statusId);
  }
}
