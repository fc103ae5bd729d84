import { Module } from '@nestjs/common';
import { EventDeliveriesRepository } from './event-deliveries.repository.js';
import { EventSignal } from './event-signal.js';
import { EventSubscriptionsRepository } from './event-subscriptions.repository.js';
import { OrderEvents } from './order-events.js';

/**
 * Order events and their deliveries as stored: recorded in the changes that cause them (the
 * orders and sync modules), and read by the events API, its workers, metrics and health.
 */
@Module({
  providers: [OrderEvents, EventSignal, EventSubscriptionsRepository, EventDeliveriesRepository],
  exports: [OrderEvents, EventSignal, EventSubscriptionsRepository, EventDeliveriesRepository],
})
export class OrderEventsModule {}
