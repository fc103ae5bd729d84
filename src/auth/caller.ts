import type { Right } from './rights.js';

/** Who is making the request: the API key (by id and name) and the request's id. */
export interface Caller {
  apiKeyId: number;
  apiKeyName: string;
  rights: Right[];
  requestId: string;
}
