import { Module } from '@nestjs/common';
import { ReceiverPolicy } from './egress.js';
import { EventsController } from './events.controller.js';
import { EventsService } from './events.service.js';
import { OrderEventsModule } from './order-events.module.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSender } from './webhook-sender.js';

/** /System/Events: subscriptions to order events, and the workers that deliver them as webhooks. */
@Module({
  imports: [OrderEventsModule],
  controllers: [EventsController],
  providers: [EventsService, ReceiverPolicy, WebhookSender, WebhookDispatcher],
})
export class EventsModule {}
