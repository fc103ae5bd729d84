import { ApiProperty } from '@nestjs/swagger';

/** @nestjs/terminus's answer. */
export class HealthCheckModel {
  /** @example "ok" */
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'shutting_down'] })
  status!: string;

  /**
   * Each check by name: `database`, `outbox`, `back_office`, `webhooks`, with its `status` (up, degraded, down).
   * @example {"database":{"status":"up","response_ms":2,"installation_id":"3f9a1c2b"},"outbox":{"status":"up","pending_events":0,"oldest_pending_seconds":0,"retrying_orders":0,"failed_orders":0},"back_office":{"status":"up","version":"5.0.0"},"webhooks":{"status":"up","pending_deliveries":0,"oldest_pending_seconds":0,"failing_subscriptions":[]}}
   */
  details!: Record<string, unknown>;

  /** The checks that are up or degraded. */
  info?: Record<string, unknown>;

  /** The checks that are down. */
  error?: Record<string, unknown>;
}
