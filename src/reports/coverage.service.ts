import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import type { EligibilityRules } from '../programs/eligibility/eligibility-rules.js';
import type { CoverageFigures, CoverageQuery, CoverageReport, CoverageRow } from './dto/coverage.dto.js';
import type { CsvTable } from './report-output.js';
import { type ReportDb, ReportReader } from './report-reader.js';
import { ReportScope } from './report-scope.js';
import { COVERAGE_BY_SCHOOL_GRADE_AID, COVERAGE_PROGRAM, type CoverageSqlRow } from './coverage.queries.js';

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

/** Coverage of one program per school, grade and social-aid group, from the coverage summary tables. */
@Injectable()
export class CoverageService {
  constructor(
    private readonly reader: ReportReader,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: CoverageQuery): Promise<CoverageReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    return this.reader.for(actor).read((db) => this.compute(db, query.programId, schoolId));
  }

  /** For a resolved scope, inside a report's snapshot. */
  async compute(db: ReportDb, programId: string, schoolId: string | null): Promise<CoverageReport> {
    const programs = await db.run(COVERAGE_PROGRAM, [programId]);
    if (programs.length === 0) throw notFound('program_not_found');
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
   * however many applications or loans they have. Read from two tables the database keeps exact
   * in the same transaction as every write (migrations/1765200000000-report-performance.ts):
   * report_student_cells, the number of students per school, grade, aid group, enrolment and
   * residency (the `eligible` column), and report_program_students, one row per student with any
   * application or loan of the program, with that student's cell and counts (the other columns).
   * The population rules are applied to the cells, so any program's rules work.
   */
  private rows(db: ReportDb, programId: string, p: Population, schoolId: string | null): Promise<CoverageSqlRow[]> {
    return db.run(COVERAGE_BY_SCHOOL_GRADE_AID, [programId, schoolId, p.enrolmentRequired, p.minGrade, p.maxGrade, p.schoolLevels, p.residencyRequired]);
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
