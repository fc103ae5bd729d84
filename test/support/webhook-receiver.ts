import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// A partner app's webhook receiver, over real HTTP on loopback: it keeps every call and answers
// as the test says (a status, slowly, or by closing the connection).

export interface ReceivedCall {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** What the receiver answered; none when it closed the connection or never answered. */
  status?: number;
}

export type ReceiverBehaviour =
  { kind: 'answer'; status: number; body?: string; delayMs?: number } | { kind: 'close' } | { kind: 'hang' };

export class WebhookReceiver {
  readonly calls: ReceivedCall[] = [];
  behaviour: ReceiverBehaviour = { kind: 'answer', status: 200 };
  private readonly server = http.createServer((request, response) => this.handle(request, response));
  private readonly sockets = new Set<Socket>();

  async start(port = 0): Promise<string> {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The calls that were answered 2xx (what the receiver took). */
  get taken(): ReceivedCall[] {
    return this.calls.filter((call) => call.status !== undefined && call.status >= 200 && call.status < 300);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const behaviour = this.behaviour;
      const call: ReceivedCall = {
        method: request.method ?? '',
        url: new URL(request.url ?? '/', this.url),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      this.calls.push(call);
      if (behaviour.kind === 'close') {
        request.socket.destroy();
        return;
      }
      if (behaviour.kind === 'hang') return;
      const answer = () => {
        call.status = behaviour.status;
        response.writeHead(behaviour.status, { 'content-type': 'text/plain' });
        response.end(behaviour.body ?? (behaviour.status < 300 ? 'ok' : 'receiver trouble'));
      };
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  }
}

/**
 * Verifies a Standard Webhooks signature by the spec, written here from it rather than with the
 * library the gateway signs with: HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<content>"
 * with the secret's base64 bytes (after "whsec_"), compared with each "v1,<base64>" in the header.
 */
export function verifySignature(secret: string, headers: http.IncomingHttpHeaders, content: string): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${content}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((one) => {
      const [version, signature] = one.split(',');
      if (version !== 'v1' || !signature) return false;
      const given = Buffer.from(signature, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** What a call's signature covers: the body of a POST, the query string of a GET. */
export function signedContent(call: ReceivedCall): string {
  return call.method === 'GET' ? call.url.search.replace(/^\?/, '') : call.body;
}
