import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from './domain-error.js';
import { ErrorCode, errorKind } from './error-codes.js';
import { PROBLEM_CONTENT_TYPE, problemBody, sendProblem } from './problem.js';

// Requests refused before the application sees them, answered in the same problem shape as
// everything else (code, request_id), instead of Node's and Fastify's own bodies:
//
//   by Fastify's router (frameworkErrors): a path that cannot be decoded (`/System/Orders/%ff`, a lone `%`),
//   400 MALFORMED_URL; a path segment longer than the router takes, 414 URL_TOO_LONG;
//
//   by Node's HTTP parser, before there is a request at all (clientErrorHandler): headers and
//   request line together past Node's 16 KB (a huge header or query string), 431
//   HEADERS_TOO_LARGE; a request whose headers or body did not arrive within
//   HTTP_REQUEST_TIMEOUT_MS, 408 REQUEST_TIMEOUT; anything else that is not HTTP/1.1 (a bad
//   Content-Length, both Content-Length and Transfer-Encoding, a control character in a header),
//   400 MALFORMED_REQUEST. These are written to the socket by hand, as Node itself does, and the
//   connection is closed: after a parse error nothing more can be read from it.
//
// What cannot be answered: a connection the client reset or already closed, and one whose
// previous answer is still being written (a pipelined request after it is malformed), where a
// second answer would corrupt the first; those connections are only closed.

const logger = new Logger('ClientError');

/** Fastify's frameworkErrors: the router's refusals, with the request Fastify made for them. */
export function answerFrameworkError(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply.header('x-request-id', request.id);
  sendProblem(routerProblem(error.code) ?? error, request, reply);
}

/** The problem of a refusal of Fastify's router, null for an error it does not name. */
function routerProblem(code: string | undefined): DomainError | null {
  switch (code ?? '') {
    case 'FST_ERR_BAD_URL':
      return new DomainError(
        ErrorCode.MALFORMED_URL,
        'The URL path has a percent-escape that does not decode to UTF-8 (such as %ff, or a lone %).',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new DomainError(ErrorCode.URL_TOO_LONG, 'A segment of the URL path is longer than 100 characters.');
    default:
      return null;
  }
}

interface ParserError extends Error {
  code?: string;
  reason?: string;
}

/** The problem a parser error is answered with. */
function clientProblem(error: ParserError): DomainError {
  switch (error.code ?? '') {
    case 'HPE_HEADER_OVERFLOW':
      return new DomainError(
        ErrorCode.HEADERS_TOO_LARGE,
        'The request line and headers together are larger than 16 KB (a header or the query string too long).',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new DomainError(ErrorCode.REQUEST_TIMEOUT, 'The request did not arrive in time.');
    default:
      return new DomainError(
        ErrorCode.MALFORMED_REQUEST,
        `The request is not valid HTTP/1.1${error.reason ? `: ${error.reason}` : ''}.`,
      );
  }
}

/** Fastify's clientErrorHandler: Node's 'clientError', a request its parser refused. */
export function answerClientError(error: ParserError, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response is under way on this connection (keep-alive): another one cannot be written.
  const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const requestId = randomUUID();
    const problem = clientProblem(error);
    const { status } = errorKind(problem.code);
    const body = JSON.stringify(problemBody(problem, requestId));
    logger.debug({ msg: 'client error', request_id: requestId, code: error.code, status });
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}
