import { IsDefined, IsIn, IsOptional, IsString, IsUrl, MaxLength, ValidateIf } from 'class-validator';
import { IsAmount } from '../../common/validation/decorators.js';

export const PAYMENT_STATUSES = ['success', 'denied', 'canceled', 'unknown'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * A payment gateway's result. `success` adds `paid` to the order's paid amount and records the
 * payment (a repeat with the same payment_id changes nothing); it may not exceed balance_due.
 * Other statuses record the attempt: under its payment_id in payments[] when one is given, and in
 * the history.
 */
export class OrderPaidPatchRequest {
  /**
   * Amount paid, in the order currency.
   * @example 1210
   */
  @IsDefined()
  @IsAmount()
  paid!: number;

  /**
   * The payment gateway's transaction id; required with status success.
   * @example "pay_8f2a1c"
   */
  @ValidateIf((body: OrderPaidPatchRequest) => body.status === 'success' || body.payment_id != null)
  @IsDefined({ message: 'payment_id is required with status success' })
  @IsString()
  @MaxLength(255)
  payment_id?: string;

  /** @example "success" */
  @IsDefined()
  @IsIn(PAYMENT_STATUSES)
  status!: PaymentStatus;

  /**
   * How the customer paid (card, ideal, paypal…), kept with the payment in payments[].
   * @example "ideal"
   */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  method?: string;

  /**
   * Payment recovery URL: where the customer can retry the payment.
   * @example "https://pay.example.com/retry/8f2a1c"
   */
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2000)
  url?: string;
}
