import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/auth.decorators.js';
import { ApiProblems } from '../../common/api-docs.js';
import { type Actor, CurrentActor } from '../../common/actor.js';
import { EligibilityPreviewRequest, EligibilityPreviewResponse } from '../dto/application.dto.js';
import { EligibilityService } from './eligibility.service.js';

@ApiTags('programs')
@Authenticated()
@Controller('api/v1/programs')
export class EligibilityPreviewController {
  constructor(private readonly eligibility: EligibilityService) {}

  @Post('eligibility-preview')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Try draft eligibility rules on one student (nothing is saved)',
    description:
      "For the rule editor: the rules are validated as a program's rules are (a bad rule is a 400 naming it), then evaluated for the student exactly as `GET /programs/{programId}/eligibility/{studentId}` would once saved: every rule with its outcome, reason and parameters, and the priority. Name `programId` to use that program's dates and the student's loans in it. Program administrators only.",
  })
  @ApiOkResponse({ type: EligibilityPreviewResponse })
  @ApiProblems(400, 403, 404)
  preview(@CurrentActor() actor: Actor, @Body() body: EligibilityPreviewRequest) {
    return this.eligibility.preview(actor, body);
  }
}
