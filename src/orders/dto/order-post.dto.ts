import { Type } from 'class-transformer';
import {
  IsObject,
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsEmail,
  IsFQDN,
  IsIP,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { HasAtMostDecimals, IsDateTimeWithOffset, IsId, Trim, UpperCase } from '../../common/validation/decorators.js';
import { DEFAULT_DEBTOR, EMAIL_REQUIRED } from '../../common/validation/validation.pipe.js';
import { IsMetadata, type MetadataChanges } from '../order-metadata.js';
import { OrderItemPostRequest } from './order-item.dto.js';
import { OrderMoneyInput } from './order-money.dto.js';

export const PHONE = /^[+0-9 ()./-]{3,50}$/;

/**
 * A new order. `email` (unless the gateway has a default debtor), `order_currency_code` and
 * `name` or `delivery_name` are required; items may be given inline so that a whole order is
 * created in one transaction.
 */
export class OrderPostRequest extends OrderMoneyInput {
  /**
   * Sales channel id.
   * @example 3
   */
  @IsOptional()
  @IsId()
  channel?: number;

  /**
   * Customer (people) id in the shop, if known. An addition to Retailys.
   * @example 678
   */
  @IsOptional()
  @IsId()
  customer?: number;

  /**
   * Selling company id. An addition to Retailys.
   * @example 1
   */
  @IsOptional()
  @IsId()
  company?: number;

  /**
   * Shipping method id. An addition to Retailys.
   * @example 4
   */
  @IsOptional()
  @IsId()
  shipping?: number;

  /**
   * Payment method id. An addition to Retailys.
   * @example 2
   */
  @IsOptional()
  @IsId()
  payment?: number;

  /**
   * Customer e-mail: MplusKASSA's relation for the order is found or made by it. Required unless
   * the gateway has a default debtor (MPLUS_DEFAULT_RELATION_NUMBER), which orders without one go to.
   * @example "jan@example.cz"
   */
  @ValidateIf((order: OrderPostRequest) => order.email != null, { groups: [DEFAULT_DEBTOR] })
  @IsDefined({ groups: [EMAIL_REQUIRED] })
  @Trim()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  /** @example "+420600000000" */
  @IsOptional()
  @Matches(PHONE, { message: 'phone must be 3 to 50 digits, spaces and + ( ) . / -' })
  phone?: string;

  /**
   * Billing name. Required unless delivery_name is given.
   * @example "Jan Novák"
   */
  @ValidateIf((order: OrderPostRequest) => order.name != null || order.delivery_name == null)
  @Trim()
  @IsDefined({ message: 'give name or delivery_name' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name?: string;

  /** @example "Dlouhá 1" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  street?: string;

  /** @example "Praha" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  city?: string;

  /** @example "11000" */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  zip?: string;

  /**
   * ISO 3166-1 alpha-2 country code.
   * @example "CZ"
   */
  @IsOptional()
  @UpperCase()
  @IsISO31661Alpha2({ message: 'state_code must be an ISO 3166-1 alpha-2 country code' })
  state_code?: string;

  /**
   * Customer company name, for business orders. An addition to Retailys.
   * @example "Novák s.r.o."
   */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  company_name?: string;

  /**
   * Customer company registration number.
   * @example "12345678"
   */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  company_nr?: string;

  /**
   * Customer VAT id.
   * @example "CZ12345678"
   */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  company_vat?: string;

  /** @example "Jan Novák" */
  @ValidateIf((order: OrderPostRequest) => order.delivery_name != null || order.name == null)
  @Trim()
  @IsDefined({ message: 'give name or delivery_name' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  delivery_name?: string;

  /** @example "Dlouhá 1" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  delivery_street?: string;

  /** @example "Praha" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  delivery_city?: string;

  /** @example "11000" */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  delivery_zip?: string;

  /** @example "CZ" */
  @IsOptional()
  @UpperCase()
  @IsISO31661Alpha2({ message: 'delivery_state_code must be an ISO 3166-1 alpha-2 country code' })
  delivery_state_code?: string;

  /** @example "+420600000000" */
  @IsOptional()
  @Matches(PHONE, { message: 'delivery_phone must be 3 to 50 digits, spaces and + ( ) . / -' })
  delivery_phone?: string;

  /** @example "jan@example.cz" */
  @IsOptional()
  @Trim()
  @IsEmail()
  @MaxLength(254)
  delivery_email?: string;

  /**
   * Customer's note.
   * @example "Please ring twice"
   */
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string;

  /**
   * Internal note, not shown to the customer.
   * @example "VIP"
   */
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  our_note?: string;

  /**
   * Customer IP address.
   * @example "203.0.113.5"
   */
  @IsOptional()
  @IsIP()
  ip?: string;

  /**
   * Shop domain the order came from.
   * @example "shop.example.cz"
   */
  @IsOptional()
  @IsFQDN({ require_tld: false })
  @MaxLength(255)
  domain?: string;

  /**
   * Order date; now when not given.
   * @example "2024-05-02T10:15:00+02:00"
   */
  @IsOptional()
  @IsDateTimeWithOffset()
  date_order?: string;

  /**
   * Payment due date. An addition to Retailys.
   * @example "2024-05-16T00:00:00+02:00"
   */
  @IsOptional()
  @IsDateTimeWithOffset()
  date_maturity?: string;

  /**
   * ISO 4217 currency of the order.
   * @example "CZK"
   */
  @IsDefined()
  @UpperCase()
  @IsISO4217CurrencyCode({ message: 'order_currency_code must be an ISO 4217 currency code' })
  order_currency_code!: string;

  /**
   * Rate from the order currency to the main currency. An addition to Retailys; 1 when the two
   * currencies are the same, otherwise null unless given.
   * @example 1
   */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @HasAtMostDecimals(8)
  @Min(0.00000001)
  @Max(1_000_000)
  currency_rate?: number;

  /**
   * Prefix of the id in an external system (a marketplace).
   * @example "WEB"
   */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  external_order_prefix?: string;

  /**
   * Id in an external system. With the prefix it is unique: creating an order with a pair that
   * exists answers 200 with the existing order's id instead of creating a second one.
   * @example "1001"
   */
  @ValidateIf((order: OrderPostRequest) => order.external_order_id != null || order.external_order_prefix != null)
  @IsDefined({ message: 'external_order_id is required with external_order_prefix' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  external_order_id?: string;

  /** Your own data on the order (a Kwik convention): string keys and values. */
  @IsOptional()
  @IsMetadata()
  metadata?: MetadataChanges | null;

  /** Order lines, created with the order. An addition to Retailys. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true, message: 'each of items must be an object' })
  @ValidateNested({ each: true })
  @Type(() => OrderItemPostRequest)
  items?: OrderItemPostRequest[];
}
