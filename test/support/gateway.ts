import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.factory.js';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import type { Right } from '../../src/auth/rights.js';
import { loadConfig } from '../../src/config/app-config.js';
import { MplusSimulator } from '../../src/mplus/simulator/simulator-server.js';
import { assertDocumented } from './documented-answers.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

// The whole gateway over HTTP on a database of its own: what the API tests talk to.

export interface TestGateway {
  app: NestFastifyApplication;
  database: TestDatabase;
  /** The gateway's MplusKASSA: a simulator on a loopback port, reached over HTTP. */
  simulator: MplusSimulator;
  /** An API key with every right. */
  adminKey: string;
  keyWith(...rights: Right[]): Promise<string>;
  /**
   * supertest bound to the gateway, with the admin key unless another is given. Every answer is
   * checked against the OpenAPI document (documented-answers.ts) before the test's own checks.
   */
  get(path: string, key?: string): request.Test;
  post(path: string, body?: object, key?: string): request.Test;
  put(path: string, body?: object, key?: string): request.Test;
  patch(path: string, body?: object, key?: string): request.Test;
  delete(path: string, key?: string): request.Test;
  close(): Promise<void>;
}

/**
 * The gateway on a database of its own, forwarding to a simulator of its own. The sync workers
 * run only when `env` asks for them (SYNC_WORKER=true); most tests only look at the API.
 */
export async function startGateway(
  env: NodeJS.ProcessEnv = {},
  shared: { database?: TestDatabase; simulator?: MplusSimulator } = {},
): Promise<TestGateway> {
  const database = shared.database ?? (await createTestDatabase());
  const simulator = shared.simulator ?? new MplusSimulator({ ident: 'gateway', secret: 'simulator' });
  const url = shared.simulator ? simulator.url : await simulator.start();
  // No rate limits unless a test asks for one: the tests send requests (and unknown keys) faster
  // than clients would. MPLUS_URL as a deployment on its own MplusKASSA has it (the simulator
  // is reached over HTTP, not run inside as on the embedded default), with refunds of deposits
  // paid back by bank transfer, as such a web shop would set it.
  const config = loadConfig({
    SYNC_WORKER: 'false',
    RATE_LIMIT_REQUESTS: '0',
    AUTH_FAILURE_LIMIT: '0',
    MPLUS_URL: url,
    MPLUS_REFUND_PAYMENT_METHOD: 'BANK',
    ...env,
  });
  const app = await createApp(
    config,
    { url: database.url, embedded: false },
    {
      url,
      ident: config.MPLUS_IDENT,
      secret: config.MPLUS_SECRET,
      connectTimeoutMs: config.MPLUS_CONNECT_TIMEOUT_MS,
      readTimeoutMs: config.MPLUS_READ_TIMEOUT_MS,
    },
  );
  await app.getHttpAdapter().getInstance().ready();
  const apiKeys = app.get(ApiKeysService);
  const adminKey = (await apiKeys.create(shared.database ? 'test admin 2' : 'test admin', ['admin'])).key;
  const server = app.getHttpServer();
  const documented = documentedAgent(server);
  const withKey = (test: request.Test, key: string) => test.set('token', key);
  const withBody = (test: request.Test, body: object | undefined) => (body === undefined ? test : test.send(body));
  return {
    app,
    database,
    simulator,
    adminKey,
    keyWith: async (...rights) => (await apiKeys.create(`test ${rights.join('+')}`, rights)).key,
    get: (path, key = adminKey) => withKey(documented.get(path), key),
    post: (path, body, key = adminKey) => withBody(withKey(documented.post(path), key), body),
    put: (path, body, key = adminKey) => withBody(withKey(documented.put(path), key), body),
    patch: (path, body, key = adminKey) => withBody(withKey(documented.patch(path), key), body),
    delete: (path, key = adminKey) => withKey(documented.delete(path), key),
    close: async () => {
      await app.close();
      // What was shared belongs to the gateway that made it.
      if (!shared.simulator) await simulator.stop();
      if (!shared.database) await database.drop();
    },
  };
}

/**
 * supertest on `server` with every answer checked against the OpenAPI document
 * (documented-answers.ts) before the test's own checks; no key is set.
 */
export function documentedAgent(server: Parameters<typeof request>[0]) {
  const documented = (method: 'get' | 'post' | 'put' | 'patch' | 'delete') => (path: string) => {
    const test = request(server)[method](path);
    return test.expect((response) => assertDocumented(method, path, { ...response, text: response.text ?? '' }));
  };
  return {
    get: documented('get'),
    post: documented('post'),
    put: documented('put'),
    patch: documented('patch'),
    delete: documented('delete'),
  };
}
