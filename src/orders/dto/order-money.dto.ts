import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { FeePriceInput, OrderDiscountInput } from './order-item.dto.js';

/**
 * What an order's money is made of besides its lines, on create and PUT: the order's discount
 * and its fees. On PUT, null removes one and a field left out stays as it is.
 */
export class OrderMoneyInput {
  /** A discount on the whole order (a voucher), spread over its lines. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => OrderDiscountInput)
  discount?: OrderDiscountInput | null;

  /**
   * The shipping fee, with or without VAT as for a line's price. In MplusKASSA a line on the
   * article MPLUS_SHIPPING_ARTICLE_NUMBER; refused while that is not set.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FeePriceInput)
  shipping_price?: FeePriceInput | null;

  /**
   * The payment fee (cash on delivery, a card surcharge). In MplusKASSA a line on the article
   * MPLUS_PAYMENT_FEE_ARTICLE_NUMBER; refused while that is not set.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FeePriceInput)
  payment_price?: FeePriceInput | null;
}
