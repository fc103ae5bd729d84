import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { grants } from '../auth/rights.js';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { Answer } from '../common/http/answer.js';
import { toAtom, toAtomOrNull } from '../common/http/dates.js';
import { paginator } from '../common/http/pagination.dto.js';
import type { IdModel } from '../common/http/responses.model.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Executor } from '../database/database.js';
import type { EventParameterInput, EventPostRequest, EventPutRequest } from './dto/event.dto.js';
import type {
  CreatedEventModel,
  EventDeliveriesModel,
  EventDeliveryDetailModel,
  EventDeliveryModel,
  EventModel,
  EventReplayModel,
  EventsModel,
  RotatedSecretModel,
} from './dto/event.model.js';
import { eventKindOf, parseCondition, unknownVariables } from './event-catalogue.js';
import { type DeliveryRecord, EventDeliveriesRepository } from './event-deliveries.repository.js';
import {
  type EventParameter,
  EventSubscriptionsRepository,
  type NewSubscription,
  type SubscriptionPatch,
  type SubscriptionRecord,
} from './event-subscriptions.repository.js';
import { ReceiverPolicy } from './egress.js';
import { EventSignal } from './event-signal.js';

// /System/Events: partner apps' subscriptions to order events. A subscription belongs to the API
// key that made it: a key lists and changes its own; an admin key may also read, change and
// delete any by id. Every input is checked here, so that a subscription is never stored that
// the workers could not honour (an unknown variable, a condition the gateway does not
// understand, a receiver on an address it may not call).

