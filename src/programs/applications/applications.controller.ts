import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/auth.decorators.js';
import { type Caller, ChecksCallerItself, CurrentCaller } from '../../auth/caller-check.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { PageOf } from '../../common/pagination.js';
import { UuidParam } from '../../common/validation.js';
import { AllocationService } from '../allocation/allocation.service.js';
import {
  AllocationRequest,
  AllocationResponse,
  ApplicationQuery,
  ApplicationResponse,
  ApplyRequest,
  EligibilityResponse,
} from '../dto/application.dto.js';
import { EligibilityService } from '../eligibility/eligibility.service.js';
import { DuplicateBeneficiariesQuery, DuplicateBeneficiariesResponse } from '../dto/duplicate-beneficiaries.dto.js';
import { DuplicateBeneficiariesService } from '../duplicates/duplicate-beneficiaries.service.js';
import { ApplicationsService } from './applications.service.js';

const ApplicationPage = PageOf(ApplicationResponse);

@ApiTags('programs')
@Authenticated()
@Controller('api/v1/programs/:programId')
export class ApplicationsController {
  constructor(
    private readonly eligibility: EligibilityService,
    private readonly applications: ApplicationsService,
    private readonly allocation: AllocationService,
    private readonly duplicatesReport: DuplicateBeneficiariesService,
  ) {}

  @Get('eligibility/:studentId')
  @ApiOperation({ summary: "A student's eligibility for a program", description: 'Every rule with its outcome, severity and reason, and the priority score.' })
  @ApiOkResponse({ type: EligibilityResponse })
  @ApiProblems(400, 404)
  @ChecksCallerItself()
  check(@CurrentCaller() caller: Caller, @UuidParam('programId') programId: string, @UuidParam('studentId') studentId: string) {
    return this.eligibility.check(caller, programId, studentId);
  }

  @Post('applications')
  @ApiOperation({ summary: 'Apply for a student', description: 'Stores the eligibility snapshot and priority; an ineligible student is stored as rejected with every reason. A second live application is a 409.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ApplicationResponse })
  @ApiProblems(400, 404, 409, 422)
  apply(@CurrentActor() actor: Actor, @UuidParam('programId') programId: string, @Body() body: ApplyRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.applications.apply(actor, programId, body, idempotency);
  }

  @Get('applications')
  @ApiOperation({ summary: "A program's applications, in queue order", description: 'Highest priority first, then first come. School administrators see their own school.' })
  @ApiOkResponse({ type: ApplicationPage })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @UuidParam('programId') programId: string, @Query() query: ApplicationQuery) {
    return this.applications.list(actor, programId, query);
  }

  @Get('applications/:id')
  @ApiOperation({ summary: 'Get an application', description: 'With its eligibility snapshot.' })
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiProblems(400, 404)
  get(@CurrentActor() actor: Actor, @UuidParam('programId') programId: string, @UuidParam('id') id: string) {
    return this.applications.get(actor, programId, id);
  }

  @Post('applications/:id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw an application', description: 'A reserved device goes back to stock.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ApplicationResponse })
  @ApiProblems(400, 404, 409, 422)
  withdraw(@CurrentActor() actor: Actor, @UuidParam('programId') programId: string, @UuidParam('id') id: string, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.applications.withdraw(actor, programId, id, idempotency);
  }

  @Get('duplicate-beneficiaries')
  @ApiOperation({
    summary: 'Duplicate beneficiaries: families over the limit, NISNs whose imports disagree',
    description:
      'Students sharing a family card number who hold (active loans) or are allocated more devices in this program than one per family card allows; ' +
      'and NISNs whose student imports disagree on the name, birth date or family card (as variant numbers: the data itself is not shown). ' +
      "School administrators see their own school's students and imports.",
  })
  @ApiOkResponse({ type: DuplicateBeneficiariesResponse })
  @ApiProblems(400, 404)
  duplicates(@CurrentActor() actor: Actor, @UuidParam('programId') programId: string, @Query() query: DuplicateBeneficiariesQuery) {
    return this.duplicatesReport.report(actor, programId, query.schoolId);
  }

  @Post('allocations')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the allocation',
    description: 'Program administrators only. Reserves in-stock devices per school for the highest-priority eligible pending applications within quotas; ties go to who applied first, then the lower application id. `dryRun` returns the same plan without writing.',
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: AllocationResponse })
  @ApiProblems(400, 404, 422)
  allocate(@CurrentActor() actor: Actor, @UuidParam('programId') programId: string, @Body() body: AllocationRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.allocation.run(actor, programId, body, idempotency);
  }
}
