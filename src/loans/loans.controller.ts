import { Body, Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { wantsCsv } from '../common/csv-output.js';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/auth.decorators.js';
import { type Caller, ChecksCallerItself, CurrentCaller } from '../auth/caller-check.js';
import { ApiOkJsonOrCsv, ApiProblems, problem } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../common/idempotency.js';
import { PageOf } from '../common/pagination.js';
import { ProblemResponse } from '../common/problem.dto.js';
import { NotEligibleProblem } from '../programs/dto/application.dto.js';
import { UuidParam } from '../common/validation.js';
import {
  ExtendLoanRequest,
  IssueLoanRequest,
  LoanQuery,
  LoanResponse,
  ReportLossRequest,
  ReturnLoanRequest,
  ReturnResponse,
  TransferLoanRequest,
} from './dto/loan.dto.js';
import { BulkLoansService } from './bulk.service.js';
import { BulkIssueRequest, BulkIssueResponse, BulkReturnRequest, BulkReturnResponse } from './dto/bulk.dto.js';
import { LoanChangesService } from './loan-changes.service.js';
import { LoanQueriesService } from './loan-queries.service.js';
import { LoansService } from './loans.service.js';
import { ReturnsService } from './returns.service.js';

const LoanPage = PageOf(LoanResponse);

@ApiTags('loans')
@Authenticated()
@Controller('api/v1/loans')
export class LoansController {
  constructor(
    private readonly loans: LoansService,
    private readonly returns: ReturnsService,
    private readonly changes: LoanChangesService,
    private readonly queries: LoanQueriesService,
    private readonly bulk: BulkLoansService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Issue a loan (sign the borrow-and-use agreement)',
    description:
      'One transaction: eligibility (a failed block rule is a 422 listing every failed rule), the device (in stock, or reserved for this student), the agreement number, the terms snapshot, the due date, the device on loan, the application fulfilled, the audit event. `Idempotency-Key` is required; a retry replays the first answer byte for byte.',
  })
  @ApiIdempotencyKey(true)
  @ApiCreatedResponse({ type: LoanResponse })
  @ApiProblems(400, 404, 409, problem(422, NotEligibleProblem, ProblemResponse))
  issue(@CurrentActor() actor: Actor, @Body() body: IssueLoanRequest, @Idempotency({ required: true }) idempotency: IdempotencyRequest) {
    return this.loans.issue(actor, body, idempotency);
  }

  @Post('bulk-issue')
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue many loans at once', description: 'Each item succeeds or fails on its own, with a per-item result; the whole batch is idempotent (`Idempotency-Key` required).' })
  @ApiIdempotencyKey(true)
  @ApiOkResponse({ type: BulkIssueResponse })
  @ApiProblems(400, 404, 422)
  bulkIssue(@CurrentActor() actor: Actor, @Body() body: BulkIssueRequest, @Idempotency({ required: true }) idempotency: IdempotencyRequest) {
    return this.bulk.issue(actor, body, idempotency);
  }

  @Post('bulk-return')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take many devices back at once', description: 'Each item succeeds or fails on its own, with a per-item result; the whole batch is idempotent (`Idempotency-Key` required).' })
  @ApiIdempotencyKey(true)
  @ApiOkResponse({ type: BulkReturnResponse })
  @ApiProblems(400, 422)
  bulkReturn(@CurrentActor() actor: Actor, @Body() body: BulkReturnRequest, @Idempotency({ required: true }) idempotency: IdempotencyRequest) {
    return this.bulk.returnMany(actor, body, idempotency);
  }

  @Get()
  @ApiOperation({
    summary: 'List loans, or export them as CSV',
    description: "Filter by school, program, status, overdue, student (a student's history), device (a device's history) and due dates. `format=csv` or `Accept: text/csv` exports every match.",
  })
  @ApiOkJsonOrCsv(LoanPage, 'A page of loans (JSON), or every matching loan as CSV')
  @ApiProblems(400, 404)
  async list(@CurrentActor() actor: Actor, @Query() query: LoanQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    if (wantsCsv(query.format, accept)) {
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="loans.csv"');
      return this.queries.exportCsv(actor, query);
    }
    return this.queries.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a loan', description: "Another school's loan answers 404 to a school administrator." })
  @ApiOkResponse({ type: LoanResponse })
  @ApiProblems(400, 404)
  @ChecksCallerItself()
  get(@CurrentCaller() caller: Caller, @UuidParam('id') id: string) {
    return this.queries.get(caller, id);
  }

  @Post(':id/return')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a device back', description: 'Charges come from the program price list (damage items, and missing kit items) plus manual items. A second return is a 409.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ReturnResponse })
  @ApiProblems(400, 404, 409, 422)
  returnLoan(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: ReturnLoanRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.returns.returnLoan(actor, id, body, idempotency);
  }

  @Post(':id/extend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Extend a loan', description: "Within the program's maximum number of extensions and maximum term." })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: LoanResponse })
  @ApiProblems(400, 404, 409, 422)
  extend(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: ExtendLoanRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.changes.extend(actor, id, body, idempotency);
  }

  @Post(':id/report-loss')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report a device lost or stolen', description: "Closes the loan; the device follows; the price list's `replacement` is charged unless a program administrator waives it. Theft needs a police report number." })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: ReturnResponse })
  @ApiProblems(400, 403, 404, 409, 422)
  reportLoss(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: ReportLossRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.changes.reportLoss(actor, id, body, idempotency);
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a loan with a student who changed school', description: 'Program administrators. The student must already be at the new school; the device moves with the loan.' })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: LoanResponse })
  @ApiProblems(400, 404, 409, 422)
  transfer(@CurrentActor() actor: Actor, @UuidParam('id') id: string, @Body() body: TransferLoanRequest, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.changes.transfer(actor, id, body, idempotency);
  }
}
