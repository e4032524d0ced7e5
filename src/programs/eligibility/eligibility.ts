import type { SchoolLevel } from '../../schools/school.entity.js';
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

export type RuleName =
  | 'program_open'
  | 'enrolment'
  | 'grade_range'
  | 'school_level'
  | 'residency'
  | 'active_loans'
  | 'open_charges'
  | 'family_card'
  | 'guardian_consent'
  | 'guardian_contact';

/** The values a rule was judged on, so a client can word the outcome in its own language. */
export type RuleParams = Record<string, string | number | boolean | string[] | null>;

export interface RuleOutcome {
  rule: RuleName;
  passed: boolean;
  severity: 'block' | 'warn';
  reason: string;
  params: RuleParams;
}

export interface EligibilityResult {
  eligible: boolean;
  priority: number;
  rules: RuleOutcome[];
}

const rupiah = (n: number) => `Rp ${n.toLocaleString('id-ID')}`;

/**
 * The eligibility engine: a pure function of the facts, the program's rules and the date. Every
 * rule is evaluated and reported, passed or not, so a refusal can always be explained in full.
 * A student is eligible when no `block` rule fails; `warn` rules never decide.
 */
export function evaluateEligibility(input: EligibilityInput): EligibilityResult {
  const { student: s, rules: r } = input;
  const outcomes: RuleOutcome[] = [];
  const check = (rule: RuleName, severity: RuleOutcome['severity'], passed: boolean, ok: string, notOk: string, params: RuleParams) =>
    outcomes.push({ rule, passed, severity, reason: passed ? ok : notOk, params });

  const open = input.date >= input.program.startsOn && input.date <= input.program.endsOn;
  check('program_open', 'block', open, `The program runs ${input.program.startsOn} to ${input.program.endsOn}`, `The program runs ${input.program.startsOn} to ${input.program.endsOn}, not on ${input.date}`,
    { startsOn: input.program.startsOn, endsOn: input.program.endsOn, date: input.date });

  const enrolmentRequired = r.enrolmentRequired ?? true;
  check('enrolment', 'block', !enrolmentRequired || s.enrolmentStatus === 'enrolled',
    enrolmentRequired ? 'Enrolled' : 'Enrolment is not required', `Enrolment status is ${s.enrolmentStatus}; the program requires enrolled students`,
    { required: enrolmentRequired, enrolmentStatus: s.enrolmentStatus });

  if (r.grades) {
    check('grade_range', 'block', s.grade >= r.grades.min && s.grade <= r.grades.max,
      `Grade ${s.grade} is within ${r.grades.min}-${r.grades.max}`, `Grade ${s.grade} is outside ${r.grades.min}-${r.grades.max}`,
      { grade: s.grade, min: r.grades.min, max: r.grades.max });
  } else {
    check('grade_range', 'block', true, 'Every grade qualifies', '', { grade: s.grade, min: null, max: null });
  }

  if (r.schoolLevels?.length) {
    check('school_level', 'block', r.schoolLevels.includes(s.schoolLevel),
      `School level ${s.schoolLevel} qualifies`, `School level ${s.schoolLevel} is not among ${r.schoolLevels.join(', ')}`,
      { schoolLevel: s.schoolLevel, allowed: [...r.schoolLevels] });
  } else {
    check('school_level', 'block', true, 'Every school level qualifies', '', { schoolLevel: s.schoolLevel, allowed: null });
  }

  const residencyRequired = r.residencyRequired ?? false;
  check('residency', 'block', !residencyRequired || s.resident,
    residencyRequired ? 'Resident of the city' : 'Residency is not required', 'Not a resident of the city; the program requires residency',
    { required: residencyRequired, resident: s.resident });

  const maxActiveLoans = r.maxActiveLoans ?? 1;
  check('active_loans', 'block', input.activeLoans < maxActiveLoans,
    `Holds ${input.activeLoans} of at most ${maxActiveLoans} active loan(s)`, `Already holds ${input.activeLoans} active loan(s); the limit is ${maxActiveLoans}`,
    { activeLoans: input.activeLoans, max: maxActiveLoans });

  const maxOpenCharges = r.maxOpenCharges ?? 0;
  check('open_charges', 'block', input.openCharges <= maxOpenCharges,
    `Open charges ${rupiah(input.openCharges)} are within ${rupiah(maxOpenCharges)}`, `Open charges ${rupiah(input.openCharges)} exceed ${rupiah(maxOpenCharges)}`,
    { openCharges: input.openCharges, max: maxOpenCharges });

  if (r.onePerFamilyCard) {
    if (s.familyCardNumber) {
      check('family_card', 'block', input.familyCardDevices === 0, 'No other device on this family card',
        `${input.familyCardDevices} device(s) already held or allocated on this family card; the program allows one`, { devicesOnCard: input.familyCardDevices, allowed: 1 });
    } else {
      check('family_card', 'warn', false, '', 'No family card number recorded, so one device per family cannot be checked', { devicesOnCard: null, allowed: 1 });
    }
  } else {
    check('family_card', 'block', true, 'Several devices per family are allowed', '', { devicesOnCard: null, allowed: null });
  }

  check('guardian_consent', 'block', !s.consentWithdrawn, 'Guardian consent has not been withdrawn', 'The guardian withdrew consent', { withdrawn: s.consentWithdrawn });
  check('guardian_contact', 'warn', !!s.guardianPhone, 'Guardian phone recorded', 'No guardian phone: reminders cannot reach the family', { phoneRecorded: !!s.guardianPhone });

  return {
    eligible: outcomes.every((o) => o.passed || o.severity === 'warn'),
    priority: priorityOf(s, r),
    rules: outcomes,
  };
}

/** Priority is a whole number from the program's weights; the same facts always give the same number. */
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