@Injectable()
export class EventsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly subscriptions: EventSubscriptionsRepository,
    private readonly deliveries: EventDeliveriesRepository,
    private readonly receivers: ReceiverPolicy,
    private readonly signal: EventSignal,
  ) {}

  /**
   * 201 with the secret, shown this once; a dry run (see WriteRequest) answers 200 with the
   * subscription as it would be made, in a transaction rolled back, and no secret.
   */
  async create(
    caller: Caller,
    body: EventPostRequest,
    dryRun: boolean,
  ): Promise<Answer<CreatedEventModel | EventModel>> {
    const errors: FieldError[] = [];
    const fields = this.checked(body, errors);
    if (errors.length > 0) throw DomainError.validation(errors);
    const secret = newSecret();
    const subscription: NewSubscription = {
      apiKeyId: ownerOf(caller),
      method: 'POST',
      parameters: [],
      condition: null,
      statusIds: [],
      channelIds: [],
      ...fields,
      event: body.event,
      kind: fields.kind!,
      path: body.path,
      secret,
    };
    if (dryRun) {
      return new Answer(
        await this.subscriptions.rehearse(async (tx) =>
          toEventModel((await this.subscriptions.findById(await this.subscriptions.create(subscription, tx), tx))!),
        ),
      );
    }
    const id = await this.subscriptions.create(subscription);
    // This process's workers hear of the new subscription's events at once, not after their next read.
    this.signal.subscriptionsChanged();
    return new Answer({ id, secret }, 201);
  }

  async list(caller: Caller, page: number, perPage: number, path: string | undefined): Promise<EventsModel> {
    const { total, subscriptions } = await this.subscriptions.page(
      ownerOf(caller),
      path,
      (page - 1) * perPage,
      perPage,
    );
    return { paginator: paginator(page, perPage, total), events: subscriptions.map(toEventModel) };
  }

  async get(caller: Caller, id: number): Promise<EventModel> {
    return toEventModel(await this.owned(caller, id));
  }

  /** A dry run answers the subscription as the change would leave it. */
  async update(caller: Caller, body: EventPutRequest, dryRun: boolean): Promise<IdModel | EventModel> {
    refuseIfKeyRevoked(await this.owned(caller, body.id));
    const errors: FieldError[] = [];
    const patch: SubscriptionPatch = { ...this.checked(body, errors), enabled: body.enabled ?? true };
    if (errors.length > 0) throw DomainError.validation(errors);
    if (dryRun) {
      const rehearsed = await this.subscriptions.rehearse((tx) => this.subscriptions.update(body.id, patch, tx));
      if (!rehearsed) throw eventNotFound(body.id);
      return toEventModel(rehearsed);
    }
    if (!(await this.subscriptions.update(body.id, patch))) throw eventNotFound(body.id);
    this.signal.subscriptionsChanged();
    return { id: body.id };
  }

  async remove(caller: Caller, id: number, dryRun: boolean): Promise<IdModel> {
    await this.owned(caller, id);
    const removed = (db?: Executor) => this.subscriptions.remove(id, db);
    if (!(await (dryRun ? this.subscriptions.rehearse(removed) : removed()))) throw eventNotFound(id);
    return { id };
  }

  /** A dry run answers the subscription as it is: the secret it would get is never shown, nor kept. */
  async rotateSecret(
    caller: Caller,
    id: number,
    overlapSeconds: number | undefined,
    dryRun: boolean,
  ): Promise<RotatedSecretModel | EventModel> {
    await this.owned(caller, id);
    const secret = newSecret();
    const overlap = overlapSeconds ?? this.config.WEBHOOK_SECRET_OVERLAP_SECONDS;
    if (dryRun) {
      const rehearsed = await this.subscriptions.rehearse(async (tx) =>
        (await this.subscriptions.rotateSecret(id, secret, overlap, tx)) ? this.subscriptions.findById(id, tx) : null,
      );
      if (!rehearsed) throw eventNotFound(id);
      return toEventModel(rehearsed);
    }
    const rotated = await this.subscriptions.rotateSecret(id, secret, overlap);
    if (!rotated) throw eventNotFound(id);
    return { id, secret, previous_secret_expires_at: toAtomOrNull(rotated.previousSecretExpiresAt) };
  }

  async deliveryPage(
    caller: Caller,
    id: number,
    state: 'pending' | 'delivered' | undefined,
    page: number,
    perPage: number,
  ): Promise<EventDeliveriesModel> {
    await this.owned(caller, id);
    const { total, deliveries } = await this.deliveries.page(id, state, (page - 1) * perPage, perPage);
    return { paginator: paginator(page, perPage, total), deliveries: deliveries.map(toDeliveryModel) };
  }

  async delivery(caller: Caller, id: number, deliveryId: string): Promise<EventDeliveryDetailModel> {
    await this.owned(caller, id);
    const found = await this.deliveries.findById(id, deliveryId);
    if (!found) throw deliveryNotFound(id, deliveryId);
    return {
      ...toDeliveryModel(found.delivery),
      attempt_log: found.attempts.map((attempt) => ({
        attempt: attempt.attempt,
        started_at: toAtom(attempt.startedAt),
        duration_ms: attempt.durationMs,
        outcome: attempt.outcome,
        response_status: attempt.responseStatus,
        response_body: attempt.responseBody,
        error: attempt.error,
      })),
    };
  }

  /** 201 with the new delivery's id; a dry run 200, the delivery made and rolled back. */
  async replay(caller: Caller, id: number, deliveryId: string, dryRun: boolean): Promise<Answer<{ id: string }>> {
    refuseIfKeyRevoked(await this.owned(caller, id));
    const replayed = await this.deliveries.replay(id, deliveryId, dryRun);
    if (!replayed) throw deliveryNotFound(id, deliveryId);
    return new Answer({ id: replayed }, dryRun ? 200 : 201);
  }

  /** 201 with how many deliveries were made; a dry run 200, how many would be. */
  async replaySince(
    caller: Caller,
    id: number,
    sinceEventId: string,
    dryRun: boolean,
  ): Promise<Answer<EventReplayModel>> {
    refuseIfKeyRevoked(await this.owned(caller, id));
    const replayed = await this.deliveries.replaySince(id, sinceEventId.replace(/^evt_/, ''), dryRun);
    return new Answer({ replayed }, dryRun ? 200 : 201);
  }

  /** The subscription, when the caller may see it (its own, or any for an admin); 404 otherwise. */
  private async owned(caller: Caller, id: number): Promise<SubscriptionRecord> {
    const subscription = await this.subscriptions.findById(id);
    if (!subscription || (subscription.apiKeyId !== caller.apiKeyId && !grants(caller.rights, 'admin'))) {
      throw eventNotFound(id);
    }
    return subscription;
  }

  /** The fields a create or a change gives, checked (problems into `errors`) and as stored. */
  private checked(body: EventPostRequest | EventPutRequest, errors: FieldError[]): SubscriptionPatch {
    const fields: SubscriptionPatch = {};
    if (body.event !== undefined) {
      const kind = eventKindOf(body.event);
      if (kind) Object.assign(fields, { event: body.event, kind });
      else errors.push({ field: 'event', message: `${body.event} is not an event of the gateway` });
    }
    if (body.path !== undefined) {
      const problem = this.receivers.problem(body.path);
      if (problem) errors.push({ field: 'path', message: `path ${problem}` });
      fields.path = body.path;
    }
    if (body.method !== undefined) fields.method = body.method;
    if (body.parameters !== undefined) fields.parameters = checkedParameters(body.parameters, errors);
    if (body.condition !== undefined) {
      Object.assign(fields, parseCondition(body.condition, 'condition', errors));
      fields.condition = emptyToNull(body.condition);
    }
    return fields;
  }
}

