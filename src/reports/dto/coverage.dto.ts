import { IsIn, IsUUID } from 'class-validator';
import { ReportQuery } from './report-query.dto.js';

export class CoverageQuery extends ReportQuery {
  /** The program whose coverage to report. */
  @IsUUID()
  programId: string;
}

export class CoverageParameters {
  programId: string;
  /** @example LPJ */
  programCode: string;
  /** The school the report is restricted to; null for the whole city. */
  schoolId: string | null;
  /** The day the figures describe (today in WIB, by the service's clock). */
  asOf: string;
}

export const SOCIAL_AID_GROUPS = ['with', 'without'] as const;
export type SocialAidGroup = (typeof SOCIAL_AID_GROUPS)[number];

/** The coverage funnel of one group of students (see docs/reports.md for each definition). */
export class CoverageFigures {
  /** Students in the program's target population: they pass its enrolment, grade, school-level and residency rules. */
  eligible: number;
  /** Students with at least one application to the program, whatever its status. */
  applications: number;
  /** Students whose application was given a device: `allocated` (reserved) or `fulfilled` (issued). */
  allocated: number;
  /** Students holding an active loan of the program now. */
  onLoan: number;
  /** Eligible students who were allocated a device or issued a loan of the program (any loan status). */
  served: number;
  /** served / eligible, rounded to 4 decimals; null when no student is eligible. */
  shareServed: number | null;
}

export class CoverageRow extends CoverageFigures {
  schoolId: string;
  schoolName: string;
  /** The student's current grade. */
  grade: number;
  /** `with`: the student has at least one social-aid membership (KIP, PKH, DTKS, ...). */
  @IsIn(SOCIAL_AID_GROUPS)
  socialAid: SocialAidGroup;
}

export class CoverageTotals {
  all: CoverageFigures;
  withAid: CoverageFigures;
  withoutAid: CoverageFigures;
}

export class CoverageReport {
  parameters: CoverageParameters;
  /** One row per school, grade and social-aid group with any student counted. */
  items: CoverageRow[];
  totals: CoverageTotals;
}
