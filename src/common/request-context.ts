import { AsyncLocalStorage } from 'node:async_hooks';

// The id of the HTTP request being served, reachable from every log line written while serving
// it without being passed through every call. Entered in a Fastify onRequest hook with `run`, so
// that it holds for the handler too. Nothing a request decides travels this way: what a write
// needs about its request is passed to it as an argument (see WriteRequest).

export interface RequestState {
  requestId: string;
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
};
