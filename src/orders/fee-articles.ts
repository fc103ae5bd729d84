import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import type { MoneyDraft } from './order-input.js';

// A fee becomes a line on a configured MplusKASSA article. Without the article a fee could be
// accepted here and only fail in the back office later; it is refused at the edge instead.

@Injectable()
export class FeeArticles {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Throws 422 FEE_ARTICLE_NOT_CONFIGURED for a fee whose article is not set (a fee of 0 needs none). */
  check(draft: Pick<MoneyDraft, 'shipping' | 'paymentFee'>): void {
    const missing = (
      [
        ['shipping_price', draft.shipping, this.config.MPLUS_SHIPPING_ARTICLE_NUMBER, 'MPLUS_SHIPPING_ARTICLE_NUMBER'],
        [
          'payment_price',
          draft.paymentFee,
          this.config.MPLUS_PAYMENT_FEE_ARTICLE_NUMBER,
          'MPLUS_PAYMENT_FEE_ARTICLE_NUMBER',
        ],
      ] as const
    ).filter(([, fee, article]) => fee !== null && !fee.amount.isZero() && article === null);
    if (missing.length === 0) return;
    throw new DomainError(
      ErrorCode.FEE_ARTICLE_NOT_CONFIGURED,
      missing
        .map(([field, , , setting]) => `${field}: MplusKASSA needs an article for it and ${setting} is not set`)
        .join('; '),
      { errors: missing.map(([field, , , setting]) => ({ field, message: `${setting} is not set` })) },
    );
  }
}
