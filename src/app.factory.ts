import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { AuthenticatedRequest } from './auth/auth.decorators.js';
import { DomainError } from './common/errors/domain-error.js';
import { ErrorCode } from './common/errors/error-codes.js';
import { answerClientError, answerFrameworkError } from './common/errors/client-errors.js';
import { sendProblem } from './common/errors/problem.js';
import { MAX_JSON_DEPTH, jsonNestedDeeperThan } from './common/http/json-depth.js';
import { parseQueryString } from './common/http/query-string.js';
import { type PinoLoggerService, loggableUrl } from './common/logging.js';
import { projectPath } from './common/project-path.js';
import { RequestContext } from './common/request-context.js';
import { ShutdownState } from './common/shutdown-state.js';
import type { AppConfig } from './config/app-config.js';
import type { DatabaseConnectionInput } from './database/database-connection.js';
import { ApiLoad } from './metrics/api-load.js';
import { Metrics } from './metrics/metrics.js';
import type { MplusConnection } from './mplus/soap/mplus-soap.client.js';
import { buildOpenApiDocument, setupSwaggerUi } from './openapi.js';

// Builds the gateway's HTTP application: used by main.ts, by the tests (which start it on their
// own database) and by the OpenAPI writer, so all three run the same configuration.

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's X-Request-Id when it is a sane token, otherwise a new UUID. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
}

export async function createApp(
  config: AppConfig,
  database: DatabaseConnectionInput,
  backOffice: MplusConnection,
  logger?: PinoLoggerService,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestId,
    routerOptions: { querystringParser: parseQueryString },
    logger: false,
    // What Node's parser and Fastify's router refuse, in the problem shape (see client-errors.ts).
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    // Slow clients: the whole request (headers and body) must arrive within the timeout, checked
    // every second rather than Node's default 30 s, and idle keep-alive connections are closed.
    serverFactory: (handler: http.RequestListener) =>
      http.createServer(
        {
          requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
          headersTimeout: Math.min(config.HTTP_REQUEST_TIMEOUT_MS, 60_000),
          keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
          connectionsCheckingInterval: 1000,
        },
        handler,
      ),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, database, backOffice }),
    adapter,
    // Body parsing is configured below, not by Nest.
    { logger: logger ?? false, abortOnError: false, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  const shutdown = app.get(ShutdownState);
  const durations = app.get(Metrics).httpRequests;
  const load = app.get(ApiLoad);

  // Everything below the hook runs in the request's context (its id in every log line).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (shutdown.draining) {
      void reply.header('connection', 'close');
      sendProblem(
        new DomainError(
          ErrorCode.SHUTTING_DOWN,
          'This gateway is shutting down; send the request again.',
          {},
          {
            'retry-after': '1',
          },
        ),
        request,
        reply,
      );
      return;
    }
    RequestContext.run({ requestId: request.id }, done);
  });

  // One line and one observation per answered request. Never headers, never the order hash.
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    durations.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    load.served();
    if (config.LOG_REQUESTS && logger) {
      logger.pino.info(
        {
          request_id: request.id,
          method: request.method,
          url: loggableUrl(request.url),
          route,
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 10) / 10,
          api_key_id: (request as AuthenticatedRequest).caller?.apiKeyId ?? null,
        },
        'request',
      );
    }
    done();
  });

  // JSON only: text/plain bodies are refused with 415. An empty JSON body counts as none, since
  // some clients send Content-Type: application/json on the body-less PATCH routes.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        new DomainError(ErrorCode.MALFORMED_BODY, `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`),
        undefined,
      );
      return;
    }
    // Fastify's own parser: it answers through `done`, and refuses __proto__ and constructor keys.
    void parseJson(request, text, done);
  });

  setupSwaggerUi(app, await buildOpenApiDocument(app, packageVersion()));
  await app.init();
  return app;
}
