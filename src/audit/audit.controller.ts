import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, RequireRoles } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { PageOf } from '../common/pagination.js';
import { AuditService } from './audit.service.js';
import { AuditEventQuery, AuditEventResponse, AuditVerificationResponse } from './dto/audit.dto.js';

const AuditEventPage = PageOf(AuditEventResponse);

@ApiTags('audit')
@Authenticated()
@Controller('api/v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'List audit events, newest first',
    description: 'Auditors and program administrators see every school; school administrators see their own school\'s events.',
  })
  @ApiOkResponse({ type: AuditEventPage })
  @ApiProblems(400, 404)
  list(@CurrentActor() actor: Actor, @Query() query: AuditEventQuery) {
    return this.audit.list(actor, query);
  }

  @Get('verify')
  @RequireRoles('auditor', 'program_admin')
  @ApiOperation({
    summary: 'Verify the audit chain',
    description: 'Checks every event against its hash and every sealed block against the previous one; reports the first broken link.',
  })
  @ApiOkResponse({ type: AuditVerificationResponse })
  verify() {
    return this.audit.verify();
  }
}
