import type { Right } from './rights.js';

/** Who is making the request: the API key (by id and name) and the request's id. */
export interface Caller {
  /** Null for the gateway's own workers (changes read back from MplusKASSA). */
  apiKeyId: number | null;
  apiKeyName: string;
  rights: Right[];
  requestId: string;
}
