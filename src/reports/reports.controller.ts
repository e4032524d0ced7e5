import { Controller, Get, Header, Headers, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiOkJsonOrCsv, ApiProblems, DATA_AS_OF_HEADERS } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { ActivityReportService, activityTable } from './activity-report.service.js';
import { CoverageService, coverageTable } from './coverage.service.js';
import { ActivityQuery, ActivityReport } from './dto/activity.dto.js';
import { CoverageQuery, CoverageReport } from './dto/coverage.dto.js';
import { LossesQuery, LossesReport } from './dto/losses.dto.js';
import { OverdueQuery, OverdueReport } from './dto/overdue.dto.js';
import { StockReconciliationQuery, StockReconciliationReport } from './dto/stock-report.dto.js';
import { SummaryQuery } from './dto/summary.dto.js';
import { LossesReportService, lossesTable } from './losses-report.service.js';
import { OverdueReportService, overdueTable } from './overdue-report.service.js';
import { asRequested } from './report-output.js';
import { StockReportService, stockTable } from './stock-report.service.js';
import { SummaryService } from './summary/summary.service.js';

const SCOPE = 'School administrators see their own school only (another school\'s `schoolId` is a 404); auditors and program administrators see every school.';
const CSV = 'JSON by default; CSV with `format=csv` or `Accept: text/csv`, one header line, the parameters repeated as `parameters.*` columns on every row (docs/reports.md).';

@ApiTags('reports')
@Authenticated()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(
    private readonly coverage: CoverageService,
    private readonly stock: StockReportService,
    private readonly overdue: OverdueReportService,
    private readonly losses: LossesReportService,
    private readonly activity: ActivityReportService,
    private readonly summary: SummaryService,
  ) {}

  @Get('coverage')
  @ApiOperation({
    summary: "A program's coverage per school, grade and social-aid group",
    description: `Eligible students (the program's target population), students who applied, were allocated a device, hold a loan now, and the share of eligible students served. ${SCOPE} ${CSV}`,
  })
  @ApiOkJsonOrCsv(CoverageReport)
  @ApiProblems(400, 404)
  async coverageReport(@CurrentActor() actor: Actor, @Query() query: CoverageQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return asRequested(reply, { format: query.format, accept }, await this.coverage.report(actor, query), coverageTable);
  }

  @Get('stock-reconciliation')
  @ApiOperation({
    summary: 'Stock reconciliation per procurement batch and per school',
    description: `Per batch (city-wide): bought = in stock + reserved + on loan + in repair + lost + stolen + retired. Per school: devices there by status against its active loans and allocations. Every mismatch listed. CSV holds the table named by \`view\`. ${SCOPE} ${CSV}`,
  })
  @ApiOkJsonOrCsv(StockReconciliationReport)
  @ApiProblems(400, 404)
  async stockReport(@CurrentActor() actor: Actor, @Query() query: StockReconciliationQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return asRequested(reply, { format: query.format, accept }, await this.stock.report(actor, query), (r) => stockTable(r, query.view));
  }

  @Get('overdue')
  @ApiOperation({
    summary: 'Overdue loans by school, with days overdue and reminder level reached',
    description: `Active loans due before today (WIB, the service's clock). CSV holds the table named by \`view\`. ${SCOPE} ${CSV}`,
  })
  @ApiOkJsonOrCsv(OverdueReport)
  @ApiProblems(400, 404)
  async overdueReport(@CurrentActor() actor: Actor, @Query() query: OverdueQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return asRequested(reply, { format: query.format, accept }, await this.overdue.report(actor, query), (r) => overdueTable(r, query.view));
  }

  @Get('losses')
  @ApiOperation({
    summary: 'Losses and damage: counts and rupiah charged, paid and waived by school and month',
    description: `Charges by the month they were created (status as of now), losses by the month they were reported, within \`from\`-\`to\` (WIB). ${SCOPE} ${CSV}`,
  })
  @ApiOkJsonOrCsv(LossesReport)
  @ApiProblems(400, 404)
  async lossesReport(@CurrentActor() actor: Actor, @Query() query: LossesQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return asRequested(reply, { format: query.format, accept }, await this.losses.report(actor, query), lossesTable);
  }

  @Get('activity')
  @ApiOperation({
    summary: 'Loans issued, returned and lost per day or week, per school',
    description: `Within \`from\`-\`to\` (WIB); \`interval=week\` groups by weeks starting on Monday. Periods without activity are left out. ${SCOPE} ${CSV}`,
  })
  @ApiOkJsonOrCsv(ActivityReport)
  @ApiProblems(400, 404)
  async activityReport(@CurrentActor() actor: Actor, @Query() query: ActivityQuery, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return asRequested(reply, { format: query.format, accept }, await this.activity.report(actor, query), activityTable);
  }

  @Get('summary.pdf')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'Printable summary for an audit visit (PDF)',
    description: `One school, or the whole city: stock by status, active and overdue loans, losses and charges, and a bar chart of each school's coverage of a program. In Indonesian. ${SCOPE}`,
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'The summary; `Content-Disposition` names the file after the scope and the day', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } }, headers: DATA_AS_OF_HEADERS })
  @ApiProblems(400, 404)
  async summaryPdf(@CurrentActor() actor: Actor, @Query() query: SummaryQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const file = await this.summary.pdf(actor, query);
    reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${file.fileName}"`);
    return file.content;
  }
}
