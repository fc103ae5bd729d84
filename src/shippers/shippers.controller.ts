import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresRight } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { PageQuery } from '../common/http/pagination.dto.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { ShipperModel, ShippersModel } from './dto/shipper.model.js';
import { ShippersService } from './shippers.service.js';

@ApiTags('Shippers')
@ApiSecurity('token')
@RequiresRight('orders:read')
@Controller('System/Lists/Shippers')
export class ShippersController {
  constructor(private readonly shippers: ShippersService) {}

  @Get()
  @ApiOperation({ summary: 'List shippers', description: 'Carriers for `shipper_id` of a tracking.' })
  @ApiOkResponse({ type: ShippersModel })
  @ApiProblems(400, 401, 403)
  listShippers(@Query() query: PageQuery): Promise<ShippersModel> {
    return this.shippers.list(query.page, query.per_page);
  }

  @Get(':shipperId')
  @ApiOperation({ summary: 'Get one shipper' })
  @ApiOkResponse({ type: ShipperModel })
  @ApiProblems(400, 401, 403, 404)
  getShipper(@Param('shipperId', new ParseIdPipe('shipper-id')) shipperId: number): Promise<ShipperModel> {
    return this.shippers.get(shipperId);
  }
}
