import { Injectable } from '@nestjs/common';
import type { Answer } from '../../common/http/answer.js';
import { PageQuery, paginator } from '../../common/http/pagination.dto.js';
import type { IdModel } from '../../common/http/responses.model.js';
import type { WriteRequest } from '../../common/http/write-request.js';
import type { HistoryPostRequest } from '../dto/history.dto.js';
import type { HistoryModel } from '../dto/history.model.js';
import { OrderMapper } from '../order.mapper.js';
import { OrderWriter, orderNotFound } from '../order-writer.js';
import { OrdersRepository } from '../orders.repository.js';
import { NEW_HISTORY_ID, OrderHistoryRepository } from './order-history.repository.js';

@Injectable()
export class OrderHistoryService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly history: OrderHistoryRepository,
    private readonly writer: OrderWriter,
    private readonly mapper: OrderMapper,
  ) {}

  /** A client's own entry (an e-mail sent, an app's note); it does not change the order. */
  post(request: WriteRequest, orderId: number, body: HistoryPostRequest): Promise<Answer<IdModel>> {
    return this.writer.update<IdModel>(request, orderId, () => ({
      patch: null,
      note: {
        type: body.type,
        action: 'note',
        recordName: body.record.name,
        recordStatus: body.record.status ?? null,
        changes: null,
      },
      answer: () => ({ value: { id: 0 }, holes: [{ path: ['id'], value: NEW_HISTORY_ID }], status: 201 }),
    }));
  }

  async list(orderId: number, query: PageQuery): Promise<HistoryModel> {
    if (!(await this.orders.exists(orderId))) throw orderNotFound(orderId);
    const { total, entries } = await this.history.page(orderId, (query.page - 1) * query.per_page, query.per_page);
    return {
      paginator: paginator(query.page, query.per_page, total),
      history: entries.map((entry) => this.mapper.historyModel(entry)),
    };
  }
}
