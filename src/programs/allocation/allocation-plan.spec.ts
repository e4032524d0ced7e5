import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type Candidate, planSchool, type SchoolPlanInput } from './allocation-plan.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const candidate = (n: number, priority: number, appliedAt: string, eligible = true): Candidate => ({
  applicationId: id(n),
  studentId: `student-${n}`,
  priority,
  appliedAt,
  eligible,
});
const T = (minute: number) => `2027-02-01T08:${String(minute).padStart(2, '0')}:00.000Z`;

describe('planSchool', () => {
  it('allocates by priority, then earliest application, then lowest id; the rest wait', () => {
    const plan = planSchool({
      candidates: [
        candidate(5, 10, T(1)),
        candidate(4, 90, T(9)),
        candidate(3, 50, T(2)),
        candidate(2, 50, T(1)), // same priority as 3, applied earlier: before 3
        candidate(7, 50, T(2)), // same priority and time as 3: the lower id (3) goes first
        candidate(1, 99, T(0), false), // highest priority, but ineligible
      ],
      devices: ['dev-a', 'dev-b', 'dev-c'],
      quota: null,
      alreadyAllocated: 0,
    });
    expect(plan.allocated).toEqual([
      { applicationId: id(4), studentId: 'student-4', deviceId: 'dev-a', priority: 90 },
      { applicationId: id(2), studentId: 'student-2', deviceId: 'dev-b', priority: 50 },
      { applicationId: id(3), studentId: 'student-3', deviceId: 'dev-c', priority: 50 },
    ]);
    const noStock = [{ code: 'no_device_available', params: { stock: 3, allocatedInRun: 3 } }];
    expect(plan.waiting).toEqual([
      { applicationId: id(7), studentId: 'student-7', priority: 50, reasons: noStock },
      { applicationId: id(5), studentId: 'student-5', priority: 10, reasons: noStock },
    ]);
    expect(plan.ineligible).toEqual([{ applicationId: id(1), studentId: 'student-1', reasons: [] }]);
  });

  it('stops at the quota left after earlier allocations', () => {
    const candidates = [candidate(1, 30, T(0)), candidate(2, 20, T(0)), candidate(3, 10, T(0))];
    const plan = planSchool({ candidates, devices: ['d1', 'd2', 'd3'], quota: 3, alreadyAllocated: 2 });
    expect(plan.allocated.map((a) => a.applicationId)).toEqual([id(1)]);
    expect(plan.waiting.map((a) => a.applicationId)).toEqual([id(2), id(3)]);
  });

  it('allocates nothing when the quota is used up, zero, or exceeded', () => {
    const candidates = [candidate(1, 30, T(0))];
    for (const [quota, already] of [[2, 2], [0, 0], [1, 3]]) {
      const plan = planSchool({ candidates, devices: ['d1'], quota, alreadyAllocated: already });
      expect(plan.allocated).toEqual([]);
      expect(plan.waiting.map((w) => w.applicationId)).toEqual([id(1)]);
    }
  });

  it('stops at the devices in stock, handing them out in the order given', () => {
    const plan = planSchool({ candidates: [candidate(1, 1, T(0)), candidate(2, 2, T(0))], devices: ['only'], quota: null, alreadyAllocated: 0 });
    expect(plan.allocated).toEqual([{ applicationId: id(2), studentId: 'student-2', deviceId: 'only', priority: 2 }]);
  });

  it('with no candidates or no devices, allocates nothing', () => {
    expect(planSchool({ candidates: [], devices: ['d1'], quota: null, alreadyAllocated: 0 })).toEqual({ allocated: [], waiting: [], ineligible: [] });
    expect(planSchool({ candidates: [candidate(1, 1, T(0))], devices: [], quota: null, alreadyAllocated: 0 }).allocated).toEqual([]);
  });

  it('orders applied-at times correctly across seconds and minutes (ISO strings)', () => {
    const plan = planSchool({
      candidates: [candidate(1, 5, '2027-02-01T10:00:00.000Z'), candidate(2, 5, '2027-02-01T09:59:59.999Z')],
      devices: ['d1'],
      quota: null,
      alreadyAllocated: 0,
    });
    expect(plan.allocated.map((a) => a.applicationId)).toEqual([id(2)]);
  });
});

