import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, RequiresRight } from '../auth/auth.decorators.js';
import type { Caller } from '../auth/caller.js';
import type { Answer } from '../common/http/answer.js';
import { ApiProblems } from '../common/http/api-docs.js';
import { RehearsedAs } from '../common/http/dry-run-answer.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { IdModel } from '../common/http/responses.model.js';
import { CurrentWrite, type WriteRequest } from '../common/http/write-request.js';
import { NoIdempotencyKey } from '../idempotency/no-idempotency-key.decorator.js';
import {
  DeliveriesQuery,
  EventPostRequest,
  EventPutRequest,
  EventReplayRequest,
  EventSecretRotationRequest,
  EventsQuery,
} from './dto/event.dto.js';
import {
  CreatedEventModel,
  EventDeliveriesModel,
  EventDeliveryDetailModel,
  EventModel,
  EventReplayModel,
  EventsModel,
  RotatedSecretModel,
  EventDeliveryIdModel,
} from './dto/event.model.js';
import { EventsService } from './events.service.js';
import { DELIVERY_ID_SCHEMA, ParseDeliveryIdPipe } from './parse-delivery-id.pipe.js';

/** The subscription in the path. */
const SubscriptionId = (): ParameterDecorator => Param('id', new ParseIdPipe('id'));
/** The delivery in the path. */
const DeliveryId = (): ParameterDecorator => Param('deliveryId', new ParseDeliveryIdPipe());
const DeliveryIdParameter = (): MethodDecorator => ApiParam({ name: 'deliveryId', ...DELIVERY_ID_SCHEMA });

/** The subscription ended with its API key: it is not changed or replayed again. */
const KEY_REVOKED = {
  status: 422,
  description: 'The subscription ended when its API key was revoked (`EVENT_KEY_REVOKED`): make a new one.',
};

