import { IsDefined } from 'class-validator';
import { IsId } from '../../common/validation/decorators.js';

export class OrderStatusPatchRequest {
  /**
   * Id of a status from GET /System/Orders/Statuses.
   * @example 3
   */
  @IsDefined()
  @IsId()
  status_id!: number;
}
