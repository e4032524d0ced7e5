import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/auth.decorators.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { ApiProblems } from '../../common/api-docs.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { UuidParam } from '../../common/validation.js';
import { ConsentsService } from './consents.service.js';
import { ConsentResponse, CreateConsentRequest, WithdrawConsentRequest } from './dto/privacy.dto.js';

@ApiTags('student-data-rights')
@Authenticated()
@Controller('api/v1/students/:id/consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Post()
  @ApiOperation({
    summary: "Record a guardian's consent",
    description: "School administrators (own school) and program administrators. Purpose `laptop_loan` is what loans need: once the latest such consent is withdrawn, the eligibility rule `guardian_consent` fails and no new loan can be issued.",
  })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ConsentResponse })
  @ApiProblems(400, 404)
  record(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: CreateConsentRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.consents.record(actor, id, body, idempotency);
  }

  @Get()
  @ApiOperation({ summary: "List a student's guardian consents", description: 'Newest first, withdrawn ones included.' })
  @ApiOkResponse({ type: [ConsentResponse] })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @UuidParam('id') id: string) {
    return this.consents.list(actor, id);
  }

  @Post(':consentId/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw a consent', description: 'Audited as `consent.withdrawn`. Consent given again later is a new record. Withdrawing twice is a 409.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ConsentResponse })
  @ApiProblems(400, 404, 409)
  withdraw(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('consentId') consentId: string,
    @Body() body: WithdrawConsentRequest,
    @Idempotency() idempotency?: IdempotencyRequest,
  ) {
    return this.consents.withdraw(actor, id, consentId, body, idempotency);
  }
}
