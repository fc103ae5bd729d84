import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsId } from '../../common/validation/decorators.js';
import { PageNumber, PageSize } from '../../common/http/pagination.dto.js';
import { EVENT_NAME_VALUES } from '../event-catalogue.js';

export const EVENT_METHODS = ['GET', 'POST'] as const;

/** A parameter of the call: its name, and the text of its value with variables such as %orderId%. */
export class EventParameterInput {
  /** @example "order" */
  @IsDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  /**
   * The value: one variable (`%orderId%`, `%statusId%`, `%channelId%`, `%event%`, `%eventId%`,
   * `%sequence%`, `%occurredAt%`), or a text with variables in it.
   * @example "%orderId%"
   */
  @IsDefined()
  @IsString()
  @MaxLength(500)
  variable!: string;
}

/** The decorators of `event`: one of the names, required or not. */
function EventName(required: boolean): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ enum: EVENT_NAME_VALUES, example: 'order-change-status', required }),
    required ? IsDefined() : IsOptional(),
    IsString(),
    IsIn(EVENT_NAME_VALUES, { message: `event must be one of ${EVENT_NAME_VALUES.join(', ')}` }),
  );
}

function ReceiverPath(required: boolean): PropertyDecorator {
  return applyDecorators(required ? IsDefined() : IsOptional(), IsString(), IsNotEmpty(), MaxLength(2048));
}

function CallMethod(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ enum: EVENT_METHODS, required: false }),
    IsOptional(),
    IsIn(EVENT_METHODS, { message: 'method must be GET or POST' }),
  );
}

function CallParameters(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsArray(),
    ArrayMaxSize(50),
    IsObject({ each: true, message: 'each of parameters must be an object' }),
    ValidateNested({ each: true }),
    Type(() => EventParameterInput),
  );
}

function Condition(): PropertyDecorator {
  return applyDecorators(IsOptional(), IsString(), MaxLength(500));
}

/** A subscription to an order event (the Retailys SDK's EventPostRequest). */
export class EventPostRequest {
  /**
   * The event: `order-new` (also spelled `new-order`, as the Retailys SDK does),
   * `order-change-status`, `order-paid`, `order-sent`, `order-delivered`, `order-done`,
   * `order-canceled`, `order-refunded` or `order-sync-failed`.
   */
  @EventName(true)
  event!: string;

  /** The receiver's absolute URL. @example "https://partner.example/hooks/orders" */
  @ReceiverPath(true)
  path!: string;

  /** How the receiver is called: GET (the parameters in the query) or POST (a JSON body). POST when left out. */
  @CallMethod()
  method?: 'GET' | 'POST';

  /** What the call carries. None: the whole event (id, event, order_id, sequence, status_id, channel_id, occurred_at, data). */
  @CallParameters()
  parameters?: EventParameterInput[];

  /**
   * Which events of the kind are sent: `status_id = 3`, `status_id in (3, 4)`, `channel_id = 1`,
   * or both joined by `and` (also written `%statusId% == 3`). Empty or null: all. Anything else is
   * refused (400), never ignored.
   * @example "status_id in (3, 4)"
   */
  @Condition()
  condition?: string | null;
}

/**
 * A change to a subscription (the Retailys SDK's EventPutRequest): the fields given change. Any
 * PUT enables the subscription again, unless `enabled` is false.
 */
export class EventPutRequest {
  /** The subscription. @example 7 */
  @IsDefined()
  @IsId()
  id!: number;

  /** The event, as in the create. */
  @EventName(false)
  event?: string;

  /** The receiver's absolute URL. @example "https://partner.example/hooks/orders" */
  @ReceiverPath(false)
  path?: string;

  /** GET or POST. */
  @CallMethod()
  method?: 'GET' | 'POST';

  /** What the call carries; `[]` for the whole event. */
  @CallParameters()
  parameters?: EventParameterInput[];

  /** As in the create; null or empty: all events of the kind. @example "channel_id = 1" */
  @Condition()
  condition?: string | null;

  /** An addition to Retailys: false stops deliveries (they wait), true sends them again. */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** `page` and `per_page`, 1 to 250 a page as the Retailys SDK's getEvents allows. */
class EventsPageQuery {
  /** Page number, from 1. */
  @PageNumber()
  page: number = 1;

  /** Page size, 1 to 250. */
  @PageSize(1)
  per_page: number = 10;
}

export class EventsQuery extends EventsPageQuery {
  /** Only the subscriptions calling this URL. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  path?: string;
}

export class DeliveriesQuery extends EventsPageQuery {
  /** Only the pending (not yet taken) or the delivered ones. */
  @ApiProperty({ required: false, enum: ['pending', 'delivered'] })
  @IsOptional()
  @IsIn(['pending', 'delivered'], { message: 'state must be pending or delivered' })
  state?: 'pending' | 'delivered';
}

/** A replay of every event since one (itself included) the subscription would get now. */
export class EventReplayRequest {
  /** The first event replayed: the `event_id` of a delivery, the id (without `evt_`) in `webhook-id`. @example "1042" */
  @IsDefined()
  @IsString()
  @Matches(/^(evt_)?[1-9]\d{0,18}$/, { message: 'since_event_id must be an event id such as 1042 or evt_1042' })
  since_event_id!: string;
}

export class EventSecretRotationRequest {
  /** Seconds the old secret keeps signing beside the new one; WEBHOOK_SECRET_OVERLAP_SECONDS by default, 0 to drop it at once. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30 * 86_400)
  overlap_seconds?: number;
}
