import { DomainError } from '../common/errors/domain-error.js';
import type { ChangePosition } from './order.types.js';

// The changes feed's cursor: opaque to clients, versioned so that its form can change later.

export function encodeCursor(position: ChangePosition): string {
  return Buffer.from(`v1.${position.changeSeq}.${position.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): ChangePosition {
  const match = /^v1\.(\d{1,20})\.(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) {
    throw DomainError.invalidField('cursor', 'cursor must be a next_cursor value the gateway returned');
  }
  return { changeSeq: BigInt(match[1]), id: Number(match[2]) };
}
