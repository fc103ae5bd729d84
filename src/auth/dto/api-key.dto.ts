import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsDateTimeWithOffset, IsOmittable, Trim } from '../../common/validation/decorators.js';
import { RIGHTS, type Right } from '../rights.js';

export class ApiKeyPostRequest {
  /** What the key is for. @example "payment gateway" */
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** @example ["orders:read","orders:pay"] */
  @ApiProperty({ enum: RIGHTS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(RIGHTS.length)
  @IsIn(RIGHTS, { each: true, message: `each of rights must be one of ${RIGHTS.join(', ')}` })
  rights!: Right[];

  /** When the key stops working; none when absent. @example "2027-12-31T00:00:00Z" */
  @IsOptional()
  @IsDateTimeWithOffset()
  expires_at?: string;
}

export class ApiKeyPatchRequest {
  /** A new name. @example "payment gateway (old)" */
  @IsOmittable()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  /** When the key stops working; null: never. A time in the past stops it at once. @example "2027-12-31T00:00:00Z" */
  @IsOptional()
  @IsDateTimeWithOffset()
  expires_at?: string | null;
}
