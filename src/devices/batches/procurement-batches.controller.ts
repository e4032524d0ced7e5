import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { PageOf } from '../../common/pagination.js';
import { UuidParam } from '../../common/validation.js';
import { CreateProcurementBatchRequest, ProcurementBatchQuery, ProcurementBatchResponse } from '../dto/procurement-batch.dto.js';
import { ProcurementBatchesService } from './procurement-batches.service.js';

const ProcurementBatchPage = PageOf(ProcurementBatchResponse);

@ApiTags('devices')
@Authenticated()
@Controller('api/v1/procurement-batches')
export class ProcurementBatchesController {
  constructor(private readonly batches: ProcurementBatchesService) {}

  @Post()
  @ApiOperation({ summary: 'Record a procurement batch', description: 'Program administrators only. Costs are whole rupiah.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ProcurementBatchResponse })
  @ApiProblems(400, 409, 422)
  create(@CurrentActor() actor: Actor, @Body() body: CreateProcurementBatchRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.batches.create(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List procurement batches', description: 'Everyone signed in; filter by model.' })
  @ApiOkResponse({ type: ProcurementBatchPage })
  @ApiProblems(400)
  list(@Query() query: ProcurementBatchQuery) {
    return this.batches.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a procurement batch', description: 'With its total cost in whole rupiah.' })
  @ApiOkResponse({ type: ProcurementBatchResponse })
  @ApiProblems(400, 404)
  get(@UuidParam('id') id: string) {
    return this.batches.get(id);
  }
}
