import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertSchoolAccess } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { notFound } from '../../common/errors.js';
import type { EligibilityResponse } from '../dto/application.dto.js';
import { Clock } from '../../common/clock.js';
import { ProgramsService } from '../programs.service.js';
import { evaluateEligibility } from './eligibility.js';
import { renderRuleOutcome } from './eligibility-reasons.js';
import { eligibilityInput, gatherStudentContexts } from './eligibility-facts.js';

@Injectable()
export class EligibilityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly programs: ProgramsService,
    private readonly clock: Clock,
  ) {}

  async check(actor: Actor, programId: string, studentId: string): Promise<EligibilityResponse> {
    const program = await this.programs.find(programId);
    const contexts = await gatherStudentContexts(this.dataSource.manager, programId, [studentId]);
    const context = contexts.get(studentId);
    if (!context) throw notFound('student_not_found');
    assertSchoolAccess(actor, context.schoolId, 'read', 'student_not_found');
    const date = this.clock.today();
    const result = evaluateEligibility(
      eligibilityInput(context, { rules: program.rules, program: { startsOn: program.startsOn, endsOn: program.endsOn } }, date),
    );
    return { programId, studentId, date, ...result, rules: result.rules.map((r) => renderRuleOutcome(r)) };
  }
}
