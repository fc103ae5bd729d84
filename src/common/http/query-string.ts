import { parse } from 'fast-querystring';

// Fastify's own query-string parser (fast-querystring), with one convention added: the pairs
// `metadata[key]=value` (the Kwik and Stripe way to filter on metadata) are gathered into one
// `metadata` object, which the routes that take it validate like any parameter and every other
// route refuses by name. Nothing else about the query changes: `a[b]=c` elsewhere stays a key of
// its own, as it always was.

const METADATA_KEY = /^metadata\[([^[\]]*)\]$/;

export function parseQueryString(text: string): Record<string, unknown> {
  const query = parse(text) as Record<string, unknown>;
  let pairs: Array<[string, unknown]> | undefined;
  for (const key of Object.keys(query)) {
    const match = METADATA_KEY.exec(key);
    if (!match) continue;
    (pairs ??= []).push([match[1]!, query[key]]);
    delete query[key];
  }
  if (pairs !== undefined) {
    // Own keys whatever their names: `metadata[__proto__]` assigned would set the object's prototype.
    const metadata = Object.fromEntries(pairs);
    // `metadata=x` beside `metadata[k]=v` is neither: left as a list the validator refuses.
    query.metadata = query.metadata === undefined ? metadata : [query.metadata, metadata];
  }
  return query;
}

/** Query parameter names that would carry an API key in the URL: refused, and never logged. */
export const KEY_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'token',
  'key',
  'api_key',
  'apikey',
  'api-key',
  'access_token',
  'authorization',
]);

/**
 * A parameter's name as a reader of it would take it: without a `[…]` suffix (`hash[]`,
 * `token[0]`), in lower case. `raw` is decoded first when it is still percent-encoded (as in a
 * URL; the parsed query's names already are); null when it cannot be decoded.
 */
export function baseParameterName(raw: string, encoded: boolean): string | null {
  let name = raw;
  if (encoded) {
    try {
      name = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      return null;
    }
  }
  return name.replace(/\[.*$/s, '').trim().toLowerCase();
}
