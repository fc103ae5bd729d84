import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP hop between the adapter and the simulator that keeps every exchange, so tests can
// look at (and validate) the exact XML on the wire, and can act between a request and its
// forwarding (to make an order change under the adapter's feet).

export interface Exchange {
  operation: string;
  request: string;
  status: number;
  response: string;
}

export class RecordingProxy {
  readonly exchanges: Exchange[] = [];
  /** Runs before a request is forwarded; `operation` is the SOAPAction the client sent. */
  beforeForward: ((operation: string) => Promise<void> | void) | undefined;
  /** Rewrites an answer before the client gets it. */
  rewriteResponse: ((operation: string, body: string) => string) | undefined;
  private server: http.Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => void this.forward(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async forward(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const operation = String(request.headers.soapaction ?? '').replaceAll('"', '');
    await this.beforeForward?.(operation);
    const target = new URL(request.url ?? '/', this.target);
    let answer: Response;
    try {
      answer = await fetch(target, {
        method: request.method,
        headers: { 'content-type': String(request.headers['content-type'] ?? 'text/xml'), soapaction: operation },
        body: request.method === 'POST' ? body : undefined,
      });
    } catch {
      // The simulator dropped the connection: so does the proxy, as a network hop would.
      this.exchanges.push({ operation, request: body, status: 0, response: '' });
      request.socket.destroy();
      return;
    }
    let text = await answer.text();
    if (this.rewriteResponse) text = this.rewriteResponse(operation, text);
    this.exchanges.push({ operation, request: body, status: answer.status, response: text });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
    response.end(text);
  }
}
