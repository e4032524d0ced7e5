import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { fieldError, invalid } from '../common/errors.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { PageOf } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import {
  CreateProgramRequest,
  NewTermsRequest,
  ProgramQuery,
  ProgramResponse,
  QuotasResponse,
  SetQuotasRequest,
  TermsResponse,
  UpdateProgramRequest,
} from './dto/program.dto.js';
import { ProgramsService } from './programs.service.js';

const ProgramPage = PageOf(ProgramResponse);
const versionPipe = new ParseIntPipe({ exceptionFactory: () => invalid([fieldError('version', 'not_integer')]) });

@ApiTags('programs')
@Authenticated()
@Controller('api/v1/programs')
export class ProgramsController {
  constructor(private readonly programs: ProgramsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a program', description: 'Program administrators only. The rules are validated; a malformed rule set is a 400 naming the bad rule.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ProgramResponse })
  @ApiProblems(400, 409, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateProgramRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.programs.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List programs', description: 'Newest first.' })
  @ApiOkResponse({ type: ProgramPage })
  @ApiProblems(400)
  list(@Query() query: ProgramQuery) {
    return this.programs.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a program', description: 'With its rules and current terms version.' })
  @ApiOkResponse({ type: ProgramResponse })
  @ApiProblems(400, 404)
  get(@UuidParam('id') id: string) {
    return this.programs.get(id);
  }

  @Patch(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update a program', description: 'Program administrators only. `rules` replaces the whole rule set.' })
  @ApiIfMatch()
  @ApiOkResponse({ type: ProgramResponse })
  @ApiProblems(400, 404, 409)
  update(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: UpdateProgramRequest, @IfMatch() version?: number) {
    return this.programs.update(actor, id, body, version);
  }

  @Post(':id/terms')
  @ApiOperation({ summary: 'Publish new agreement terms', description: 'Creates the next terms version; earlier versions stay readable and loans keep the version they were signed under.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: TermsResponse })
  @ApiProblems(400, 404, 422)
  addTerms(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: NewTermsRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.programs.addTerms(actor, id, body, idempotency);
  }

  @Get(':id/terms')
  @ApiOperation({ summary: 'Every version of the agreement terms', description: 'Oldest first.' })
  @ApiOkResponse({ type: [TermsResponse] })
  @ApiProblems(400, 404)
  listTerms(@UuidParam('id') id: string) {
    return this.programs.listTerms(id);
  }

  @Get(':id/terms/:version')
  @ApiOperation({ summary: 'One version of the agreement terms', description: 'As signed by every loan under that version.' })
  @ApiOkResponse({ type: TermsResponse })
  @ApiProblems(400, 404)
  getTerms(@UuidParam('id') id: string, @Param('version', versionPipe) version: number) {
    return this.programs.getTerms(id, version);
  }

  @Get(':id/quotas')
  @ApiOperation({ summary: 'Per-school quotas', description: 'Schools without a quota have no limit.' })
  @ApiOkResponse({ type: QuotasResponse })
  @ApiProblems(400, 404)
  getQuotas(@UuidParam('id') id: string) {
    return this.programs.getQuotas(id);
  }

  @Put(':id/quotas')
  @ApiOperation({ summary: 'Replace the per-school quotas', description: 'Program administrators only.' })
  @ApiOkResponse({ type: QuotasResponse })
  @ApiProblems(400, 404)
  setQuotas(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: SetQuotasRequest) {
    return this.programs.setQuotas(actor, id, body);
  }
}