/**
 * A revoked key's subscriptions ended with it (the migration revoked_key_subscriptions): nothing
 * would be sent for them, so they are not enabled, changed or replayed again, only read or removed.
 */
function refuseIfKeyRevoked(subscription: SubscriptionRecord): void {
  if (subscription.keyRevoked) {
    throw new DomainError(
      ErrorCode.EVENT_KEY_REVOKED,
      `Event subscription ${subscription.id} ended when its API key was revoked; make a new one with an active key.`,
    );
  }
}

function ownerOf(caller: Caller): number {
  if (caller.apiKeyId === null) throw new Error('Event subscriptions belong to an API key');
  return caller.apiKeyId;
}

/** whsec_ and 24 random bytes in base64, the form Standard Webhooks libraries take. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function emptyToNull(condition: string | null | undefined): string | null {
  return condition === undefined || condition === null || condition.trim() === '' ? null : condition;
}

function checkedParameters(parameters: EventParameterInput[] | undefined, errors: FieldError[]): EventParameter[] {
  const names = new Set<string>();
  return (parameters ?? []).map((parameter, index) => {
    const unknown = unknownVariables(parameter.variable);
    if (unknown.length > 0) {
      errors.push({
        field: `parameters[${index}].variable`,
        message: `${unknown.join(', ')} is not a variable: use %orderId%, %statusId%, %channelId%, %event%, %eventId%, %sequence% or %occurredAt%`,
      });
    }
    if (names.has(parameter.name)) {
      errors.push({ field: `parameters[${index}].name`, message: `${parameter.name} is given twice` });
    }
    names.add(parameter.name);
    return { name: parameter.name, variable: parameter.variable };
  });
}

function toEventModel(subscription: SubscriptionRecord): EventModel {
  return {
    event: subscription.event,
    id: subscription.id,
    path: subscription.path,
    method: subscription.method,
    params: subscription.parameters.map((one) => ({ key: one.name, macro: one.variable })),
    condition: subscription.condition,
    enabled: subscription.enabled,
    disabled_reason: subscription.disabledReason,
    consecutive_failures: subscription.consecutiveFailures,
    paused_until:
      subscription.pausedUntil && subscription.pausedUntil.getTime() > Date.now()
        ? toAtom(subscription.pausedUntil)
        : null,
    previous_secret_expires_at: toAtomOrNull(subscription.previousSecretExpiresAt),
    created_at: toAtom(subscription.createdAt),
    updated_at: toAtom(subscription.updatedAt),
  };
}

function toDeliveryModel(delivery: DeliveryRecord): EventDeliveryModel {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    event: delivery.event,
    order_id: delivery.orderId,
    sequence: delivery.sequence,
    state: delivery.state,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    replay_of: delivery.replayOf,
    occurred_at: toAtom(delivery.occurredAt),
    created_at: toAtom(delivery.createdAt),
    delivered_at: toAtomOrNull(delivery.deliveredAt),
  };
}

function eventNotFound(id: number): DomainError {
  return new DomainError(ErrorCode.EVENT_NOT_FOUND, `There is no event subscription ${id}.`);
}

function deliveryNotFound(id: number, deliveryId: string): DomainError {
  return new DomainError(ErrorCode.EVENT_NOT_FOUND, `Event subscription ${id} has no delivery ${deliveryId}.`);
}
