import { isISO4217CurrencyCode } from 'class-validator';

// Every environment variable the gateway reads, in one table: its default (suited to the
// embedded store, so that `npm start` needs no setup), what it does, and how it is checked.
// `.env.example` and the README's configuration table are tested against this table.

type Parser<T> = (raw: string) => T;

interface Variable<T> {
  description: string;
  /** The raw default; `undefined` means "unset unless given". */
  default: string | undefined;
  parse: Parser<T>;
  /** Secrets are never logged. */
  sensitive?: boolean;
}

const integer =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max}, got ${value}`);
    return value;
  };

const boolean: Parser<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new Error(`must be true or false, got "${raw}"`);
};

const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw) => {
    if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };

const text: Parser<string> = (raw) => raw;

/** true, false, or empty for "as the setting's description says". */
const optionalBoolean: Parser<boolean | undefined> = (raw) => (raw.trim() === '' ? undefined : boolean(raw));

const postgresUrl: Parser<string> = (raw) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a postgres:// or postgresql:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error('must be a postgres:// or postgresql:// URL');
  }
  return raw;
};

const timeZone: Parser<string> = (raw) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: raw });
  } catch {
    throw new Error(`must be an IANA time zone such as Europe/Amsterdam, got "${raw}"`);
  }
  return raw;
};

const installationId: Parser<string> = (raw) => {
  if (raw !== '' && !/^[a-z0-9]{1,16}$/.test(raw)) throw new Error('must be 1 to 16 lower-case letters and digits');
  return raw;
};

const currency: Parser<string> = (raw) => {
  if (!isISO4217CurrencyCode(raw)) throw new Error(`must be an ISO 4217 currency code, got "${raw}"`);
  return raw;
};

const urlTemplate: Parser<string> = (raw) => {
  if (raw !== '' && !/^https?:\/\//.test(raw)) throw new Error('must be empty or an http(s) URL');
  return raw;
};

const optionalInteger =
  (min: number, max: number): Parser<number | null> =>
  (raw) =>
    raw.trim() === '' ? null : integer(min, max)(raw);

/** A URL of one of `protocols`, as written. */
const urlOf =
  (protocols: string[], what: string): Parser<string> =>
  (raw) => {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || !protocols.includes(url.protocol)) throw new Error(`must be ${what}`);
    return raw;
  };

const httpUrl = urlOf(['http:', 'https:'], 'an http(s) URL');

/** `2=PIN,3=IDEAL`: gateway ids to MplusKASSA codes. */
const idMap: Parser<ReadonlyMap<number, string>> = (raw) => {
  const map = new Map<number, string>();
  for (const pair of raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^(\d+)\s*=\s*(\S+)$/.exec(pair);
    if (!match) throw new Error(`must be pairs like 2=PIN,3=IDEAL, got "${pair}"`);
    map.set(Number(match[1]), match[2]!);
  }
  return map;
};

const dayMap: Parser<ReadonlyMap<number, number>> = (raw) => {
  const map = new Map<number, number>();
  for (const [id, days] of idMap(raw)) {
    if (!/^\d{1,4}$/.test(days)) throw new Error(`must be pairs like 5=14,6=30 (days 0 to 9999), got "${id}=${days}"`);
    map.set(id, Number(days));
  }
  return map;
};

const locale: Parser<string> = (raw) => {
  try {
    new Intl.NumberFormat(raw);
  } catch {
    throw new Error(`must be a BCP 47 locale such as en-US or cs-CZ, got "${raw}"`);
  }
  return raw;
};

const redisUrl = urlOf(['redis:', 'rediss:'], 'a redis:// or rediss:// URL');

export const CONFIG_VARIABLES = {
  HOST: { description: 'Interface the HTTP server listens on.', default: '127.0.0.1', parse: text },
  PORT: { description: 'HTTP port.', default: '3000', parse: integer(0, 65535) },
  DATABASE_URL: {
    description:
      'Postgres to use. Unset: an embedded Postgres (PGlite) keeps its data under DATA_DIR and is served on loopback.',
    default: undefined,
    parse: postgresUrl,
    sensitive: true,
  },
  DATA_DIR: { description: 'Where the embedded Postgres keeps its files.', default: './.data', parse: text },
  MIGRATE_ON_START: {
    description: 'Apply pending migrations when the gateway starts.',
    default: 'true',
    parse: boolean,
  },
  DATABASE_POOL_SIZE: { description: 'Connections in the Postgres pool.', default: '10', parse: integer(1, 200) },
  DATABASE_NAMED_STATEMENTS: {
    description:
      'Prepare each statement once per connection. Set false behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).',
    default: 'true',
    parse: boolean,
  },
  ORDER_DATE_TIME_ZONE: {
    description:
      'IANA time zone of the days the date_start and date_end list filters name (a day runs from midnight to midnight there).',
    default: 'Europe/Amsterdam',
    parse: timeZone,
  },
  LIST_EXACT_TOTAL_UP_TO: {
    description:
      "Order lists count matches exactly up to this many; past it paginator.total is Postgres's estimate (total_exact false) unless the request asks for exact_total.",
    default: '10000',
    parse: integer(0, 100_000_000),
  },
  BODY_LIMIT_BYTES: {
    description: 'Largest request body accepted; larger ones get 413.',
    default: '1048576',
    parse: integer(1024, 100 * 1024 * 1024),
  },
  HEAP_GROWING_PERCENT: {
    description:
      'How far V8 lets the heap grow past what the last full garbage collection kept before it collects again, in percent; 0 leaves it to V8.',
    default: '100',
    parse: integer(0, 1000),
  },
  LOG_LEVEL: {
    description: 'Least severe log level written: error, warn, info or debug.',
    default: 'info',
    parse: oneOf('error', 'warn', 'info', 'debug'),
  },
  MAIN_CURRENCY_CODE: {
    description: 'The accounting currency, shown as main_currency_code on every order.',
    default: 'EUR',
    parse: currency,
  },
  MONEY_LOCALE: {
    description: 'Locale of the formatted *_word amounts (e.g. "€12.10" in en-US, "12,10 €" in cs-CZ).',
    default: 'en-US',
    parse: locale,
  },
  ORDER_URL_TEMPLATE: {
    description:
      'Customer-facing order page, with {id} and {hash} replaced; shown as order_url. Empty: order_url is null.',
    default: '',
    parse: urlTemplate,
  },
  INVOICE_URL_TEMPLATE: {
    description: 'Invoice document URL, with {id} and {hash} replaced; shown as invoice_url. Empty: null.',
    default: '',
    parse: urlTemplate,
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    description: 'Time a client has to send a whole request (headers and body); slower ones are cut off.',
    default: '30000',
    parse: integer(1000, 600_000),
  },
  HTTP_KEEP_ALIVE_TIMEOUT_MS: {
    description: 'How long an idle keep-alive connection stays open.',
    default: '72000',
    parse: integer(1000, 600_000),
  },
  LOG_REQUESTS: {
    description: 'Write one line per request (method, route, status, duration, API key id) at info level.',
    default: 'true',
    parse: boolean,
  },
  RATE_LIMIT_REQUESTS: {
    description:
      'Requests one API key (or one address, without a key) may make per window, counted across all gateway processes of the database. 0: no limit.',
    default: '100',
    parse: integer(0, 1_000_000),
  },
  RATE_LIMIT_WINDOW_MS: {
    description: 'The rate-limit window.',
    default: '1000',
    parse: integer(100, 3_600_000),
  },
  AUTH_FAILURE_LIMIT: {
    description:
      'Failed authentications (unknown, revoked or expired keys) one client address, or one key prefix, may make per AUTH_FAILURE_WINDOW_SECONDS in each gateway process; past it unknown keys get 429 without a lookup. 0: no limit.',
    default: '20',
    parse: integer(0, 1_000_000),
  },
  AUTH_FAILURE_WINDOW_SECONDS: {
    description: 'The window of AUTH_FAILURE_LIMIT.',
    default: '60',
    parse: integer(1, 86_400),
  },
  REDIS_URL: {
    description:
      'Redis to keep the rate-limit counters in (redis://host:6379). Unset: an unlogged Postgres table, or on the embedded store the process itself.',
    default: undefined,
    parse: redisUrl,
    sensitive: true,
  },
  IDEMPOTENCY_KEY_TTL_HOURS: {
    description: 'How long an Idempotency-Key and its answer are kept; after that the key may be used afresh.',
    default: '24',
    parse: integer(1, 24 * 90),
  },
  READY_MAX_OUTBOX_AGE_SECONDS: {
    description: 'Age of the oldest change not yet in MplusKASSA past which /health/ready says degraded (still 200).',
    default: '300',
    parse: integer(1, 86_400 * 30),
  },
  MPLUS_URL: {
    description:
      'MplusKASSA API of the administration, e.g. https://api.mpluskassa.nl:44281/. Unset: a simulated MplusKASSA runs inside the gateway on loopback, keeping its state under DATA_DIR.',
    default: undefined,
    parse: httpUrl,
  },
  MPLUS_IDENT: { description: 'MplusKASSA API ident.', default: 'gateway', parse: text },
  MPLUS_SECRET: { description: 'MplusKASSA API secret.', default: 'simulator', parse: text, sensitive: true },
  MPLUS_CONNECT_TIMEOUT_MS: {
    description: 'Time to connect to MplusKASSA before the call counts as failed (retried).',
    default: '5000',
    parse: integer(100, 120_000),
  },
  MPLUS_READ_TIMEOUT_MS: {
    description: 'Time to wait for an answer from MplusKASSA before the call counts as failed (retried).',
    default: '30000',
    parse: integer(100, 600_000),
  },
  MPLUS_EMPLOYEE_NUMBER: {
    description: 'Employee that orders are entered as (999999 is the built-in API user).',
    default: '999999',
    parse: integer(0, Number.MAX_SAFE_INTEGER),
  },
  MPLUS_BRANCH_NUMBER: {
    description: 'Branch that orders are entered in.',
    default: '1',
    parse: integer(0, 2_147_483_647),
  },
  MPLUS_CURRENCY: {
    description: 'Currency of the MplusKASSA administration; orders in another currency fail to sync.',
    default: 'EUR',
    parse: currency,
  },
  MPLUS_PAYMENT_METHOD: {
    description: 'MplusKASSA payment method for payments whose order has no mapped payment.',
    default: 'IDEAL',
    parse: text,
  },
  MPLUS_PAYMENT_METHODS: {
    description: 'Order `payment` ids to MplusKASSA payment methods, e.g. 2=PIN,3=IDEAL.',
    default: '',
    parse: idMap,
  },
  MPLUS_DELIVERY_METHODS: {
    description: 'Order `shipping` ids to MplusKASSA delivery methods, e.g. 4=POSTNL,5=PICKUP.',
    default: '',
    parse: idMap,
  },
  MPLUS_ORDER_CATEGORY: {
    description: 'MplusKASSA order category for orders from the gateway. Empty: none.',
    default: '',
    parse: optionalInteger(0, 2_147_483_647),
  },
  MPLUS_DEFAULT_RELATION_NUMBER: {
    description:
      'MplusKASSA relation (the default debtor) for orders as MPLUS_DEFAULT_RELATION_POLICY says. Set, an order needs no e-mail. Empty: every order needs one, and its relation is found or made by it.',
    default: '',
    parse: optionalInteger(1, Number.MAX_SAFE_INTEGER),
  },
  MPLUS_DEFAULT_RELATION_POLICY: {
    description:
      'Which orders go to MPLUS_DEFAULT_RELATION_NUMBER: no-email (those without an e-mail; the others to the relation of their e-mail) or always (every order; no relation is looked for or made).',
    default: 'no-email',
    parse: oneOf('no-email', 'always'),
  },
  MPLUS_PAYMENT_TERMS: {
    description:
      'Order `payment` ids to the payment term, in days, the customer relation gets in MplusKASSA (paymentWithinDays), e.g. 5=14,6=30. Orders with other payments leave the relation term as it is.',
    default: '',
    parse: dayMap,
  },
  INSTALLATION_ID: {
    description:
      'The installation id new extOrderIds carry (og-<id>-<order>-…), written to the database at start. Empty: the one the database has (made by its first migration). Set it to the old one when an installation moves to another database.',
    default: '',
    parse: installationId,
  },
  MPLUS_SHIPPING_ARTICLE_NUMBER: {
    description:
      'MplusKASSA article the shipping fee (shipping_price) is entered on. Empty: orders with a shipping fee are refused (422). The simulator has 9001.',
    default: '',
    parse: optionalInteger(1, Number.MAX_SAFE_INTEGER),
  },
  MPLUS_PAYMENT_FEE_ARTICLE_NUMBER: {
    description:
      'MplusKASSA article the payment fee (payment_price) is entered on. Empty: orders with a payment fee are refused (422). The simulator has 9003.',
    default: '',
    parse: optionalInteger(1, Number.MAX_SAFE_INTEGER),
  },
  MPLUS_REFUND_PAYMENT_METHOD: {
    description:
      'MplusKASSA payment method a refund of an order not yet invoiced is paid back with (a negative payment). Empty: the method of its first payment, or with the simulated MplusKASSA (MPLUS_URL unset) its bank transfer, BANK.',
    default: '',
    parse: text,
  },
  ALLOW_OVERPAYMENT: {
    description:
      'Accept a payment above what the order still owes (balance_due). Off: such a payment is refused (422).',
    default: 'false',
    parse: boolean,
  },
  SYNC_WORKER: {
    description: 'Run the workers (forwarding to MplusKASSA, reading back, webhooks) in this process.',
    default: 'true',
    parse: boolean,
  },
  SYNC_CONCURRENCY: {
    description: "Orders forwarded at the same time by this process (each order's changes always in series).",
    default: '8',
    parse: integer(1, 64),
  },
  SYNC_MAX_ATTEMPTS: {
    description:
      'Attempts at a change MplusKASSA keeps failing to take (with growing pauses) before the order is marked failed.',
    default: '25',
    parse: integer(1, 1000),
  },
  SYNC_RETRY_BASE_MS: {
    description: 'Pause before the first retry of a change MplusKASSA could not take; it doubles with each attempt.',
    default: '1000',
    parse: integer(10, 3_600_000),
  },
  SYNC_RETRY_MAX_MS: {
    description: 'Longest pause between retries.',
    default: '600000',
    parse: integer(10, 86_400_000),
  },
  SYNC_POLL_INTERVAL_MS: {
    description:
      'How often idle workers look for changes to forward; a change committed by this process wakes its own at once.',
    default: '200',
    parse: integer(50, 60_000),
  },
  SYNC_PULL_INTERVAL_MS: {
    description: 'How often orders changed in MplusKASSA are read back. 0: never.',
    default: '10000',
    parse: integer(0, 86_400_000),
  },
  CATALOGUE_PULL_INTERVAL_MS: {
    description:
      'How often the workers read the articles changed in MplusKASSA into the catalogue mirror (GET /System/Lists/Articles), which order lines are checked against. 0: never (the mirror stays unfilled).',
    default: '60000',
    parse: integer(0, 86_400_000),
  },
  CATALOGUE_UNFILLED: {
    description:
      'What order lines get while the catalogue mirror has never been read through: accept (checked by MplusKASSA when forwarded, as without a mirror) or refuse (503, try again once it is read).',
    default: 'accept',
    parse: oneOf('accept', 'refuse'),
  },
  SYNC_PULL_PAGE_SIZE: {
    description: 'Orders read back from MplusKASSA per call.',
    default: '100',
    parse: integer(1, 1000),
  },
  WEBHOOKS_ALLOW_PRIVATE_RECEIVERS: {
    description:
      'Let /System/Events receivers be on loopback, private or link-local addresses. Empty: allowed on the embedded store only (to try a local receiver), refused with DATABASE_URL set.',
    default: '',
    parse: optionalBoolean,
  },
  WEBHOOK_CONCURRENCY: {
    description: 'Webhook deliveries sent at the same time by this process (one at a time per order and subscription).',
    default: '16',
    parse: integer(1, 256),
  },
  WEBHOOK_TIMEOUT_MS: {
    description: 'Time a receiver has to answer a delivery; past it the attempt failed.',
    default: '10000',
    parse: integer(100, 300_000),
  },
  WEBHOOK_RETRY_BASE_MS: {
    description:
      'Pause of a subscription after its first failed delivery; it doubles with each failure in a row, with jitter (half to all of it).',
    default: '1000',
    parse: integer(10, 3_600_000),
  },
  WEBHOOK_RETRY_MAX_MS: {
    description: 'Longest pause of a failing subscription.',
    default: '3600000',
    parse: integer(10, 86_400_000),
  },
  WEBHOOK_DISABLE_AFTER_FAILURES: {
    description:
      'Failed deliveries in a row after which a subscription is disabled (its deliveries wait; PUT enables it again). With the default pauses, about 9 hours of failing.',
    default: '20',
    parse: integer(1, 10_000),
  },
  WEBHOOK_RESPONSE_BODY_BYTES: {
    description: "Bytes of a receiver's answer kept in the delivery log.",
    default: '1024',
    parse: integer(0, 65_536),
  },
  WEBHOOK_RETENTION_DAYS: {
    description:
      'Days a delivered webhook (with its attempt log) and an order event no delivery waits for are kept; older ones are removed hourly, and replays reach back this far. 0: kept for good.',
    default: '30',
    parse: integer(0, 3650),
  },
  WEBHOOK_SECRET_OVERLAP_SECONDS: {
    description:
      'How long a rotated signing secret keeps signing beside the new one, unless the rotation says otherwise.',
    default: '86400',
    parse: integer(0, 30 * 86_400),
  },
  READY_WEBHOOK_FAILURES: {
    description: 'Failed deliveries in a row of one subscription past which /health/ready says `degraded` (still 200).',
    default: '5',
    parse: integer(1, 10_000),
  },
  MPLUS_SIM_HOST: {
    description: 'Interface of the standalone simulator (npm run mplus:sim).',
    default: '127.0.0.1',
    parse: text,
  },
  MPLUS_SIM_PORT: {
    description: 'Port of the standalone simulator (npm run mplus:sim).',
    default: '18083',
    parse: integer(0, 65535),
  },
  MPLUS_SIM_IDENT: { description: 'Ident the standalone simulator accepts.', default: 'gateway', parse: text },
  MPLUS_SIM_WSDL_FILE: {
    description:
      "MplusKASSA's official WSDL, which the simulators serve at ?wsdl (it is not part of the project). Empty: ../shared/mplus/mplusqapi.wsdl when it is there.",
    default: '',
    parse: text,
  },
  MPLUS_SIM_SECRET: {
    description: 'Secret the standalone simulator accepts.',
    default: 'simulator',
    parse: text,
    sensitive: true,
  },
} satisfies Record<string, Variable<unknown>>;

type Variables = typeof CONFIG_VARIABLES;
type ParsedValue<V> = V extends Variable<infer T> ? (V['default'] extends string ? T : T | undefined) : never;

export type AppConfig = Readonly<{ [K in keyof Variables]: ParsedValue<Variables[K]> }>;

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment variables:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Reads and checks every variable at once, so a bad start lists all the problems together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(CONFIG_VARIABLES) as Array<[string, Variable<unknown>]>) {
    const given = env[name];
    const raw = given === undefined || (given === '' && variable.default === undefined) ? variable.default : given;
    if (raw === undefined) {
      config[name] = undefined;
      continue;
    }
    try {
      config[name] = variable.parse(raw);
    } catch (error) {
      problems.push(`${name} ${(error as Error).message}`);
    }
  }
  if (config.MPLUS_DEFAULT_RELATION_POLICY === 'always' && config.MPLUS_DEFAULT_RELATION_NUMBER === null) {
    problems.push('MPLUS_DEFAULT_RELATION_POLICY always needs MPLUS_DEFAULT_RELATION_NUMBER');
  }
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return Object.freeze(config) as AppConfig;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
