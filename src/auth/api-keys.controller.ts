import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/http/api-docs.js';
import { PageQuery } from '../common/http/pagination.dto.js';
import type { Answer } from '../common/http/answer.js';
import { ParseIdPipe } from '../common/http/parse-id.pipe.js';
import { CurrentWrite, type WriteRequest } from '../common/http/write-request.js';
import { NoIdempotencyKey } from '../idempotency/no-idempotency-key.decorator.js';
import { RequiresRight } from './auth.decorators.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyPatchRequest, ApiKeyPostRequest } from './dto/api-key.dto.js';
import { ApiKeyModel, ApiKeysModel, CreatedApiKeyModel } from './dto/api-key.model.js';
import { RehearsedAs } from '../common/http/dry-run-answer.js';

@ApiTags('API keys')
@ApiSecurity('token')
@RequiresRight('admin')
@Controller('System/ApiKeys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'An addition to Retailys, for admins. Never shows a key.' })
  @ApiOkResponse({ type: ApiKeysModel })
  @ApiProblems(400, 401, 403)
  listApiKeys(@Query() query: PageQuery): Promise<ApiKeysModel> {
    return this.keys.page(query.page, query.per_page);
  }

  @Post()
  @NoIdempotencyKey()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'An addition to Retailys, for admins. The answer holds the key itself, the only time it is shown; for that ' +
      'reason this route takes no Idempotency-Key (the answer would have to be stored).',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyModel })
  @RehearsedAs(ApiKeyModel, 'the key as it would be made, without the key itself')
  @ApiProblems(400, 401, 403, 413, 415)
  createApiKey(
    @CurrentWrite() write: WriteRequest,
    @Body() body: ApiKeyPostRequest,
  ): Promise<Answer<CreatedApiKeyModel | ApiKeyModel>> {
    return this.keys.createForAdmin(write, body.name, body.rights, body.expires_at ? new Date(body.expires_at) : null);
  }

  @Get(':apiKeyId')
  @ApiOperation({ summary: 'Get one API key' })
  @ApiOkResponse({ type: ApiKeyModel })
  @ApiProblems(400, 401, 403, 404)
  getApiKey(@Param('apiKeyId', new ParseIdPipe('api-key-id')) apiKeyId: number): Promise<ApiKeyModel> {
    return this.keys.get(apiKeyId);
  }

  @Patch(':apiKeyId')
  @ApiOperation({
    summary: 'Rename an API key or set its expiry',
    description: '`expires_at: null` makes it never expire; a time in the past stops it at once.',
  })
  @RehearsedAs(ApiKeyModel, 'the key as the change would leave it', { type: ApiKeyModel, description: 'Changed.' })
  @ApiProblems(400, 401, 403, 404, 413, 415)
  updateApiKey(
    @CurrentWrite() write: WriteRequest,
    @Param('apiKeyId', new ParseIdPipe('api-key-id')) apiKeyId: number,
    @Body() body: ApiKeyPatchRequest,
  ): Promise<Answer<ApiKeyModel>> {
    return this.keys.updateForAdmin(write, apiKeyId, {
      name: body.name,
      expiresAt:
        body.expires_at === undefined || body.expires_at === null ? body.expires_at : new Date(body.expires_at),
    });
  }

  @Delete(':apiKeyId')
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'The key stops working with the next request. Revoking a revoked key changes nothing.',
  })
  @RehearsedAs(ApiKeyModel, 'the key as revoked', { type: ApiKeyModel, description: 'Revoked.' })
  @ApiProblems(400, 401, 403, 404)
  revokeApiKey(
    @CurrentWrite() write: WriteRequest,
    @Param('apiKeyId', new ParseIdPipe('api-key-id')) apiKeyId: number,
  ): Promise<Answer<ApiKeyModel>> {
    return this.keys.revokeForAdmin(write, apiKeyId);
  }
}
