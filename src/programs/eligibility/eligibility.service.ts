import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole, assertSchoolAccess } from '../../auth/access.js';
import type { Actor } from '../../common/actor.js';
import { answerLanguage } from '../../common/request-context.js';
import { invalidField, notFound } from '../../common/errors.js';
import type { EligibilityPreviewRequest, EligibilityPreviewResponse, EligibilityResponse } from '../dto/application.dto.js';
import { Clock } from '../../common/clock.js';
import { actorOfTokenUser, type Caller } from '../../auth/caller-check.js';
import { CredentialsService } from '../../auth/credentials.service.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { PROGRAM_BY_ID } from '../programs.queries.js';
import { ProgramsService } from '../programs.service.js';
import { evaluateEligibility } from './eligibility.js';
import { renderRuleOutcome } from './eligibility-reasons.js';
import { EligibilityFacts } from './eligibility-facts.js';

@Injectable()
export class EligibilityService {
  constructor(
    private readonly eligibilityFacts: EligibilityFacts,
    private readonly dataSource: DataSource,
    private readonly programs: ProgramsService,
    private readonly clock: Clock,
    private readonly transactions: Transactions,
    private readonly credentials: CredentialsService,
  ) {}

  /**
   * One round trip (decision 71): the caller's user row (for a bearer token the route left to
   * it), the program and the student's facts are sent together; the answers are then judged in
   * the order they always were: the caller (401), the program, the student, the school (404).
   */
  async check(caller: Caller, programId: string, studentId: string): Promise<EligibilityResponse> {
    const [user, [program], contexts] = await this.transactions.together((tx) =>
      Promise.all([
        caller.kind === 'token' ? this.credentials.userRow(tx, caller) : undefined,
        runStatement(tx, PROGRAM_BY_ID, [programId]),
        this.eligibilityFacts.gather(tx, programId, [studentId]),
      ]),
    );
    const actor = caller.kind === 'token' ? actorOfTokenUser(caller, user) : caller;
    if (!program) throw notFound('program_not_found');
    const context = contexts.get(studentId);
    if (!context) throw notFound('student_not_found');
    assertSchoolAccess(actor, context.schoolId, 'read', 'student_not_found');
    const date = this.clock.today();
    const language = answerLanguage(caller);
    const result = evaluateEligibility(
      this.eligibilityFacts.inputFor(context, { rules: program.rules, program: { startsOn: program.startsOn, endsOn: program.endsOn } }, date),
    );
    return { programId, studentId, date, ...result, rules: result.rules.map((r) => renderRuleOutcome(r, language)) };
  }

  /**
   * Draft rules tried on one student, nothing saved: the same engine and the same facts as a real
   * check, with the named program's dates and loans (or, for a program not created yet, the dates
   * given and no loans in it). For the program office's rule editor.
   */
  async preview(actor: Actor, request: EligibilityPreviewRequest): Promise<EligibilityPreviewResponse> {
    assertRole(actor, ['program_admin']);
    const program = request.programId ? await this.programs.find(request.programId) : null;
    const date = this.clock.today();
    const language = answerLanguage(actor);
    const startsOn = request.startsOn ?? program?.startsOn ?? date;
    const endsOn = request.endsOn ?? program?.endsOn ?? date;
    if (startsOn > endsOn) throw invalidField('endsOn', 'ends_before_start');
    // No program yet: the nil id matches no loan, application or consent limited to a program.
    const programId = program?.id ?? '00000000-0000-0000-0000-000000000000';
    const context = (await this.eligibilityFacts.gather(this.dataSource.manager, programId, [request.studentId])).get(request.studentId);
    if (!context) throw notFound('student_not_found');
    const result = evaluateEligibility(this.eligibilityFacts.inputFor(context, { rules: request.rules, program: { startsOn, endsOn } }, date));
    return { programId: program?.id ?? null, studentId: request.studentId, date, ...result, rules: result.rules.map((r) => renderRuleOutcome(r, language)) };
  }
}
