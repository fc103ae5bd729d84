import { DomainError } from '../errors/domain-error.js';

// Orders carry a version that every change increments; it is their entity tag, weak because
// the representation varies (expanded or not) while the order stays the same. If-Match compares
// it ignoring the weak mark (RFC 9110 would have If-Match compare strongly, which no weak tag
// ever passes; clients of this API send back what they read).

export function orderEntityTag(version: number): string {
  return `W/"${version}"`;
}

const TAG = /^\s*(?:W\/)?"([^"]*)"\s*$/;

/** Whether If-Match (`*`, or a list of tags) lets a write to an order at `version` go ahead. */
export function entityTagMatches(ifMatch: string, version: number): boolean {
  if (ifMatch.trim() === '*') return true;
  const tags = ifMatch.split(',').map((part) => {
    const match = TAG.exec(part);
    if (!match) {
      throw DomainError.invalidField('If-Match', 'must be * or entity tags as given in ETag, such as W/"3"');
    }
    return match[1];
  });
  return tags.includes(String(version));
}
