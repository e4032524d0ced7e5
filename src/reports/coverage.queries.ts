import { statement } from '../database/statements.js';
import type { EligibilityRules } from '../programs/eligibility/eligibility-rules.js';

export const COVERAGE_PROGRAM = statement<{ id: string; code: string; rules: EligibilityRules }>('report_coverage_program', `SELECT id, code, rules FROM programs WHERE id = $1`);

export interface CoverageSqlRow {
  schoolId: string;
  schoolName: string;
  grade: number;
  socialAid: 'with' | 'without';
  eligible: number;
  applications: number;
  allocated: number;
  onLoan: number;
  served: number;
}

/**
 * Coverage of program $1 per school, grade and social-aid group ($2 the school or null). The
 * population rules ($3 enrolment required, $4/$5 the grades or null, $6 the school levels or null,
 * $7 residency required) are applied to the cells, the same test to report_student_cells (c) and
 * to report_program_students (f), so any program's rules work. Each student counts once per figure.
 */
export const COVERAGE_BY_SCHOOL_GRADE_AID = statement<CoverageSqlRow>(
  'report_coverage_by_school_grade_aid',
  `WITH population AS (
     SELECT c.school_id, c.grade, c.with_aid, coalesce(sum(c.students) FILTER (WHERE ($3::boolean IS FALSE OR c.enrolled)
              AND ($4::int IS NULL OR c.grade >= $4) AND ($5::int IS NULL OR c.grade <= $5)
              AND ($6::text[] IS NULL OR sc.level = ANY($6::text[])) AND ($7::boolean IS FALSE OR c.resident)), 0)::int AS eligible
     FROM report_student_cells c JOIN schools sc ON sc.id = c.school_id
     WHERE $2::uuid IS NULL OR c.school_id = $2
     GROUP BY c.school_id, c.grade, c.with_aid
   ), taken AS (
     SELECT f.school_id, f.grade, f.with_aid,
            count(*) FILTER (WHERE f.applications > 0)::int AS applications,
            count(*) FILTER (WHERE f.allocated > 0)::int AS allocated,
            count(*) FILTER (WHERE f.active_loans > 0)::int AS on_loan,
            count(*) FILTER (WHERE ($3::boolean IS FALSE OR f.enrolled)
              AND ($4::int IS NULL OR f.grade >= $4) AND ($5::int IS NULL OR f.grade <= $5)
              AND ($6::text[] IS NULL OR sc.level = ANY($6::text[])) AND ($7::boolean IS FALSE OR f.resident) AND (f.allocated > 0 OR f.loans > 0))::int AS served,
            count(*) FILTER (WHERE f.applications > 0 OR f.loans > 0)::int AS involved
     FROM report_program_students f JOIN schools sc ON sc.id = f.school_id
     WHERE f.program_id = $1 AND ($2::uuid IS NULL OR f.school_id = $2)
     GROUP BY f.school_id, f.grade, f.with_aid
   )
   SELECT g.school_id AS "schoolId", sc.name AS "schoolName", g.grade,
          CASE WHEN g.with_aid THEN 'with' ELSE 'without' END AS "socialAid",
          coalesce(g.eligible, 0) AS eligible, coalesce(g.applications, 0) AS applications,
          coalesce(g.allocated, 0) AS allocated, coalesce(g.on_loan, 0) AS "onLoan", coalesce(g.served, 0) AS served
   FROM (SELECT * FROM population FULL JOIN taken USING (school_id, grade, with_aid)) g
   JOIN schools sc ON sc.id = g.school_id
   WHERE g.eligible > 0 OR g.involved > 0
   ORDER BY sc.name, g.school_id, g.grade, g.with_aid DESC`,
);
