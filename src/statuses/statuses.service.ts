import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { paginator } from '../common/http/pagination.dto.js';
import type { OrderStatusModel, OrderStatusesModel } from './dto/order-status.model.js';
import { toOrderStatusModel } from './status.mapper.js';
import { StatusesRepository } from './statuses.repository.js';

@Injectable()
export class StatusesService {
  constructor(private readonly statuses: StatusesRepository) {}

  async list(page: number, perPage: number): Promise<OrderStatusesModel> {
    const { total, statuses } = await this.statuses.page((page - 1) * perPage, perPage);
    return { paginator: paginator(page, perPage, total), statuses: statuses.map(toOrderStatusModel) };
  }

  async get(id: number): Promise<OrderStatusModel> {
    const status = await this.statuses.findById(id);
    if (!status) throw new DomainError(ErrorCode.STATUS_NOT_FOUND, `There is no order status ${id}.`);
    return toOrderStatusModel(status);
  }
}
