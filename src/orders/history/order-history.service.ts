import { Injectable } from '@nestjs/common';
import type { Caller } from '../../auth/caller.js';
import { PageQuery, paginator } from '../../common/http/pagination.dto.js';
import type { IdModel } from '../../common/http/responses.model.js';
import { PrismaService } from '../../database/prisma.service.js';
import type { HistoryPostRequest } from '../dto/history.dto.js';
import type { HistoryModel } from '../dto/history.model.js';
import { OrderMapper } from '../order.mapper.js';
import { OrderWriter, orderNotFound } from '../order-writer.js';
import { OrdersRepository } from '../orders.repository.js';
import { OrderHistoryRepository } from './order-history.repository.js';

@Injectable()
export class OrderHistoryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly orders: OrdersRepository,
    private readonly history: OrderHistoryRepository,
    private readonly writer: OrderWriter,
    private readonly mapper: OrderMapper,
  ) {}

  /** A client's own entry (an e-mail sent, an app's note); it does not change the order. */
  post(caller: Caller, orderId: number, body: HistoryPostRequest): Promise<IdModel> {
    return this.writer.inLockedOrder(orderId, async (tx, order) => {
      const id = await this.writer.note(tx, caller, order.id, {
        type: body.type,
        action: 'note',
        recordName: body.record.name,
        recordStatus: body.record.status ?? null,
        changes: null,
      });
      return { id };
    });
  }

  async list(orderId: number, query: PageQuery): Promise<HistoryModel> {
    if (!(await this.orders.exists(orderId))) throw orderNotFound(orderId);
    const { total, entries } = await this.history.page(
      this.prisma,
      orderId,
      (query.page - 1) * query.per_page,
      query.per_page,
    );
    return {
      paginator: paginator(query.page, query.per_page, total),
      history: entries.map((entry) => this.mapper.historyModel(entry)),
    };
  }
}
