import { describe, expect, it } from '@jest/globals';
import { planSchool, type Candidate, type ServedSibling } from './allocation-plan.js';

const candidate = (id: string, priority: number, familyCard: string | null): Candidate => ({
  applicationId: id,
  studentId: `student-${id}`,
  priority,
  appliedAt: '2027-01-10T00:00:00.000000Z',
  eligible: true,
  familyCard,
});

describe('one device per family card within a run', () => {
  it('serves the higher-priority sibling and marks the other ineligible, even with stock left', () => {
    const plan = planSchool({
      candidates: [candidate('a', 50, 'KK1'), candidate('b', 40, 'KK1'), candidate('c', 10, null)],
      devices: ['d1', 'd2', 'd3'],
      quota: null,
      alreadyAllocated: 0,
    });
    expect(plan.allocated.map((a) => a.applicationId)).toEqual(['a', 'c']);
    expect(plan.ineligible.map((a) => a.applicationId)).toEqual(['b']);
  });

  it('remembers families served at schools planned earlier in the same run', () => {
    const served = new Map<string, ServedSibling>();
    const first = planSchool({ candidates: [candidate('a', 50, 'KK1')], devices: ['d1'], quota: null, alreadyAllocated: 0, servedFamilyCards: served });
    const second = planSchool({ candidates: [candidate('b', 90, 'KK1'), candidate('c', 1, 'KK2')], devices: ['d2', 'd3'], quota: null, alreadyAllocated: 0, servedFamilyCards: served });
    expect(first.allocated.map((a) => a.applicationId)).toEqual(['a']);
    expect(second.allocated.map((a) => a.applicationId)).toEqual(['c']);
    expect(second.ineligible.map((a) => a.applicationId)).toEqual(['b']);
  });

  it('a sibling who only waits for stock does not block the family', () => {
    const plan = planSchool({ candidates: [candidate('a', 50, 'KK1'), candidate('b', 40, 'KK1')], devices: [], quota: null, alreadyAllocated: 0 });
    expect(plan.allocated).toEqual([]);
    expect(plan.waiting.map((w) => w.applicationId)).toEqual(['a', 'b']);
  });
});
