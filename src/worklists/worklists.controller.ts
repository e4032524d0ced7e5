import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/api-docs.js';
import { type Actor, CurrentActor } from '../common/actor.js';
import { PageOf } from '../common/pagination.js';
import { LeaverWorkItemResponse, OpenChargeWorkItemResponse, OverdueWorkItemResponse, PickupWorkItemResponse, WorklistQuery } from './dto/worklist.dto.js';
import { WorklistsService } from './worklists.service.js';

const SCOPE =
  "Filter by `schoolId` and `programId`; `q` finds an exact NISN, agreement number or asset tag, or part of a student's name. School administrators get their own school only (another school's `schoolId` is a 404). Every student on a page is noted in the student-access log.";

@ApiTags('worklists')
@Authenticated()
@Controller('api/v1/worklists')
export class WorklistsController {
  constructor(private readonly worklists: WorklistsService) {}

  @Get('overdue')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'Overdue loans to chase, with the guardian\'s phone and the reminder level reached',
    description: `Active loans past their due date (WIB), most overdue first. ${SCOPE}`,
  })
  @ApiOkResponse({ type: PageOf(OverdueWorkItemResponse) })
  @ApiProblems(400, 404)
  overdue(@CurrentActor() actor: Actor, @Query() query: WorklistQuery) {
    return this.worklists.overdue(actor, query);
  }

  @Get('leavers')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'Students who left or moved school and still hold a device',
    description: `Active loans of students who graduated, transferred out or dropped out, or who now study at another school; longest gone first. ${SCOPE}`,
  })
  @ApiOkResponse({ type: PageOf(LeaverWorkItemResponse) })
  @ApiProblems(400, 404)
  leavers(@CurrentActor() actor: Actor, @Query() query: WorklistQuery) {
    return this.worklists.leavers(actor, query);
  }

  @Get('open-charges')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'Open charges to collect, with the student and the agreement',
    description: `Charges still open, oldest first. \`GET /api/v1/charges?status=open\` lists the same charges without names; this list is for the desk. ${SCOPE}`,
  })
  @ApiOkResponse({ type: PageOf(OpenChargeWorkItemResponse) })
  @ApiProblems(400, 404)
  openCharges(@CurrentActor() actor: Actor, @Query() query: WorklistQuery) {
    return this.worklists.openCharges(actor, query);
  }

  @Get('awaiting-pickup')
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'Devices the allocation reserved that are waiting for their student',
    description: `Allocated applications whose reserved device has not been issued yet, longest waiting first. ${SCOPE}`,
  })
  @ApiOkResponse({ type: PageOf(PickupWorkItemResponse) })
  @ApiProblems(400, 404)
  awaitingPickup(@CurrentActor() actor: Actor, @Query() query: WorklistQuery) {
    return this.worklists.awaitingPickup(actor, query);
  }
}
