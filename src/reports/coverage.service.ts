import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import type { EligibilityRules } from '../programs/eligibility/eligibility-rules.js';
import type { CoverageFigures, CoverageQuery, CoverageReport, CoverageRow } from './dto/coverage.dto.js';
import type { CsvTable } from './report-output.js';
import { type ReportDb, ReportReader } from './report-reader.js';
import { ReportScope } from './report-scope.js';

/**
 * The program's target population: the eligibility engine's rules about who a student is (see
 * eligibility.ts), with the engine's defaults. The rules about a student's situation today (holding
 * a loan, owing a charge, the family card, consent, the program's dates) are left out: holding
 * the program's own loan would otherwise make every served student "ineligible".
 */
export interface Population {
  enrolmentRequired: boolean;
  minGrade: number | null;
  maxGrade: number | null;
  schoolLevels: string[] | null;
  residencyRequired: boolean;
}

export function populationOf(rules: EligibilityRules): Population {
  return {
    enrolmentRequired: rules.enrolmentRequired ?? true,
    minGrade: rules.grades?.min ?? null,
    maxGrade: rules.grades?.max ?? null,
    schoolLevels: rules.schoolLevels?.length ? rules.schoolLevels : null,
    residencyRequired: rules.residencyRequired ?? false,
  };
}

const FIGURES = ['eligible', 'applications', 'allocated', 'onLoan', 'served'] as const;

interface CoverageSqlRow {
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

/** Coverage of one program per school, grade and social-aid group, in one GROUP BY. */
@Injectable()
export class CoverageService {
  constructor(
    private readonly reader: ReportReader,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: CoverageQuery): Promise<CoverageReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    return this.reader.read((db) => this.compute(db, query.programId, schoolId));
  }

  /** For a resolved scope, inside a report's snapshot. */
  async compute(db: ReportDb, programId: string, schoolId: string | null): Promise<CoverageReport> {
    const programs: { id: string; code: string; rules: EligibilityRules }[] = await db.query(`SELECT id, code, rules FROM programs WHERE id = $1`, [programId]);
    if (programs.length === 0) throw notFound('The program');
    const program = programs[0];
    const rows = await this.rows(db, program.id, populationOf(program.rules), schoolId);
    const items: CoverageRow[] = rows.map((r) => ({ ...r, shareServed: share(r.served, r.eligible) }));
    return {
      parameters: { programId: program.id, programCode: program.code, schoolId, asOf: this.clock.today() },
      items,
      totals: {
        all: sum(items),
        withAid: sum(items.filter((r) => r.socialAid === 'with')),
        withoutAid: sum(items.filter((r) => r.socialAid === 'without')),
      },
    };
  }

  /**
   * Students are grouped by their current school and grade. Each student counts once per figure,
   * however many applications or loans they have: applications and loans are first reduced to one
   * row per student, then joined to the students in scope.
   */
  private rows(db: ReportDb, programId: string, p: Population, schoolId: string | null): Promise<CoverageSqlRow[]> {
    // For one school, only its students' applications and loans are read (through their student
    // indexes); city-wide, the program's are aggregated in one pass each.
    const ofScope = schoolId ? `AND student_id IN (SELECT id FROM students WHERE school_id = $2)` : '';
    return db.query(
      `WITH app AS (
         SELECT student_id, bool_or(status IN ('allocated', 'fulfilled')) AS allocated
         FROM applications WHERE program_id = $1 ${ofScope} GROUP BY student_id
       ), loan AS (
         SELECT student_id, bool_or(status = 'active') AS on_loan
         FROM loans WHERE program_id = $1 ${ofScope} GROUP BY student_id
       ), st AS (
         SELECT s.school_id, s.grade, cardinality(s.social_aid) > 0 AS with_aid,
                ($3::boolean IS FALSE OR s.enrolment_status = 'enrolled')
                AND ($4::int IS NULL OR s.grade >= $4) AND ($5::int IS NULL OR s.grade <= $5)
                AND ($6::text[] IS NULL OR sc.level = ANY($6::text[]))
                AND ($7::boolean IS FALSE OR s.resident) AS eligible,
                app.student_id IS NOT NULL AS applied, coalesce(app.allocated, false) AS allocated,
                loan.student_id IS NOT NULL AS had_loan, coalesce(loan.on_loan, false) AS on_loan
         FROM students s
         JOIN schools sc ON sc.id = s.school_id
         LEFT JOIN app ON app.student_id = s.id
         LEFT JOIN loan ON loan.student_id = s.id
         WHERE $2::uuid IS NULL OR s.school_id = $2
       )
       SELECT st.school_id AS "schoolId", sc.name AS "schoolName", st.grade,
              CASE WHEN st.with_aid THEN 'with' ELSE 'without' END AS "socialAid",
              count(*) FILTER (WHERE eligible)::int AS eligible,
              count(*) FILTER (WHERE applied)::int AS applications,
              count(*) FILTER (WHERE allocated)::int AS allocated,
              count(*) FILTER (WHERE on_loan)::int AS "onLoan",
              count(*) FILTER (WHERE eligible AND (allocated OR had_loan))::int AS served
       FROM st JOIN schools sc ON sc.id = st.school_id
       GROUP BY st.school_id, sc.name, st.grade, st.with_aid
       HAVING count(*) FILTER (WHERE eligible OR applied OR allocated OR had_loan) > 0
       ORDER BY sc.name, st.school_id, st.grade, st.with_aid DESC`,
      [programId, schoolId, p.enrolmentRequired, p.minGrade, p.maxGrade, p.schoolLevels, p.residencyRequired],
    );
  }
}

export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

function sum(rows: CoverageFigures[]): CoverageFigures {
  const total = Object.fromEntries(FIGURES.map((f) => [f, rows.reduce((n, r) => n + r[f], 0)])) as Record<(typeof FIGURES)[number], number>;
  return { ...total, shareServed: share(total.served, total.eligible) };
}

export const COVERAGE_COLUMNS = ['schoolId', 'schoolName', 'grade', 'socialAid', ...FIGURES, 'shareServed'] as const;

export const coverageTable = (report: CoverageReport): CsvTable => ({ name: 'coverage', columns: COVERAGE_COLUMNS, rows: report.items });
