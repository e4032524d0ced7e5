import type { SchoolLevel } from '../../schools/school.entity.js';
import type { EligibilityCode, Params } from '../../i18n/i18n.js';
import type { EligibilityRules } from './eligibility-rules.js';

/** What the engine knows about one student, gathered by the caller. */
export interface StudentFacts {
  grade: number;
  schoolLevel: SchoolLevel;
  enrolmentStatus: 'enrolled' | 'graduated' | 'transferred' | 'dropped_out';
  resident: boolean;
  socialAid: readonly string[];
  familyCardNumber: string | null;
  guardianPhone: string | null;
  /** The guardian withdrew consent to the program's use of the student's data. */
  consentWithdrawn: boolean;
}

export interface EligibilityInput {
  student: StudentFacts;
  /** Rupiah the student owes in open charges. */
  openCharges: number;
  /** The student's active loans (any program). */
  activeLoans: number;
  /** Devices held or allocated to other students on the same family card. */
  familyCardDevices: number;
  rules: EligibilityRules;
  program: { startsOn: string; endsOn: string };
  /** Today, YYYY-MM-DD. */
  date: string;
}

export const RULE_NAMES = [
  'program_open',
  'enrolment',
  'grade_range',
  'school_level',
  'residency',
  'active_loans',
  'open_charges',
  'family_card',
  'guardian_consent',
  'guardian_contact',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface RuleOutcome {
  rule: RuleName;
  passed: boolean;
  severity: 'block' | 'warn';
  /** Why, as an `eligibility.*` message of the catalogue and its values. */
  code: EligibilityCode;
  params: Params;
}

export interface EligibilityResult {
  eligible: boolean;
  priority: number;
  rules: RuleOutcome[];
}

type Reason = [EligibilityCode, Params?];

// One formatter: toLocaleString builds a new Intl.NumberFormat on every call (two per check).
const ID_NUMBER = new Intl.NumberFormat('id-ID');
const rupiah = (n: number) => `Rp ${ID_NUMBER.format(n)}`;

/**
 * The eligibility engine: a pure function of the facts, the program's rules and the date. Every
 * rule is evaluated and reported, passed or not, so a refusal can always be explained in full.
 * A student is eligible when no `block` rule fails; `warn` rules never decide. Reasons are
 * message codes (the catalogue words them in the reader's language).
 */
export function evaluateEligibility(input: EligibilityInput): EligibilityResult {
  const { student: s, rules: r } = input;
  const outcomes: RuleOutcome[] = [];
  const check = (rule: RuleName, severity: RuleOutcome['severity'], passed: boolean, ok: Reason, notOk: Reason) => {
    const [code, params = {}] = passed ? ok : notOk;
    outcomes.push({ rule, passed, severity, code, params });
  };

  const runs = { startsOn: input.program.startsOn, endsOn: input.program.endsOn };
  const open = input.date >= input.program.startsOn && input.date <= input.program.endsOn;
  check('program_open', 'block', open, ['program_runs', runs], ['program_closed', { ...runs, date: input.date }]);

  const enrolmentRequired = r.enrolmentRequired ?? true;
  check('enrolment', 'block', !enrolmentRequired || s.enrolmentStatus === 'enrolled',
    [enrolmentRequired ? 'enrolled' : 'enrolment_not_required'], ['not_enrolled', { status: s.enrolmentStatus }]);

  if (r.grades) {
    const grades = { grade: s.grade, min: r.grades.min, max: r.grades.max };
    check('grade_range', 'block', s.grade >= r.grades.min && s.grade <= r.grades.max, ['grade_within', grades], ['grade_outside', grades]);
  } else {
    check('grade_range', 'block', true, ['every_grade'], ['every_grade']);
  }

  if (r.schoolLevels?.length) {
    check('school_level', 'block', r.schoolLevels.includes(s.schoolLevel),
      ['school_level_qualifies', { level: s.schoolLevel }], ['school_level_excluded', { level: s.schoolLevel, levels: r.schoolLevels.join(', ') }]);
  } else {
    check('school_level', 'block', true, ['every_school_level'], ['every_school_level']);
  }

  const residencyRequired = r.residencyRequired ?? false;
  check('residency', 'block', !residencyRequired || s.resident,
    [residencyRequired ? 'resident' : 'residency_not_required'], ['not_resident']);

  const maxActiveLoans = r.maxActiveLoans ?? 1;
  const loans = { loans: input.activeLoans, max: maxActiveLoans };
  check('active_loans', 'block', input.activeLoans < maxActiveLoans, ['loans_within', loans], ['loans_at_limit', loans]);

  const maxOpenCharges = r.maxOpenCharges ?? 0;
  const charges = { amount: rupiah(input.openCharges), max: rupiah(maxOpenCharges) };
  check('open_charges', 'block', input.openCharges <= maxOpenCharges, ['charges_within', charges], ['charges_exceed', charges]);

  if (r.onePerFamilyCard) {
    if (s.familyCardNumber) {
      check('family_card', 'block', input.familyCardDevices === 0, ['family_card_free'], ['family_card_taken', { devices: input.familyCardDevices }]);
    } else {
      check('family_card', 'warn', false, ['family_card_unknown'], ['family_card_unknown']);
    }
  } else {
    check('family_card', 'block', true, ['family_devices_allowed'], ['family_devices_allowed']);
  }

  check('guardian_consent', 'block', !s.consentWithdrawn, ['consent_given'], ['consent_withdrawn']);
  check('guardian_contact', 'warn', !!s.guardianPhone, ['guardian_phone'], ['no_guardian_phone']);

  return {
    eligible: outcomes.every((o) => o.passed || o.severity === 'warn'),
    priority: priorityOf(s, r),
    rules: outcomes,
  };
}

export function priorityOf(s: StudentFacts, r: EligibilityRules): number {
  const w = r.priority ?? {};
  const aid = [...new Set(s.socialAid)];
  let points = 0;
  if (aid.length > 0) points += w.socialAid ?? 0;
  for (const membership of aid) points += w.perAid?.[membership as keyof typeof w.perAid] ?? 0;
  points += (w.perGrade ?? 0) * s.grade;
  if (s.resident) points += w.resident ?? 0;
  return points;
}
