import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { PageOf } from '../../common/pagination.js';
import { UuidParam } from '../../common/validation.js';
import {
  CloseStocktakeRequest,
  OpenStocktakeRequest,
  ScanResponse,
  ScanStocktakeRequest,
  StocktakeDetailResponse,
  StocktakeQuery,
  StocktakeResponse,
} from './dto/stocktake.dto.js';
import { StocktakeClosingService } from './stocktake-closing.service.js';
import { StocktakesService } from './stocktakes.service.js';

const StocktakePage = PageOf(StocktakeResponse);

@ApiTags('devices')
@Authenticated()
@Controller('api/v1/stocktakes')
export class StocktakesController {
  constructor(
    private readonly stocktakes: StocktakesService,
    private readonly closing: StocktakeClosingService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Open a stock-take at a school or the central store',
    description: "A school's administrator counts their own school; program administrators count anywhere. One open stock-take per location (409).",
  })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: StocktakeDetailResponse })
  @ApiProblems(400, 404, 409, 422)
  open(@CurrentActor() actor: Actor, @Body() body: OpenStocktakeRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.stocktakes.open(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: 'List stock-takes', description: 'Newest first. School administrators see their own school only. `counts` is null while a count is open.' })
  @ApiOkResponse({ type: StocktakePage })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @Query() query: StocktakeQuery) {
    return this.stocktakes.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a stock-take', description: 'While open, `progress` holds the counts so far; once closed, `result` lists every device and code.' })
  @ApiOkResponse({ type: StocktakeDetailResponse })
  @ApiProblems(400, 404)
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string) {
    return this.stocktakes.get(actor, id);
  }

  @Post(':id/scans')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record scanned codes',
    description: 'Asset tags or serial numbers, 1 to 1000 per request, trimmed and upper-cased. Codes already scanned are counted as duplicates and ignored. A closed stock-take is a 409.',
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ScanResponse })
  @ApiProblems(400, 404, 409, 422)
  scan(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: ScanStocktakeRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.stocktakes.scan(actor, id, body, idempotency);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close a stock-take and get its result',
    description:
      'Lists found, missing, on loan, in repair and unexpected devices; stamps lastSeenAt on devices scanned. Never changes loans or statuses. ' +
      'With relocateUnexpected (program administrators only), unexpected in-stock devices recorded elsewhere are moved here.',
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: StocktakeDetailResponse })
  @ApiProblems(400, 404, 409, 422)
  close(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: CloseStocktakeRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.closing.close(actor, id, body, idempotency);
  }
}
