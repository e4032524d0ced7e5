import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { PageOf } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { CreateSchoolRequest, SchoolQuery, SchoolResponse, schoolEtag, UpdateSchoolRequest } from './dto/school.dto.js';
import { SchoolsService } from './schools.service.js';

const SchoolPage = PageOf(SchoolResponse);

@ApiTags('schools')
@Authenticated()
@Controller('api/v1/schools')
export class SchoolsController {
  constructor(private readonly schools: SchoolsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a school', description: 'Program administrators only.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: SchoolResponse })
  @ApiProblems(400, 409, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateSchoolRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.schools.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List schools', description: 'School administrators see only their own school.' })
  @ApiOkResponse({ type: SchoolPage })
  @ApiProblems(400)
  list(@CurrentActor() actor: Actor, @Query() query: SchoolQuery) {
    return this.schools.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a school', description: 'The `ETag` header carries the version for `If-Match`.' })
  @ApiOkResponse({ type: SchoolResponse })
  @ApiProblems(400, 404)
  async get(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const school = await this.schools.get(actor, id);
    reply.header('etag', schoolEtag(school.version));
    return school;
  }

  @Patch(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a school', description: 'Program administrators only. Send `If-Match` to refuse a stale update.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: SchoolResponse })
  @ApiProblems(400, 404, 409)
  async update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Body() body: UpdateSchoolRequest,
    @IfMatch() expectedVersion: number | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const school = await this.schools.update(actor, id, body, expectedVersion);
    reply.header('etag', schoolEtag(school.version));
    return school;
  }
}