// ---- properties ------------------------------------------------------------------------------

// Real UUIDs as application ids, so the id tie-break is checked against plain string order.
const arbCandidates: fc.Arbitrary<Candidate[]> = fc.uniqueArray(
  fc.record({
    applicationId: fc.uuid(),
    studentId: fc.uuid(),
    priority: fc.integer({ min: 0, max: 6 }), // a small range so ties are common
    appliedAt: fc.integer({ min: 0, max: 4 }).map(T), // few distinct times, so ties on time are common too
    eligible: fc.boolean(),
  }),
  { selector: (c) => c.applicationId, maxLength: 25 },
);

const arbInput: fc.Arbitrary<SchoolPlanInput> = fc.record({
  candidates: arbCandidates,
  devices: fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }).map((ds) => ds.map((d) => `device-${d}`)),
  quota: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
  alreadyAllocated: fc.integer({ min: 0, max: 10 }),
});

/** The reference order, written independently of the implementation. */
function queueOrder(a: Candidate, b: Candidate): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.appliedAt !== b.appliedAt) return a.appliedAt < b.appliedAt ? -1 : 1;
  return a.applicationId < b.applicationId ? -1 : a.applicationId > b.applicationId ? 1 : 0;
}

describe('planSchool properties', () => {
  it('never allocates more than min(devices, quota left, eligible), and allocates exactly that many', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const plan = planSchool(input);
        const quotaLeft = input.quota === null ? Infinity : Math.max(0, input.quota - input.alreadyAllocated);
        const eligible = input.candidates.filter((c) => c.eligible).length;
        expect(plan.allocated.length).toBe(Math.min(input.devices.length, quotaLeft, eligible));
        // Each device at most once, each from the stock given.
        const devices = plan.allocated.map((a) => a.deviceId);
        expect(new Set(devices).size).toBe(devices.length);
        for (const d of devices) expect(input.devices).toContain(d);
        // Every candidate is in exactly one of the three lists.
        const all = [...plan.allocated, ...plan.waiting, ...plan.ineligible].map((c) => c.applicationId).sort();
        expect(all).toEqual(input.candidates.map((c) => c.applicationId).sort());
      }),
      { numRuns: 500 },
    );
  });

  it('allocates exactly the top-k eligible by (priority desc, appliedAt asc, id asc), in that order', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const plan = planSchool(input);
        const expected = input.candidates.filter((c) => c.eligible).sort(queueOrder);
        const k = plan.allocated.length;
        expect(plan.allocated.map((a) => a.applicationId)).toEqual(expected.slice(0, k).map((c) => c.applicationId));
        expect(plan.waiting.map((a) => a.applicationId)).toEqual(expected.slice(k).map((c) => c.applicationId));
        // Nobody waiting outranks anyone allocated.
        for (const w of plan.waiting) for (const a of plan.allocated) expect(w.priority).toBeLessThanOrEqual(a.priority);
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic: shuffling the candidates gives the same plan', () => {
    fc.assert(
      fc.property(
        arbInput.chain((input) => fc.tuple(fc.constant(input), fc.shuffledSubarray(input.candidates, { minLength: input.candidates.length }))),
        ([input, shuffled]) => {
          expect(planSchool({ ...input, candidates: shuffled })).toEqual(planSchool(input));
          expect(planSchool(input)).toEqual(planSchool(input));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never allocates an ineligible candidate, and lists every ineligible one as such', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const plan = planSchool(input);
        const ineligible = new Set(input.candidates.filter((c) => !c.eligible).map((c) => c.applicationId));
        for (const a of [...plan.allocated, ...plan.waiting]) expect(ineligible.has(a.applicationId)).toBe(false);
        expect(new Set(plan.ineligible.map((c) => c.applicationId))).toEqual(ineligible);
      }),
      { numRuns: 500 },
    );
  });

  it('does not change its input', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        const copy = structuredClone(input);
        planSchool(input);
        expect(input).toEqual(copy);
      }),
    );
  });
});
