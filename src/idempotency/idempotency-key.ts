import { createHash } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error.js';

// The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header) and the fingerprint
// that tells a repeat of a request from another request under the same key.

/** Visible ASCII, as the draft's examples (UUIDs, random strings), at most 255 characters. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The key of a request, null when it has none; a malformed one is refused (400). */
export function idempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header : [header];
  if (value.length !== 1 || !KEY.test(value[0]!)) {
    throw DomainError.invalidField(
      'Idempotency-Key',
      'must be one value of 1 to 255 visible ASCII characters, such as a UUID',
    );
  }
  return value[0]!;
}

/** SHA-256 of the method, the URL (path and query) and the body as canonical JSON. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method.toUpperCase(), url, canonical(body ?? null)]))
    .digest('hex');
}

/** The same JSON value whatever the order of its object keys. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
