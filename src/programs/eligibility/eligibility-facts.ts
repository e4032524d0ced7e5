import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { prepared, runStatement } from '../../database/statements.js';
import type { EligibilityInput, StudentFacts } from './eligibility.js';

export interface StudentContext {
  studentId: string;
  schoolId: string;
  facts: StudentFacts;
  openCharges: number;
  activeLoans: number;
  /** Active loans in this program (at most one, held by a unique index). */
  activeLoansInProgram: number;
  familyCardDevices: number;
  /** YYYY-MM-DD; null once anonymised. */
  dateOfBirth: string | null;
}

/** A row of STUDENT_CONTEXTS: a student's facts as the rules read them. */
interface StudentContextRow {
  id: string;
  school_id: string;
  grade: number;
  level: StudentFacts['schoolLevel'];
  enrolment_status: StudentFacts['enrolmentStatus'];
  resident: boolean;
  social_aid: string[];
  family_card_number: string | null;
  guardian_phone: string | null;
  consent_withdrawn: boolean;
  family_card_devices: number;
  active_loans: number;
  active_loans_in_program: number;
  open_charges: string;
  date_of_birth: string | null;
}

// Run for every issue and eligibility check: prepared once per connection (src/database/statements.ts)
// and planned once. The LIMIT changes no answer (ids are distinct rows, at most one per element)
// but lets PostgreSQL keep a generic plan: for `= ANY($1)` it guesses 10 elements, so without it
// the generic plan looks ten times as costly as a custom plan for one student, and every execution
// was planned afresh (0.57 ms of planning for 0.15 ms of execution; docs/benchmarks.md "Round two").
export const STUDENT_CONTEXTS = prepared<StudentContextRow>(
  'student_contexts',
  `SELECT s.id, s.school_id, s.grade, sc.level, s.enrolment_status, s.resident, s.social_aid,
          s.family_card_number, s.guardian_phone, s.date_of_birth::text AS date_of_birth,
          -- The latest laptop-loan consent for this program (or for every program) decides; no
          -- consent record at all does not block: the loan records its own consent at issue.
          coalesce((SELECT gc.withdrawn_at IS NOT NULL FROM guardian_consents gc
            WHERE gc.student_id = s.id AND gc.purpose = 'laptop_loan' AND (gc.program_id IS NULL OR gc.program_id = $2)
            ORDER BY gc.given_at DESC, gc.recorded_at DESC, gc.id DESC LIMIT 1), false) AS consent_withdrawn,
          (SELECT count(*)::int FROM applications a JOIN students o ON o.id = a.student_id
            WHERE s.family_card_number IS NOT NULL AND o.family_card_number = s.family_card_number
              AND o.id <> s.id AND a.program_id = $2 AND a.status = 'allocated')
          + (SELECT count(*)::int FROM loans l JOIN students o ON o.id = l.student_id
            WHERE s.family_card_number IS NOT NULL AND o.family_card_number = s.family_card_number
              AND o.id <> s.id AND l.program_id = $2 AND l.status = 'active') AS family_card_devices,
          (SELECT count(*)::int FROM loans l WHERE l.student_id = s.id AND l.status = 'active') AS active_loans,
          (SELECT count(*)::int FROM loans l WHERE l.student_id = s.id AND l.status = 'active' AND l.program_id = $2) AS active_loans_in_program,
          (SELECT coalesce(sum(c.amount), 0) FROM charges c WHERE c.student_id = s.id AND c.status = 'open') AS open_charges
   FROM students s JOIN schools sc ON sc.id = s.school_id
   WHERE s.id = ANY($1::uuid[])
   LIMIT cardinality($1::uuid[])`,
);

/**
 * A student's facts as the eligibility rules see them, exported by ProgramsModule: the issue
 * checks the rules with them inside its own transaction.
 */
@Injectable()
export class EligibilityFacts {
  /**
   * Gathers what the engine needs for many students in one query (no query per student): the
   * student and their school, their active loans, their open charges, and the devices other
   * students on the same family card hold or have been allocated in this program.
   */
  async gather(tx: EntityManager, programId: string, studentIds: string[]): Promise<Map<string, StudentContext>> {
    if (studentIds.length === 0) return new Map();
    const rows = await runStatement(tx, STUDENT_CONTEXTS, [studentIds, programId]);
    return new Map(
      rows.map((r) => [
        r.id,
        {
          studentId: r.id,
          schoolId: r.school_id,
          facts: {
            grade: r.grade,
            schoolLevel: r.level,
            enrolmentStatus: r.enrolment_status,
            resident: r.resident,
            socialAid: r.social_aid,
            familyCardNumber: r.family_card_number,
            guardianPhone: r.guardian_phone,
            consentWithdrawn: r.consent_withdrawn,
          },
          openCharges: Number(r.open_charges),
          activeLoans: r.active_loans,
          activeLoansInProgram: r.active_loans_in_program,
          familyCardDevices: r.family_card_devices,
          dateOfBirth: r.date_of_birth,
        },
      ]),
    );
  }

  inputFor(context: StudentContext, program: Pick<EligibilityInput, 'rules' | 'program'>, date: string): EligibilityInput {
    return {
      student: context.facts,
      openCharges: context.openCharges,
      activeLoans: context.activeLoans,
      familyCardDevices: context.familyCardDevices,
      rules: program.rules,
      program: program.program,
      date,
    };
  }
}
