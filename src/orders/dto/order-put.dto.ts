import { IsDefined, IsEmail, IsISO31661Alpha2, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsId, Trim, UpperCase } from '../../common/validation/decorators.js';
import { IsMetadata, type MetadataChanges } from '../order-metadata.js';
import { OrderMoneyInput } from './order-money.dto.js';
import { PHONE } from './order-post.dto.js';

/**
 * Changes the delivery address, the discount, the fees or the metadata of order `id`: only the
 * fields given change, and null clears one. The address and the money are refused once the order
 * is sent, done or canceled; metadata changes until the order is archived.
 */
export class OrderPutRequest extends OrderMoneyInput {
  /** @example 12345 */
  @IsDefined()
  @IsId()
  id!: number;

  /** @example "Jana Nováková" */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(255)
  delivery_name?: string | null;

  /** @example "Krátká 2" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  delivery_street?: string | null;

  /** @example "Brno" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  delivery_city?: string | null;

  /** @example "60200" */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  delivery_zip?: string | null;

  /** @example "CZ" */
  @IsOptional()
  @UpperCase()
  @IsISO31661Alpha2({ message: 'delivery_state_code must be an ISO 3166-1 alpha-2 country code' })
  delivery_state_code?: string | null;

  /** @example "+420600000001" */
  @IsOptional()
  @Matches(PHONE, { message: 'delivery_phone must be 3 to 50 digits, spaces and + ( ) . / -' })
  delivery_phone?: string | null;

  /** @example "jana@example.cz" */
  @IsOptional()
  @Trim()
  @IsEmail()
  @MaxLength(254)
  delivery_email?: string | null;

  /** Merged into the order's metadata: the keys given are set, a key given "" or null is removed. */
  @IsOptional()
  @IsMetadata()
  metadata?: MetadataChanges | null;
}
