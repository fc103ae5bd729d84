import { IsDefined, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { IsId, Trim } from '../../common/validation/decorators.js';

export class TrackingPostRequest {
  /**
   * Id of a shipper from GET /System/Lists/Shippers.
   * @example 1
   */
  @IsDefined()
  @IsId()
  shipper_id!: number;

  /**
   * The carrier's parcel number.
   * @example "Z123456"
   */
  @IsDefined()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/, {
    message: 'tracking_number may hold letters, digits, spaces and . _ / -',
  })
  tracking_number!: string;
}
