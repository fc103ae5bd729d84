import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { KEY_QUERY_PARAMETERS, baseParameterName } from './http/query-string.js';
import { RequestContext } from './request-context.js';

// One JSON object per line on stdout, written by pino. Every line written while a request is
// being served carries its `request_id` (pino's mixin reads the request context), whichever
// logger wrote it. Secrets are kept out by construction (requests are logged by the access log
// below, which never looks at headers, and with `hash` taken out of the query) and, as a second
// line of defence, by redacting the fields where they could appear.
//
// Written here rather than taken from nestjs-pino: its Nest 12 line (5.x) declares Node 22.12 or
// later, its 4.x line Nest 11 at most; this is the part of it the gateway needs.

/** Field names whose values never reach the log, wherever they appear (two levels deep). */
const SECRET_FIELDS = ['token', 'authorization', 'secret', 'hash', 'key', 'password', 'cookie'];

/** Nest's own start-up chatter (every module and route), written at debug rather than info. */
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

export function createPinoLogger(level: AppConfig['LOG_LEVEL'] | 'silent'): Logger {
  return pino({
    level,
    messageKey: 'message',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const requestId = RequestContext.current()?.requestId;
      return requestId ? { request_id: requestId } : {};
    },
    redact: {
      paths: SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
      censor: '[redacted]',
    },
  });
}

/** Nest's LoggerService on pino: `context` becomes a field, objects are merged into the line. */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const { context } = split(rest);
    this.write(context && QUIET_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }

  error(message: unknown, ...rest: unknown[]): void {
    const { context, extra } = split(rest);
    const stack = typeof extra[0] === 'string' ? extra[0] : message instanceof Error ? message.stack : undefined;
    this.write('error', message instanceof Error ? message.message : message, context, stack ? { stack } : {});
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, split(rest).context);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, split(rest).context);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, split(rest).context);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, split(rest).context);
  }

  private write(level: pino.Level, message: unknown, context: string | undefined, extra: object = {}): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields = { ...(context ? { context } : {}), ...extra };
    if (message !== null && typeof message === 'object') {
      const { msg, message: text, ...rest } = message as Record<string, unknown>;
      const line = typeof msg === 'string' ? msg : typeof text === 'string' ? text : '';
      this.pino[level]({ ...rest, ...fields }, line);
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

/** Nest passes the logger's context as the last argument, after any of the caller's own. */
function split(rest: unknown[]): { context: string | undefined; extra: unknown[] } {
  if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
    return { context: rest[rest.length - 1] as string, extra: rest.slice(0, -1) };
  }
  return { context: undefined, extra: rest };
}

/** Parameters whose values never reach the log, however their names are spelled. */
const SECRET_PARAMETERS: ReadonlySet<string> = new Set([...KEY_QUERY_PARAMETERS, 'hash', 'secret', 'password']);

/**
 * A URL for logs: the value of every secret parameter replaced, in the query (`&` or `;`
 * separated) and in the path's matrix parameters (`/5;hash=…`), recognised by the decoded name
 * without a bracket suffix (`h%61sh`, `hash[]`, `HASH`). A name that cannot be decoded counts as
 * secret.
 */
export function loggableUrl(url: string): string {
  const fragmentAt = url.indexOf('#');
  const withoutFragment = fragmentAt === -1 ? url : url.slice(0, fragmentAt);
  const queryAt = withoutFragment.indexOf('?');
  const path = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const loggablePath = path.replace(/;([^/;]*)/g, (_whole, pair: string) => `;${loggablePair(pair)}`);
  if (queryAt === -1) return loggablePath;
  const query = withoutFragment.slice(queryAt + 1);
  return `${loggablePath}?${query
    .split(/([&;])/)
    .map((part) => (part === '&' || part === ';' ? part : loggablePair(part)))
    .join('')}`;
}

function loggablePair(pair: string): string {
  const equalsAt = pair.indexOf('=');
  if (equalsAt === -1) return pair;
  const name = baseParameterName(pair.slice(0, equalsAt), true);
  return name === null || SECRET_PARAMETERS.has(name) ? `${pair.slice(0, equalsAt)}=[redacted]` : pair;
}
