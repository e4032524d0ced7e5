import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequireRoles } from '../../auth/auth.decorators.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { ApiIdempotencyKey, Idempotency, type IdempotencyRequest } from '../../common/idempotency.js';
import { ApiProblems } from '../../common/api-docs.js';
import { PageOf } from '../../common/pagination.js';
import { UuidParam } from '../../common/validation.js';
import { DataExportService } from './data-export.service.js';
import { AccessLogEntryResponse, AccessLogQuery, AnonymiseResultResponse, DataExportResponse } from './dto/privacy.dto.js';
import { RetentionService } from './retention.service.js';
import { StudentAccessLog } from './student-access-log.js';

const AccessLogPage = PageOf(AccessLogEntryResponse);

@ApiTags('student-data-rights')
@Authenticated()
@Controller('api/v1')
export class DataRightsController {
  constructor(
    private readonly exports: DataExportService,
    private readonly retention: RetentionService,
    private readonly accessLog: StudentAccessLog,
  ) {}

  @Get('students/:id/data-export')
  @ApiOperation({
    summary: 'Export everything held about one student',
    description: "The right of access: profile, guardian, consents, applications, loans (terms and consent copies, returns, extensions, losses), charges, reminders, audit events about them and the log of who read their data. Another school's student answers 404 to a school administrator. The read itself is logged.",
  })
  @ApiOkResponse({ type: DataExportResponse })
  @ApiProblems(400, 404)
  export(@CurrentActor() actor: Actor, @UuidParam('id') id: string) {
    return this.exports.export(actor, id);
  }

  @Post('students/anonymise-departed')
  @HttpCode(200)
  @RequireRoles('program_admin')
  @ApiOperation({
    summary: 'Run the retention job now',
    description: 'Program administrators. Anonymises students who left more than RETENTION_DAYS ago and hold no active loan and no open charge; what the daily job does. Running it again anonymises nothing more.',
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: AnonymiseResultResponse })
  @ApiProblems(400, 422)
  anonymiseDeparted(@CurrentActor() actor: Actor, @Idempotency() idempotency?: IdempotencyRequest) {
    return this.retention.anonymiseDeparted(actor, idempotency);
  }

  @Get('student-access-log')
  @RequireRoles('auditor', 'program_admin')
  @ApiOperation({
    summary: "Who read which student's personal data",
    description: 'Oldest first. Filter by actor (user or API key id), student and time range, e.g. "which students did key X read between t1 and t2". Reads are written in batches: the newest second or so may not be here yet.',
  })
  @ApiOkResponse({ type: AccessLogPage })
  @ApiProblems(400)
  accessLogList(@CurrentActor() actor: Actor, @Query() query: AccessLogQuery) {
    return this.accessLog.list(actor, query);
  }
}
