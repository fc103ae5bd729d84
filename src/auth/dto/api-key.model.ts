import { ApiProperty } from '@nestjs/swagger';
import { Paginator } from '../../common/http/pagination.dto.js';
import { RIGHTS } from '../rights.js';

/** An API key as admins see it: never the key itself. */
export class ApiKeyModel {
  /** @example 3 */
  id!: number;
  /** @example "payment gateway" */
  name!: string;
  /** The first characters of the key, to recognise it. @example "og_Xb3k9q" */
  prefix!: string;
  /** @example ["orders:read","orders:pay"] */
  @ApiProperty({ enum: RIGHTS, isArray: true })
  rights!: string[];
  /** active, expired or revoked. @example "active" */
  @ApiProperty({ enum: ['active', 'expired', 'revoked'] })
  state!: string;
  /** @example "2026-11-23T10:15:00.000Z" */
  created_at!: string;
  /** @example "2027-12-31T00:00:00.000Z" */
  expires_at!: string | null;
  /** @example null */
  revoked_at!: string | null;
}

/** A new key: the only time the key itself is shown. */
export class CreatedApiKeyModel extends ApiKeyModel {
  /** The key, for the `token` header. Store it now: it cannot be shown again. @example "og_Xb3k9qT2…" */
  key!: string;
}

export class ApiKeysModel {
  paginator!: Paginator;
  api_keys!: ApiKeyModel[];
}
