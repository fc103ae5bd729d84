import { AsyncLocalStorage } from 'node:async_hooks';

// What belongs to the HTTP request being served, reachable from anywhere below it without being
// passed through every call: its id (for every log line), and the few things a write must know
// or tell about the request as a whole (the idempotency claim, the order version for the ETag).
// Entered in a Fastify onRequest hook with `run`, so that it holds for the handler too.

export interface IdempotencyClaim {
  apiKeyId: number;
  key: string;
  /** Who holds the claim: `<process instance>/<request id>` (see ProcessPresence). */
  owner: string;
  /** A repeat of a request whose write committed: what that write answered, instead of writing again. */
  replay?: { result: unknown; orderVersion: number | null };
  /** Set once the request's write transaction has recorded its result with the claim. */
  committed?: boolean;
}

export interface RequestState {
  requestId: string;
  /** The If-Match header of a write, checked against the order's version under its lock. */
  ifMatch?: string;
  idempotency?: IdempotencyClaim;
  /** The version of the order this request read or wrote, answered as its ETag. */
  orderVersion?: number;
}

const storage = new AsyncLocalStorage<RequestState>();

export const RequestContext = {
  run<T>(state: RequestState, work: () => T): T {
    return storage.run(state, work);
  },

  /** The request being served, or undefined outside one (workers, start-up). */
  current(): RequestState | undefined {
    return storage.getStore();
  },

  /** The version of the order the request read or left, for its ETag; nothing outside a request. */
  setOrderVersion(version: number): void {
    const state = storage.getStore();
    if (state) state.orderVersion = version;
  },
};
