import { parse } from 'fast-querystring';

// Fastify's own query-string parser (fast-querystring), with one convention added: the pairs
// `metadata[key]=value` (the Kwik and Stripe way to filter on metadata) are gathered into one
// `metadata` object, which the routes that take it validate like any parameter and every other
// route refuses by name. Nothing else about the query changes: `a[b]=c` elsewhere stays a key of
// its own, as it always was.

const METADATA_KEY = /^metadata\[([^[\]]*)\]$/;

export function parseQueryString(text: string): Record<string, unknown> {
  const query = parse(text) as Record<string, unknown>;
  let metadata: Record<string, unknown> | undefined;
  for (const key of Object.keys(query)) {
    const match = METADATA_KEY.exec(key);
    if (!match) continue;
    metadata ??= {};
    metadata[match[1]!] = query[key];
    delete query[key];
  }
  if (metadata !== undefined) {
    // `metadata=x` beside `metadata[k]=v` is neither: left as a list the validator refuses.
    query.metadata = query.metadata === undefined ? metadata : [query.metadata, metadata];
  }
  return query;
}
