import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import type { MplusConnection } from './mplus/soap/mplus-soap.client.js';
import { projectPath } from './common/project-path.js';
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
  databaseUrl: string,
  backOffice: MplusConnection,
  logger: LoggerService | false = false,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestId,
    logger: false,
    // A request whose body has not arrived after this long is cut off (408).
    requestTimeout: 30_000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, databaseUrl, backOffice }),
    adapter,
    // Body parsing is configured below, not by Nest.
    { logger, abortOnError: false, bodyParser: false },
  );
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
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
    // Fastify's own parser: it answers through `done`, and refuses __proto__ and constructor keys.
    void parseJson(request, text, done);
  });

  setupSwaggerUi(app, await buildOpenApiDocument(app, packageVersion()));
  await app.init();
  return app;
}
