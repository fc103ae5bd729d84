import { ApiProperty } from '@nestjs/swagger';
import type { Paginator } from '../../common/http/pagination.dto.js';
import { EVENT_NAME_VALUES } from '../event-catalogue.js';

/** A parameter as the Retailys read model names it: `key` (the name) and `macro` (the variable). */
export class CallbackModelParams {
  /** @example "order" */
  key!: string;
  /** @example "%orderId%" */
  macro!: string;
}

/** A subscription (the Retailys SDK's EventModel), with the gateway's additions after `condition`. */
export class EventModel {
  /** The event as the subscription was made with it. */
  @ApiProperty({ enum: EVENT_NAME_VALUES, example: 'order-change-status' })
  event!: string;
  /** @example 7 */
  id!: number;
  /** @example "https://partner.example/hooks/orders" */
  path!: string;
  @ApiProperty({ enum: ['GET', 'POST'] })
  method!: string;
  params!: CallbackModelParams[];
  /** @example "status_id in (3, 4)" */
  condition!: string | null;
  /** False while disabled: its deliveries wait. */
  enabled!: boolean;
  /** Why it was disabled. */
  disabled_reason!: string | null;
  /** Failed deliveries in a row; 0 once one goes through. */
  consecutive_failures!: number;
  /** No delivery is sent before this (the back-off after a failure); null when none is in force. */
  paused_until!: string | null;
  /** Until when the secret before the last rotation still signs beside the current one. */
  previous_secret_expires_at!: string | null;
  created_at!: string;
  updated_at!: string;
}

export class EventsModel {
  paginator!: Paginator;
  events!: EventModel[];
}

/** A new subscription's id and, shown this once, its signing secret. */
export class CreatedEventModel {
  /** @example 7 */
  id!: number;
  /**
   * The Standard Webhooks signing secret (`whsec_` and base64): every delivery is signed with it.
   * It is never shown again; POST /System/Events/{id}/secret makes a new one.
   * @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
   */
  secret!: string;
}

export class RotatedSecretModel {
  /** @example 7 */
  id!: number;
  /** The new secret, shown this once. @example "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD" */
  secret!: string;
  /** Until when the old secret still signs beside it; null when it stopped at once. */
  previous_secret_expires_at!: string | null;
}

/** The answer of a replay: the new delivery's id. */
export class EventDeliveryIdModel {
  /** @example "3052" */
  id!: string;
}

/** One delivery of an event to a subscription. */
export class EventDeliveryModel {
  /** @example "3051" */
  id!: string;
  /** The event's id; `webhook-id` is `evt_` and this. @example "1042" */
  event_id!: string;
  @ApiProperty({ enum: EVENT_NAME_VALUES })
  event!: string;
  /** @example 17 */
  order_id!: number;
  /** The event's number within its order, from 1. @example 4 */
  sequence!: number;
  @ApiProperty({ enum: ['pending', 'delivered'] })
  state!: string;
  /** Attempts so far. */
  attempts!: number;
  /** HTTP status of the last attempt's answer; null when there was none. */
  last_status!: number | null;
  last_error!: string | null;
  /** The delivery this one replays. */
  replay_of!: string | null;
  /** When the event happened. */
  occurred_at!: string;
  created_at!: string;
  delivered_at!: string | null;
}

export class EventDeliveriesModel {
  paginator!: Paginator;
  deliveries!: EventDeliveryModel[];
}

/** One attempt at a delivery, as the delivery log keeps it. */
export class EventDeliveryAttemptModel {
  /** @example 1 */
  attempt!: number;
  started_at!: string;
  /** @example 42 */
  duration_ms!: number;
  @ApiProperty({ enum: ['delivered', 'failed', 'timeout', 'refused', 'error'] })
  outcome!: string;
  /** @example 200 */
  response_status!: number | null;
  /** The first bytes of the answer's body (WEBHOOK_RESPONSE_BODY_BYTES). */
  response_body!: string | null;
  error!: string | null;
}

export class EventDeliveryDetailModel extends EventDeliveryModel {
  attempt_log!: EventDeliveryAttemptModel[];
}

export class EventReplayModel {
  /** Deliveries made. @example 12 */
  replayed!: number;
}
