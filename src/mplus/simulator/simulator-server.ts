import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { MplusCodecError, isOperationName, type OperationName } from '../soap/mplus-codec.js';
import {
  EnvelopeError,
  bodyElement,
  faultEnvelope,
  readFault,
  readRequest,
  responseEnvelope,
} from '../soap/envelope.js';
import { MPLUS_NS, XmlRefusedError } from '../soap/xml.js';
import { SimulatorJournal } from './simulator-journal.js';
import { SimulatorRequestError, SimulatorStore } from './simulator-store.js';

// MplusKASSA's SOAP endpoint, simulated: the protocol of the reference (section 6) over real
// HTTP, with faults that tests switch on at run time.
//
//   POST /?ident=…&secret=…   SOAP 1.1; dispatches on the Body's first element
//   GET  /                    405, which is how the official client checks the API is up
//   GET  /?wsdl               the official WSDL, with this endpoint as its address, when the
//                             simulator has the file (it is not part of the project)
//   /_simulator/…             JSON control, not part of MplusKASSA (see `control` below)
//
// Bad credentials answer HTTP 500 with a Client.Authentication fault; the real server's answer
// is not documented [U]. Malformed XML, an unknown operation or a missing required element is a
// Client fault (HTTP 500), business failures are result codes with HTTP 200.

export type FaultMode =
  /** HTTP 500 with a plain text body. */
  | 'http500'
  /** HTTP 503 with a plain text body. */
  | 'http503'
  /** HTTP 500 with a Server fault (retryable). */
  | 'server-fault'
  /** HTTP 500 with a Client fault (permanent). */
  | 'client-fault'
  /** The connection is closed without an answer, before anything happens. */
  | 'drop'
  /** The operation takes effect, then the connection is closed without an answer. */
  | 'commit-then-drop';

export interface FaultRule {
  mode: FaultMode;
  /** Only these operations; all when absent. */
  operations?: OperationName[];
  /** How many requests it applies to; until cleared when absent. */
  times?: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  ident: string;
  secret: string;
  /** Keep the state in this file across restarts (the embedded default); memory only when absent. */
  stateFile?: string;
  /** MplusKASSA's WSDL, served at ?wsdl; see wsdlFileOf. */
  wsdlFile?: string | null;
}

/**
 * The WSDL file a simulator serves: the one configured (MPLUS_SIM_WSDL_FILE), else the official
 * one beside the project (../shared/mplus/mplusqapi.wsdl) when it is there, else none.
 */
export function wsdlFileOf(configured: string): string | null {
  if (configured) return configured;
  const beside = path.resolve('..', 'shared', 'mplus', 'mplusqapi.wsdl');
  return existsSync(beside) ? beside : null;
}

