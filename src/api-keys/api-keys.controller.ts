import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { PageOf } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyQuery, ApiKeyResponse, CreateApiKeyRequest, CreatedApiKeyResponse } from './dto/api-key.dto.js';

const ApiKeyPage = PageOf(ApiKeyResponse);

@ApiTags('api-keys')
@Authenticated('program_admin')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The key is in this response only; it is stored hashed.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  @ApiProblems(400, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.keys.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Newest first; filter by revoked. Secrets are never shown again.' })
  @ApiOkResponse({ type: ApiKeyPage })
  @ApiProblems(400)
  list(@Query() query: ApiKeyQuery) {
    return this.keys.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an API key (without its secret)', description: 'Prefix, role, school, and when it was last used.' })
  @ApiOkResponse({ type: ApiKeyResponse })
  @ApiProblems(400, 404)
  get(@UuidParam('id') id: string) {
    return this.keys.get(id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key', description: 'Requests with the key fail from the next call on.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ApiKeyResponse })
  @ApiProblems(400, 404, 409, 422)
  revoke(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.keys.revoke(actor, id, idempotency);
  }
}
