import { DomainError } from '../errors/domain-error.js';

// Orders carry a version that every change increments; it is their entity tag, weak because
// the representation varies (expanded or not) while the order stays the same. If-Match compares
// it ignoring the weak mark (RFC 9110 would have If-Match compare strongly, which no weak tag
// ever passes; clients of this API send back what they read).

export function orderEntityTag(version: number): string {
  return `W/"${version}"`;
}

/** If-Match as the versions it allows a write on. */
export interface Precondition {
  allows(version: number): boolean;
}

const TAG = /^\s*(?:W\/)?"([^"]*)"\s*$/;

/** If-Match (`*`, or a list of tags); a malformed one is refused (400). `*` allows any version. */
export function parseIfMatch(ifMatch: string): Precondition {
  return parseTags(ifMatch, 'If-Match');
}

/**
 * If-None-Match on a read, as the versions the client holds already (weak comparison, as RFC 9110
 * has it for If-None-Match): the read answers 304 at one of them. `*` is any version.
 */
export function parseIfNoneMatch(ifNoneMatch: string): Precondition {
  return parseTags(ifNoneMatch, 'If-None-Match');
}

function parseTags(header: string, name: string): Precondition {
  if (header.trim() === '*') return { allows: () => true };
  const tags = header.split(',').map((part) => {
    const match = TAG.exec(part);
    if (!match) throw DomainError.invalidField(name, 'must be * or entity tags as given in ETag, such as W/"3"');
    return match[1];
  });
  return { allows: (version) => tags.includes(String(version)) };
}
