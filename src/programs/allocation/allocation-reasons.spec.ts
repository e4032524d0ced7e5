import { describe, expect, it } from '@jest/globals';
import { loadCatalogue } from '../../i18n/i18n.js';
import { planSchool, type Candidate, type ServedSibling } from './allocation-plan.js';
import { type AllocationReason, renderAllocationReason } from './allocation-reasons.js';

const candidate = (id: string, priority: number, extra: Partial<Candidate> = {}): Candidate => ({
  applicationId: id,
  studentId: `student-${id}`,
  priority,
  appliedAt: '2027-01-10T00:00:00.000000Z',
  eligible: true,
  ...extra,
});

describe('every application not allocated says why', () => {
  it('a student failing rules carries each failed rule as a reason, unchanged', () => {
    const reasons: AllocationReason[] = [{ rule: 'grade_range', code: 'grade_outside', params: { grade: 5, min: 7, max: 12 } }];
    const plan = planSchool({ candidates: [candidate('a', 10, { eligible: false, ineligibleBecause: reasons })], devices: ['d1'], quota: null, alreadyAllocated: 0 });
    expect(plan.ineligible).toEqual([{ applicationId: 'a', studentId: 'student-a', reasons }]);
    expect(plan.allocated).toEqual([]);
  });

  it('a sibling skipped by the family-card rule names the sibling served and where', () => {
    const served = new Map<string, ServedSibling>();
    planSchool({ schoolId: 'school-1', candidates: [candidate('a', 50, { familyCard: 'KK1' })], devices: ['d1'], quota: null, alreadyAllocated: 0, servedFamilyCards: served });
    const plan = planSchool({ schoolId: 'school-2', candidates: [candidate('b', 90, { familyCard: 'KK1' })], devices: ['d2'], quota: null, alreadyAllocated: 0, servedFamilyCards: served });
    expect(plan.ineligible).toEqual([
      {
        applicationId: 'b',
        studentId: 'student-b',
        reasons: [{ code: 'family_card_served_in_run', params: { siblingApplicationId: 'a', siblingStudentId: 'student-a', atSchoolId: 'school-1' } }],
      },
    ]);
  });

  it('waiting for a place: the quota when it ran out first, else the stock', () => {
    const byQuota = planSchool({ candidates: [candidate('a', 3), candidate('b', 2), candidate('c', 1)], devices: ['d1', 'd2', 'd3'], quota: 3, alreadyAllocated: 2 });
    expect(byQuota.allocated.map((a) => a.applicationId)).toEqual(['a']);
    expect(byQuota.waiting.map((w) => w.reasons)).toEqual([
      [{ code: 'quota_exhausted', params: { quota: 3, alreadyAllocated: 2, allocatedInRun: 1 } }],
      [{ code: 'quota_exhausted', params: { quota: 3, alreadyAllocated: 2, allocatedInRun: 1 } }],
    ]);
    const byStock = planSchool({ candidates: [candidate('a', 3), candidate('b', 2)], devices: ['d1'], quota: 10, alreadyAllocated: 0 });
    expect(byStock.waiting).toEqual([
      { applicationId: 'b', studentId: 'student-b', priority: 2, reasons: [{ code: 'no_device_available', params: { stock: 1, allocatedInRun: 1 } }] },
    ]);
    const noQuota = planSchool({ candidates: [candidate('a', 3)], devices: [], quota: null, alreadyAllocated: 0 });
    expect(noQuota.waiting[0].reasons[0].code).toBe('no_device_available');
  });
});

describe('a reason in an answer', () => {
  it('is worded in the language asked for, from allocation.* or, for a failed rule, from eligibility.*', () => {
    const quota: AllocationReason = { code: 'quota_exhausted', params: { quota: 3, alreadyAllocated: 2, allocatedInRun: 1 } };
    expect(renderAllocationReason(quota, 'en')).toEqual({ ...quota, message: "The school's quota of 3 is used up (2 allocated before this run, 1 in it)" });
    expect(renderAllocationReason(quota, 'id').message).toBe('Kuota sekolah sebanyak 3 sudah habis (2 sudah dialokasikan sebelumnya, 1 dalam proses alokasi ini)');
    const grade: AllocationReason = { rule: 'grade_range', code: 'grade_outside', params: { grade: 5, min: 7, max: 12 } };
    expect(renderAllocationReason(grade, 'en')).toEqual({ ...grade, message: 'Grade 5 is outside 7-12' });
    expect(renderAllocationReason(grade, 'id').message).toBe('Kelas 5 di luar rentang 7-12');
  });

  it('has a code no eligibility outcome has, so a client can tell the catalogues apart by the code alone', () => {
    const english = loadCatalogue('en');
    for (const code of Object.keys(english.allocation)) expect(Object.keys(english.eligibility)).not.toContain(code);
  });
});
