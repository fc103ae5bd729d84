import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { type EventFacts, parameterValue } from './event-catalogue.js';
import type { AttemptRecord, LeasedDelivery } from './event-deliveries.repository.js';
import { ReceiverPolicy } from './egress.js';

// One delivery as an HTTP call, signed the Standard Webhooks way (https://www.standardwebhooks.com):
//   webhook-id         the event's id (evt_<id>): the same in every attempt and replay, so a
//                      receiver that keeps the ids it has seen drops a repeat;
//   webhook-timestamp  seconds since the epoch when the attempt was signed;
//   webhook-signature  v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<content>"> per secret, space
//                      separated (two during a secret's rotation).
// <content> is the body of a POST. A GET has none, so its query string (without the "?") is what
// is signed. Redirects are not followed (a 3xx is a failed attempt), the answer is read up to a
// bound, and the secret is never written anywhere but the signature.

/** Answer bytes read at most; the rest is not waited for. */
const READ_LIMIT_BYTES = 64 * 1024;

const USER_AGENT = 'orders-gateway-webhooks/1';

/** What a delivery sends: built once per attempt (the timestamp is the attempt's). */
export interface WebhookRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | null;
}

/** The facts of a leased delivery's event, as its variables see them. */
function factsOf(delivery: LeasedDelivery): EventFacts {
  return {
    eventId: `evt_${delivery.event.id}`,
    event: delivery.target.event,
    orderId: delivery.event.orderId,
    sequence: delivery.event.sequence,
    statusId: delivery.event.statusId,
    channelId: delivery.event.channelId,
    occurredAt: new Date(delivery.event.createdAt).toISOString(),
  };
}

/**
 * What is sent: the parameters with their variables filled in, or, for a subscription without
 * parameters, the whole event (its ids, sequence, time and data).
 */
function webhookContent(delivery: LeasedDelivery): Record<string, unknown> {
  const facts = factsOf(delivery);
  if (delivery.target.parameters.length > 0) {
    return Object.fromEntries(delivery.target.parameters.map((one) => [one.name, parameterValue(one.variable, facts)]));
  }
  return {
    id: facts.eventId,
    event: facts.event,
    order_id: facts.orderId,
    sequence: facts.sequence,
    status_id: facts.statusId,
    channel_id: facts.channelId,
    occurred_at: facts.occurredAt,
    data: delivery.event.data,
  };
}

/** The signed request of one attempt at `delivery`, at `now`. */
function webhookRequest(delivery: LeasedDelivery, now: Date): WebhookRequest {
  const content = webhookContent(delivery);
  const url = new URL(delivery.target.path);
  let signed: string;
  let body: string | null = null;
  if (delivery.target.method === 'GET') {
    for (const [name, value] of Object.entries(content)) url.searchParams.append(name, queryValue(value));
    signed = url.search.replace(/^\?/, '');
  } else {
    body = JSON.stringify(content);
    signed = body;
  }
  const id = `evt_${delivery.event.id}`;
  const signature = delivery.target.secrets.map((secret) => new Webhook(secret).sign(id, now, signed)).join(' ');
  const headers: Record<string, string> = {
    'user-agent': USER_AGENT,
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signature,
    'webhook-event': delivery.target.event,
    'webhook-sequence': String(delivery.event.sequence),
  };
  if (body !== null) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return { url, method: delivery.target.method, headers, body };
}

@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly receivers: ReceiverPolicy,
  ) {}

  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** One attempt: never throws; the outcome says what happened. */
  async send(delivery: LeasedDelivery): Promise<AttemptRecord> {
    const startedAt = new Date();
    const started = performance.now();
    const finish = (part: Omit<AttemptRecord, 'startedAt' | 'durationMs'>): AttemptRecord => ({
      startedAt,
      durationMs: performance.now() - started,
      ...part,
    });
    const problem = this.receivers.problem(delivery.target.path);
    if (problem) {
      return finish({ outcome: 'refused', responseStatus: null, responseBody: null, error: `path ${problem}` });
    }
    const request = webhookRequest(delivery, startedAt);
    try {
      const { status, body } = await this.call(request);
      const responseBody = body.subarray(0, this.config.WEBHOOK_RESPONSE_BODY_BYTES).toString('utf8');
      const outcome = status >= 200 && status < 300 ? 'delivered' : 'failed';
      return finish({ outcome, responseStatus: status, responseBody, error: null });
    } catch (error) {
      const failure = error as NodeJS.ErrnoException;
      if (failure.code === 'EGRESS_REFUSED') {
        return finish({ outcome: 'refused', responseStatus: null, responseBody: null, error: failure.message });
      }
      if (failure.name === 'TimeoutError' || failure.code === 'ETIMEDOUT' || failure.name === 'AbortError') {
        return finish({
          outcome: 'timeout',
          responseStatus: null,
          responseBody: null,
          error: `no answer within ${this.config.WEBHOOK_TIMEOUT_MS} ms`,
        });
      }
      return finish({
        outcome: 'error',
        responseStatus: null,
        responseBody: null,
        error: failure.code ? `${failure.code}: ${failure.message}` : failure.message,
      });
    }
  }

  private call(request: WebhookRequest): Promise<{ status: number; body: Buffer }> {
    const secure = request.url.protocol === 'https:';
    const send = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        request.url,
        {
          method: request.method,
          headers: request.headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
          lookup: this.receivers.lookup as never,
          signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks) });
          incoming.on('data', (chunk: Buffer) => {
            if (size >= READ_LIMIT_BYTES) return;
            chunks.push(chunk);
            size += chunk.length;
            if (size >= READ_LIMIT_BYTES) {
              // Enough to log; the rest is not waited for, and the connection not reused.
              incoming.destroy();
              done();
            }
          });
          incoming.on('end', done);
          incoming.on('error', (error) => (size >= READ_LIMIT_BYTES ? done() : reject(error)));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body ?? undefined);
    });
  }
}

/** A value in a query string: text as it is, nothing for null, anything else (the event's data) as JSON. */
function queryValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
