import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { PageOf } from '../common/pagination.js';
import { UuidParam } from '../common/validation.js';
import { ChargesService } from './charges.service.js';
import { ChargeQuery, ChargeResponse, PayChargeRequest, PriceListRequest, PriceListResponse, WaiveChargeRequest } from './dto/charge.dto.js';
import { PriceListService } from './price-list.service.js';

const ChargePage = PageOf(ChargeResponse);

@ApiTags('charges')
@Authenticated()
@Controller('api/v1')
export class ChargesController {
  constructor(
    private readonly charges: ChargesService,
    private readonly prices: PriceListService,
  ) {}

  @Get('charges')
  @ApiOperation({ summary: 'List charges', description: 'By student, school, loan or status; newest first. School administrators see their own school.' })
  @ApiOkResponse({ type: ChargePage })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @Query() query: ChargeQuery) {
    return this.charges.list(actor, query);
  }

  @Post('charges/:id/pay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a payment', description: 'The whole charge, with the receipt reference.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ChargeResponse })
  @ApiProblems(400, 404, 409, 422)
  pay(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: PayChargeRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.charges.pay(actor, id, body, idempotency);
  }

  @Post('charges/:id/waive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Waive a charge', description: 'Program administrators; or the school, for a price-list item marked waivable for a social-aid student (hardship waiver). The approver and reason are kept.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ChargeResponse })
  @ApiProblems(400, 403, 404, 409, 422)
  waive(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: WaiveChargeRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.charges.waive(actor, id, body, idempotency);
  }

  @Get('programs/:programId/price-list')
  @ApiOperation({ summary: "A program's price list", description: 'What returns and losses charge, in whole rupiah.' })
  @ApiOkResponse({ type: PriceListResponse })
  @ApiProblems(400, 404)
  priceList(@UuidParam('programId') programId: string) {
    return this.prices.get(programId);
  }

  @Put('programs/:programId/price-list')
  @ApiOperation({ summary: "Replace a program's price list", description: 'Program administrators only. Codes `missing_<accessory>` and `replacement` are charged automatically.' })
  @ApiOkResponse({ type: PriceListResponse })
  @ApiProblems(400, 404)
  setPriceList(@CurrentActor() actor: Actor, @UuidParam('programId') programId: string, @Body() body: PriceListRequest) {
    return this.prices.replace(actor, programId, body);
  }
}