@ApiTags('Events')
@ApiSecurity('token')
@RequiresRight('orders:read')
@Controller('System/Events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  @NoIdempotencyKey()
  @ApiOperation({
    summary: 'Subscribe to an order event',
    description:
      'Retailys `postEvents`. The gateway calls `path` with `method` for every such event, signed the Standard ' +
      'Webhooks way with the secret in the answer, which is shown only this once (so the route takes no ' +
      'Idempotency-Key). Needs `orders:read`; the subscription belongs to the API key that makes it.',
  })
  @ApiCreatedResponse({ type: CreatedEventModel })
  @RehearsedAs(EventModel, 'the subscription as it would be made, without its secret')
  @ApiProblems(400, 401, 403, 413, 415)
  postEvents(
    @CurrentWrite() write: WriteRequest,
    @Body() body: EventPostRequest,
  ): Promise<Answer<CreatedEventModel | EventModel>> {
    return this.events.create(write.caller, body, write.dryRun);
  }

  @Get()
  @ApiOperation({ summary: 'List event subscriptions', description: "Retailys `getEvents`: the API key's own." })
  @ApiOkResponse({ type: EventsModel })
  @ApiProblems(400, 401, 403)
  getEvents(@CurrentCaller() caller: Caller, @Query() query: EventsQuery): Promise<EventsModel> {
    return this.events.list(caller, query.page, query.per_page, query.path);
  }

  @Put()
  @ApiOperation({
    summary: 'Change an event subscription',
    description:
      'Retailys `putEvents`, with the subscription in `id`. The fields given change; any PUT enables a disabled ' +
      'subscription again (its waiting deliveries then go out, in order), unless `enabled` is false.',
  })
  @RehearsedAs(EventModel, 'the subscription as the change would leave it', { type: IdModel, description: 'Changed.' })
  @ApiProblems(400, 401, 403, 404, KEY_REVOKED, 413, 415)
  putEvents(@CurrentWrite() write: WriteRequest, @Body() body: EventPutRequest): Promise<IdModel | EventModel> {
    return this.events.update(write.caller, body, write.dryRun);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one event subscription', description: 'Retailys `getEvent`.' })
  @ApiOkResponse({ type: EventModel })
  @ApiProblems(400, 401, 403, 404)
  getEvent(@CurrentCaller() caller: Caller, @SubscriptionId() id: number): Promise<EventModel> {
    return this.events.get(caller, id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete an event subscription',
    description: 'Retailys `deleteEvent`. Its waiting deliveries and its delivery log go with it.',
  })
  @RehearsedAs(IdModel, 'its id, the subscription left as it is', { type: IdModel, description: 'Deleted.' })
  @ApiProblems(400, 401, 403, 404)
  deleteEvent(@CurrentWrite() write: WriteRequest, @SubscriptionId() id: number): Promise<IdModel> {
    return this.events.remove(write.caller, id, write.dryRun);
  }

  @Post(':id/secret')
  @HttpCode(200)
  @NoIdempotencyKey()
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description:
      'An addition to Retailys. A new secret, shown this once; the old one keeps signing beside it ' +
      '(`webhook-signature` then carries both) for `overlap_seconds`.',
  })
  @RehearsedAs(EventModel, 'the subscription as it is; no secret is made or shown', {
    type: RotatedSecretModel,
    description: 'The new secret.',
  })
  @ApiProblems(400, 401, 403, 404, 413, 415)
  rotateEventSecret(
    @CurrentWrite() write: WriteRequest,
    @SubscriptionId() id: number,
    @Body() body: EventSecretRotationRequest,
  ): Promise<RotatedSecretModel | EventModel> {
    return this.events.rotateSecret(write.caller, id, body.overlap_seconds, write.dryRun);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'List the deliveries of a subscription',
    description: 'An addition to Retailys: the delivery log, newest first.',
  })
  @ApiOkResponse({ type: EventDeliveriesModel })
  @ApiProblems(400, 401, 403, 404)
  getEventDeliveries(
    @CurrentCaller() caller: Caller,
    @SubscriptionId() id: number,
    @Query() query: DeliveriesQuery,
  ): Promise<EventDeliveriesModel> {
    return this.events.deliveryPage(caller, id, query.state, query.page, query.per_page);
  }

  @Get(':id/deliveries/:deliveryId')
  @DeliveryIdParameter()
  @ApiOperation({
    summary: 'Get one delivery with its attempts',
    description:
      'An addition to Retailys: every attempt, its outcome, duration, status and the first bytes of the answer.',
  })
  @ApiOkResponse({ type: EventDeliveryDetailModel })
  @ApiProblems(400, 401, 403, 404)
  getEventDelivery(
    @CurrentCaller() caller: Caller,
    @SubscriptionId() id: number,
    @DeliveryId() deliveryId: string,
  ): Promise<EventDeliveryDetailModel> {
    return this.events.delivery(caller, id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @DeliveryIdParameter()
  @NoIdempotencyKey()
  @ApiOperation({
    summary: 'Send a delivery again',
    description:
      'An addition to Retailys: a new delivery of the same event (the same `webhook-id`), after the waiting ones of ' +
      'its order. Each call replays once more, so the route takes no Idempotency-Key.',
  })
  @ApiCreatedResponse({ type: EventDeliveryIdModel })
  @RehearsedAs(EventDeliveryIdModel, 'the id the new delivery would have')
  @ApiProblems(400, 401, 403, 404, KEY_REVOKED)
  replayEventDelivery(
    @CurrentWrite() write: WriteRequest,
    @SubscriptionId() id: number,
    @DeliveryId() deliveryId: string,
  ): Promise<Answer<EventDeliveryIdModel>> {
    return this.events.replay(write.caller, id, deliveryId, write.dryRun);
  }

  @Post(':id/replay')
  @NoIdempotencyKey()
  @ApiOperation({
    summary: 'Send every event since one again',
    description:
      'An addition to Retailys: a new delivery of every event from `since_event_id` on that the subscription ' +
      'would get now (its event and condition), in event order, whether or not it was sent before.',
  })
  @ApiCreatedResponse({ type: EventReplayModel })
  @RehearsedAs(EventReplayModel, 'how many deliveries it would make')
  @ApiProblems(400, 401, 403, 404, KEY_REVOKED, 413, 415)
  replayEvents(
    @CurrentWrite() write: WriteRequest,
    @SubscriptionId() id: number,
    @Body() body: EventReplayRequest,
  ): Promise<Answer<EventReplayModel>> {
    return this.events.replaySince(write.caller, id, body.since_event_id, write.dryRun);
  }
}