const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export class MplusSimulator {
  readonly store: SimulatorStore;
  private server: http.Server | undefined;
  private rules: FaultRule[] = [];
  private latencyMs = 0;
  /** Every SOAP call answered or attempted, newest last: what tests look at. */
  readonly calls: Array<{ operation: string; at: number }> = [];

  private readonly journal: SimulatorJournal | undefined;

  constructor(private readonly options: SimulatorOptions) {
    this.store = new SimulatorStore();
    this.journal = options.stateFile ? new SimulatorJournal(options.stateFile) : undefined;
    this.journal?.loadInto(this.store);
  }

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => void this.route(request, response));
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the simulator is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.journal?.close();
  }

  setFaults(rules: FaultRule[], latencyMs = 0): void {
    this.rules = rules.map((rule) => ({ ...rule }));
    this.latencyMs = latencyMs;
  }

  reset(): void {
    this.store.reset();
    this.rules = [];
    this.latencyMs = 0;
    this.calls.length = 0;
    this.journal?.snapshot(this.store);
  }

  /** The WSDL, its service address this endpoint's, as MplusKASSA serves its own. */
  private wsdl(response: http.ServerResponse): void {
    const file = this.options.wsdlFile;
    if (!file || !existsSync(file)) {
      send(response, 404, 'text/plain', 'This simulator has no WSDL file to serve: set MPLUS_SIM_WSDL_FILE.');
      return;
    }
    const wsdl = readFileSync(file, 'utf8').replace(
      /(<(?:\w+:)?address\s+location=")[^"]*(")/g,
      (_match, start: string, end: string) => `${start}${this.url}${end}`,
    );
    send(response, 200, 'text/xml; charset=utf-8', wsdl);
  }

  private async route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    try {
      if (url.pathname.startsWith('/_simulator/')) {
        await this.control(request, response, url);
      } else if (url.pathname !== '/') {
        send(response, 404, 'text/plain', 'Not found');
      } else if (request.method === 'POST') {
        await this.soap(request, response, url);
      } else if (request.method === 'GET' && [...url.searchParams.keys()].some((key) => key.toLowerCase() === 'wsdl')) {
        this.wsdl(response);
      } else {
        response.setHeader('Allow', 'POST');
        send(response, 405, 'text/plain', 'Method Not Allowed');
      }
    } catch (error) {
      if (!response.headersSent && !response.destroyed) {
        send(
          response,
          500,
          'text/xml; charset=utf-8',
          faultEnvelope({ code: 'Server', message: (error as Error).message }),
        );
      }
    }
  }

  private async soap(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> {
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === null) return send(response, 413, 'text/plain', 'Request too large');
    const fault = (code: string, message: string) =>
      send(response, 500, 'text/xml; charset=utf-8', faultEnvelope({ code, message }));

    if (
      url.searchParams.get('ident') !== this.options.ident ||
      url.searchParams.get('secret') !== this.options.secret
    ) {
      return fault('Client.Authentication', 'Invalid ident or secret.');
    }
    let element;
    try {
      element = bodyElement(body);
    } catch (error) {
      if (error instanceof XmlRefusedError || error instanceof EnvelopeError) return fault('Client', error.message);
      throw error;
    }
    if (readFault(element)) return fault('Client', 'A fault is not a request.');
    if (element.uri !== MPLUS_NS || !isOperationName(element.local)) {
      return fault('Client', `Unknown operation {${element.uri}}${element.local}.`);
    }
    const operation = element.local;
    this.calls.push({ operation, at: Date.now() });

    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const rule = this.takeRule(operation);
    switch (rule?.mode) {
      case 'drop':
        request.socket.destroy();
        return;
      case 'http500':
        return send(response, 500, 'text/plain', 'Internal Server Error');
      case 'http503':
        return send(response, 503, 'text/plain', 'Service Unavailable');
      case 'server-fault':
        return fault('Server', 'The server could not complete the request (simulated).');
      case 'client-fault':
        return fault('Client', 'The request was refused (simulated).');
      case 'commit-then-drop': // answered below, once the operation has taken effect
      case undefined:
        break;
    }

    let answer: Record<string, unknown>;
    try {
      answer = this.store.handle(operation, readRequest(operation, element));
    } catch (error) {
      if (error instanceof SimulatorRequestError || error instanceof MplusCodecError) {
        return fault('Client', error.message);
      }
      throw error;
    }
    this.save();
    if (rule?.mode === 'commit-then-drop') {
      request.socket.destroy();
      return;
    }
    send(response, 200, 'text/xml; charset=utf-8', responseEnvelope(operation, answer));
  }

  private takeRule(operation: OperationName): FaultRule | undefined {
    const index = this.rules.findIndex((rule) => !rule.operations || rule.operations.includes(operation));
    if (index < 0) return undefined;
    const rule = this.rules[index]!;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.rules.splice(index, 1);
    }
    return rule;
  }

  /**
   * The control API, for tests and demos (JSON in, JSON out):
   *   GET    /_simulator/state                 orders, relations, calls, journal (order writes taken)
   *   GET    /_simulator/orders/{id}           one order
   *   POST   /_simulator/reset                 the seeded state again, no faults
   *   PUT    /_simulator/faults                {rules: FaultRule[], latency_ms?}
   *   DELETE /_simulator/faults
   *   POST   /_simulator/pos-orders            an order rung up at the till: {lines, relation_number?, paid?, delivered?}
   *   POST   /_simulator/orders/{id}/cancel    changes made at the till
   *   POST   /_simulator/orders/{id}/deliver
   *   POST   /_simulator/orders/{id}/pay       {amount?, method?}
   *   PUT    /_simulator/articles/{number}     an article added or changed in the catalogue:
   *                                            {description?, active?, vat_code?, price_incl? (cents), product_number?}
   */
  private async control(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> {
    const json = (status: number, value: unknown) => send(response, status, 'application/json', JSON.stringify(value));
    const path = url.pathname.replace(/^\/_simulator/, '');
    const input = request.method === 'GET' || request.method === 'DELETE' ? {} : await readJson(request);
    const orderAction = /^\/orders\/([0-9a-f]+)(?:\/(cancel|deliver|pay))?$/.exec(path);

    if (request.method === 'GET' && path === '/state') {
      return json(200, {
        orders: this.store.allOrders(),
        relations: this.store.allRelations(),
        calls: this.calls,
        journal: this.store.journal,
      });
    }
    if (request.method === 'POST' && path === '/reset') {
      this.reset();
      return json(200, { ok: true });
    }
    if (path === '/faults' && request.method === 'PUT') {
      const { rules, latency_ms: latency } = input as { rules?: FaultRule[]; latency_ms?: number };
      this.setFaults(rules ?? [], latency ?? 0);
      return json(200, { ok: true });
    }
    if (path === '/faults' && request.method === 'DELETE') {
      this.setFaults([]);
      return json(200, { ok: true });
    }
    if (request.method === 'POST' && path === '/pos-orders') {
      const body = input as {
        lines: Array<{ article_number: number; quantity: number; decimal_places?: number; price?: number }>;
        relation_number?: number;
        paid?: boolean;
        delivered?: boolean;
      };
      try {
        const order = this.store.createPosOrder({
          lines: body.lines.map((line) => ({
            articleNumber: line.article_number,
            quantity: line.quantity,
            decimalPlaces: line.decimal_places,
            price: line.price,
          })),
          relationNumber: body.relation_number,
          paid: body.paid,
          delivered: body.delivered,
        });
        this.save();
        return json(201, order);
      } catch (error) {
        return json(400, { message: (error as Error).message });
      }
    }
    const articleRoute = /^\/articles\/(\d{1,15})$/.exec(path);
    if (articleRoute && request.method === 'PUT') {
      const body = input as {
        description?: string;
        active?: boolean;
        vat_code?: number;
        price_incl?: number;
        product_number?: number;
      };
      const article = this.store.putArticle(Number(articleRoute[1]), {
        description: body.description,
        active: body.active,
        vatCode: body.vat_code,
        priceIncl: body.price_incl,
        productNumber: body.product_number,
      });
      this.save();
      return json(200, article);
    }
    if (orderAction) {
      const [, orderId, action] = orderAction;
      if (!action && request.method === 'GET') {
        const order = this.store.order(orderId!);
        return order ? json(200, order) : json(404, { message: 'no such order' });
      }
      if (action && request.method === 'POST') {
        const { amount, method } = input as { amount?: number; method?: string };
        const result =
          action === 'pay'
            ? this.store.payAtTill(orderId!, method, amount)
            : this.store.handle(
                action === 'cancel' ? 'cancelOrder' : 'deliverOrder',
                action === 'cancel' ? { orderId } : { request: { orderId } },
              );
        this.save();
        return json(200, result);
      }
    }
    json(404, { message: `no control route ${request.method} ${url.pathname}` });
  }

  /** What the last operation changed, kept on disk (see SimulatorJournal). */
  private save(): void {
    this.journal?.record(this.store);
  }
}

function send(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function readBody(request: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const text = await readBody(request, MAX_REQUEST_BYTES);
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
