import http from 'node:http';
import https from 'node:https';
import type { Outcome } from '../../back-office/back-office.port.js';
import type { OperationName } from './mplus-codec.js';
import { MplusCodecError } from './mplus-codec.js';
import { EnvelopeError, bodyElement, readFault, readResponse, requestEnvelope } from './envelope.js';
import { XmlRefusedError } from './xml.js';

// One SOAP call to MplusKASSA: POST to the administration's URL with ident and secret as query
// parameters, and the answer turned into an outcome the caller can act on:
//   accepted  - the server answered the operation (its business result is inside);
//   rejected  - it will not work by retrying: a Client fault, bad credentials, a 4xx;
//   retryable - connection errors, timeouts, HTTP 5xx and Server faults. `ambiguous` says the
//               request had been sent in full, so a write may have taken effect.

export interface MplusConnection {
  url: string;
  ident: string;
  secret: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

interface RawResponse {
  status: number;
  body: string;
}

class TransportError extends Error {
  constructor(
    message: string,
    readonly ambiguous: boolean,
  ) {
    super(message);
  }
}

/** Told of every call when it ends: for the metrics. */
export type CallObserver = (operation: OperationName, seconds: number, outcome: Outcome<unknown>['kind']) => void;

export class MplusSoapClient {
  private readonly endpoint: URL;
  private readonly agent: http.Agent;

  constructor(
    private readonly connection: MplusConnection,
    private readonly observe: CallObserver = () => undefined,
  ) {
    this.endpoint = new URL(connection.url);
    this.endpoint.searchParams.set('ident', connection.ident);
    this.endpoint.searchParams.set('secret', connection.secret);
    const options = { keepAlive: true, maxSockets: 16 };
    this.agent = this.endpoint.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  }

  /** Where the calls go, without the credentials: safe to log. */
  get target(): string {
    return `${this.endpoint.origin}${this.endpoint.pathname}`;
  }

  async call<T extends Record<string, unknown>>(
    operation: OperationName,
    body: Record<string, unknown>,
    requestId?: string,
  ): Promise<Outcome<T>> {
    const started = performance.now();
    const outcome = await this.exchange<T>(operation, body, requestId);
    this.observe(operation, (performance.now() - started) / 1000, outcome.kind);
    return outcome;
  }

  private async exchange<T>(
    operation: OperationName,
    body: Record<string, unknown>,
    requestId?: string,
  ): Promise<Outcome<T>> {
    let response: RawResponse;
    try {
      response = await this.post(operation, requestEnvelope(operation, body), requestId);
    } catch (error) {
      if (error instanceof TransportError) {
        return { kind: 'retryable', reason: `${operation}: ${error.message}`, ambiguous: error.ambiguous };
      }
      throw error;
    }
    return classify<T>(operation, response);
  }

  close(): void {
    this.agent.destroy();
  }

  private post(operation: OperationName, envelope: string, requestId?: string): Promise<RawResponse> {
    const transport = this.endpoint.protocol === 'https:' ? https : http;
    const payload = Buffer.from(envelope, 'utf8');
    return new Promise<RawResponse>((resolve, reject) => {
      let sent = false;
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        request.destroy();
        reject(new TransportError(message, sent));
      };
      const request = transport.request(this.endpoint, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          'Content-Length': payload.length,
          SOAPAction: operation,
          'User-Agent': 'orders-gateway',
          ...(requestId ? { 'X-Request-Id': requestId } : {}),
        },
      });
      request.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => fail(`no connection within ${this.connection.connectTimeoutMs} ms`),
          this.connection.connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      request.setTimeout(this.connection.readTimeoutMs, () =>
        fail(`no answer within ${this.connection.readTimeoutMs} ms`),
      );
      request.on('finish', () => {
        sent = true;
      });
      request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) fail(`answer larger than ${MAX_RESPONSE_BYTES} bytes`);
          else chunks.push(chunk);
        });
        response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
        response.on('aborted', () => fail('the answer was cut off'));
        response.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(payload);
    });
  }
}

function classify<T>(operation: OperationName, response: RawResponse): Outcome<T> {
  const { status } = response;
  if (status === 401 || status === 403) {
    return {
      kind: 'rejected',
      code: `HTTP-${status}`,
      message: `${operation}: MplusKASSA refused the ident or secret`,
    };
  }
  let element;
  try {
    element = bodyElement(response.body);
  } catch (error) {
    if (status >= 500) return { kind: 'retryable', reason: `${operation}: HTTP ${status}`, ambiguous: true };
    if (error instanceof XmlRefusedError || error instanceof EnvelopeError) {
      // A well-behaved server never sends this; it may be a proxy's error page.
      return status === 200
        ? { kind: 'retryable', reason: `${operation}: unreadable answer (${error.message})`, ambiguous: true }
        : { kind: 'rejected', code: `HTTP-${status}`, message: `${operation}: HTTP ${status}` };
    }
    throw error;
  }
  const fault = readFault(element);
  if (fault) {
    // Client… faults say the request is wrong; Server… ones that the server had trouble.
    if (fault.code.startsWith('Client')) {
      return { kind: 'rejected', code: `FAULT-${fault.code}`, message: `${operation}: ${fault.message}` };
    }
    return { kind: 'retryable', reason: `${operation}: ${fault.code} fault: ${fault.message}`, ambiguous: true };
  }
  if (status >= 500) return { kind: 'retryable', reason: `${operation}: HTTP ${status}`, ambiguous: true };
  if (status !== 200) return { kind: 'rejected', code: `HTTP-${status}`, message: `${operation}: HTTP ${status}` };
  try {
    return { kind: 'accepted', value: readResponse(operation, element) as T };
  } catch (error) {
    if (error instanceof EnvelopeError || error instanceof MplusCodecError) {
      return { kind: 'rejected', code: 'UNEXPECTED-ANSWER', message: `${operation}: ${error.message}` };
    }
    throw error;
  }
}
