import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SCHOOL_LEVELS } from '../../schools/school.entity.js';
import { evaluateEligibility, type EligibilityInput, type StudentFacts } from './eligibility.js';
import { translate } from '../../i18n/i18n.js';
import { SOCIAL_AID_PROGRAMS, type EligibilityRules } from './eligibility-rules.js';

const student = (overrides: Partial<StudentFacts> = {}): StudentFacts => ({
  grade: 8,
  schoolLevel: 'SMP',
  enrolmentStatus: 'enrolled',
  resident: true,
  socialAid: [],
  familyCardNumber: '1271010101010001',
  guardianPhone: '+6281234567890',
  consentWithdrawn: false,
  ...overrides,
});
const input = (overrides: Partial<EligibilityInput> = {}): EligibilityInput => ({
  student: student(),
  openCharges: 0,
  activeLoans: 0,
  familyCardDevices: 0,
  rules: {},
  program: { startsOn: '2027-01-01', endsOn: '2027-12-31' },
  date: '2027-03-01',
  ...overrides,
});
const failed = (result: ReturnType<typeof evaluateEligibility>) => result.rules.filter((r) => !r.passed).map((r) => r.rule);

describe('evaluateEligibility', () => {
  it('reports every rule, passed or not, for an eligible student', () => {
    const result = evaluateEligibility(input());
    expect(result.eligible).toBe(true);
    expect(result.rules.map((r) => r.rule)).toEqual([
      'program_open', 'enrolment', 'grade_range', 'school_level', 'residency',
      'active_loans', 'open_charges', 'family_card', 'guardian_consent', 'guardian_contact',
    ]);
    expect(result.rules.every((r) => translate('en', `eligibility.${r.code}`, r.params).length > 0)).toBe(true);
  });

  it('lists every failed rule, not just the first, each with its reason', () => {
    const result = evaluateEligibility(
      input({
        student: student({ grade: 3, schoolLevel: 'SD', enrolmentStatus: 'graduated', resident: false, consentWithdrawn: true }),
        openCharges: 150_000,
        activeLoans: 1,
        familyCardDevices: 1,
        date: '2028-01-05',
        rules: { grades: { min: 7, max: 12 }, schoolLevels: ['SMP', 'SMA'], residencyRequired: true, maxOpenCharges: 100_000, onePerFamilyCard: true },
      }),
    );
    expect(result.eligible).toBe(false);
    expect(failed(result)).toEqual([
      'program_open', 'enrolment', 'grade_range', 'school_level', 'residency',
      'active_loans', 'open_charges', 'family_card', 'guardian_consent',
    ]);
    const charges = result.rules.find((r) => r.rule === 'open_charges')!;
    expect(charges).toMatchObject({ code: 'charges_exceed', params: { amount: 'Rp 150.000', max: 'Rp 100.000' } });
    expect(translate('id', `eligibility.${charges.code}`, charges.params)).toBe('Tagihan terbuka Rp 150.000 melebihi Rp 100.000');
  });

  it('treats warnings as information only', () => {
    const result = evaluateEligibility(input({ student: student({ guardianPhone: null, familyCardNumber: null }), rules: { onePerFamilyCard: true } }));
    expect(result.eligible).toBe(true);
    expect(result.rules.filter((r) => !r.passed)).toEqual([
      expect.objectContaining({ rule: 'family_card', severity: 'warn' }),
      expect.objectContaining({ rule: 'guardian_contact', severity: 'warn' }),
    ]);
  });

  it.each([
    ['maxActiveLoans 2 allows a second loan', { activeLoans: 1, rules: { maxActiveLoans: 2 } }, true],
    ['open charges equal to the limit pass', { openCharges: 50_000, rules: { maxOpenCharges: 50_000 } }, true],
    ['any open charge blocks by default', { openCharges: 1 }, false],
    ['enrolment can be waived', { student: student({ enrolmentStatus: 'transferred' }), rules: { enrolmentRequired: false } }, true],
    ['the last day of the program counts', { date: '2027-12-31' }, true],
  ] as const)('%s', (_, overrides, eligible) => {
    expect(evaluateEligibility(input(overrides as Partial<EligibilityInput>)).eligible).toBe(eligible);
  });

  it('scores priority from the weights', () => {
    const rules: EligibilityRules = { priority: { socialAid: 50, perAid: { KIP: 20, PKH: 10 }, perGrade: 2, resident: 5 } };
    expect(evaluateEligibility(input({ rules, student: student({ socialAid: ['KIP', 'PKH'], grade: 9 }) })).priority).toBe(50 + 20 + 10 + 18 + 5);
    expect(evaluateEligibility(input({ rules, student: student({ socialAid: [], grade: 9, resident: false }) })).priority).toBe(18);
  });
});

