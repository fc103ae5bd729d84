import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export const HISTORY_TYPES = ['order', 'email', 'apps', 'status'] as const;

export class HistoryPostRequestRecord {
  /**
   * What happened, as text.
   * @example "Confirmation e-mail sent"
   */
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  name!: string;

  /**
   * A state label.
   * @example "ok"
   */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  status?: string;
}

export class HistoryPostRequest {
  /** @example "email" */
  @ApiProperty({ enum: HISTORY_TYPES })
  @IsDefined()
  @IsIn(HISTORY_TYPES)
  type!: (typeof HISTORY_TYPES)[number];

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => HistoryPostRequestRecord)
  record!: HistoryPostRequestRecord;
}