// Properties over random students and rule sets.
const facts = fc.record<StudentFacts>({
  grade: fc.integer({ min: 1, max: 12 }),
  schoolLevel: fc.constantFrom(...SCHOOL_LEVELS),
  enrolmentStatus: fc.constantFrom('enrolled', 'graduated', 'transferred', 'dropped_out'),
  resident: fc.boolean(),
  socialAid: fc.subarray([...SOCIAL_AID_PROGRAMS]),
  familyCardNumber: fc.option(fc.stringMatching(/^\d{16}$/), { nil: null }),
  guardianPhone: fc.option(fc.constant('+6281234567890'), { nil: null }),
  consentWithdrawn: fc.boolean(),
});
const rules = fc.record<EligibilityRules>(
  {
    grades: fc.integer({ min: 1, max: 12 }).chain((min) => fc.record({ min: fc.constant(min), max: fc.integer({ min, max: 12 }) })),
    schoolLevels: fc.subarray([...SCHOOL_LEVELS], { minLength: 1 }),
    enrolmentRequired: fc.boolean(),
    residencyRequired: fc.boolean(),
    maxActiveLoans: fc.integer({ min: 1, max: 3 }),
    maxOpenCharges: fc.integer({ min: 0, max: 500_000 }),
    onePerFamilyCard: fc.boolean(),
    priority: fc.record(
      { socialAid: fc.integer({ min: 0, max: 100 }), perGrade: fc.integer({ min: 0, max: 10 }), resident: fc.integer({ min: 0, max: 20 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const inputs = fc.record<EligibilityInput>({
  student: facts,
  openCharges: fc.integer({ min: 0, max: 1_000_000 }),
  activeLoans: fc.integer({ min: 0, max: 3 }),
  familyCardDevices: fc.integer({ min: 0, max: 2 }),
  rules,
  program: fc.constant({ startsOn: '2027-01-01', endsOn: '2027-12-31' }),
  date: fc.constantFrom('2026-12-31', '2027-01-01', '2027-06-15', '2027-12-31', '2028-01-01'),
});

describe('eligibility properties', () => {
  it('eligible exactly when no block rule fails; every rule always reported', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const result = evaluateEligibility(i);
        expect(result.rules).toHaveLength(10);
        expect(result.eligible).toBe(result.rules.every((r) => r.passed || r.severity === 'warn'));
      }),
      { numRuns: 2000 },
    );
  });

  it('adding a failing block rule never makes a student eligible', () => {
    // Tightening: restrict grades to exclude the student, require residency of a non-resident,
    // lower the charge limit below what they owe. Each adds a failing block rule.
    const tighten = fc.constantFrom('grade', 'residency', 'charges', 'loans');
    fc.assert(
      fc.property(inputs, tighten, (i, how) => {
        const before = evaluateEligibility(i);
        const r = { ...i.rules };
        const next = { ...i };
        if (how === 'grade') r.grades = i.student.grade === 12 ? { min: 1, max: 11 } : { min: i.student.grade + 1, max: 12 };
        if (how === 'residency') {
          r.residencyRequired = true;
          next.student = { ...i.student, resident: false };
        }
        if (how === 'charges') {
          r.maxOpenCharges = 0;
          next.openCharges = Math.max(1, i.openCharges);
        }
        if (how === 'loans') {
          r.maxActiveLoans = 1;
          next.activeLoans = Math.max(1, i.activeLoans);
        }
        const after = evaluateEligibility({ ...next, rules: r });
        expect(after.eligible).toBe(false);
        expect(after.rules.filter((o) => !o.passed && o.severity === 'block').length).toBeGreaterThanOrEqual(
          how === 'residency' || how === 'charges' || how === 'loans' ? 1 : before.rules.filter((o) => !o.passed && o.severity === 'block').length,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('priority is deterministic and does not depend on the order of aid memberships', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const a = evaluateEligibility(i);
        const b = evaluateEligibility({ ...i, student: { ...i.student, socialAid: [...i.student.socialAid].reverse() } });
        expect(b.priority).toBe(a.priority);
        expect(evaluateEligibility(structuredClone(i))).toEqual(a);
        expect(Number.isInteger(a.priority) && a.priority >= 0).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('more social aid or a higher grade never lowers priority', () => {
    fc.assert(
      fc.property(inputs, fc.constantFrom(...SOCIAL_AID_PROGRAMS), (i, extra) => {
        const base = evaluateEligibility(i).priority;
        const withAid = evaluateEligibility({ ...i, student: { ...i.student, socialAid: [...i.student.socialAid, extra] } }).priority;
        expect(withAid).toBeGreaterThanOrEqual(base);
        if (i.student.grade < 12) {
          expect(evaluateEligibility({ ...i, student: { ...i.student, grade: i.student.grade + 1 } }).priority).toBeGreaterThanOrEqual(base);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
