import type { AllocationReason } from './allocation-reasons.js';

export interface Candidate {
  applicationId: string;
  studentId: string;
  priority: number;
  appliedAt: string;
  eligible: boolean;
  /** Why not eligible: each failed blocking rule, and a move to another school. Empty when eligible. */
  ineligibleBecause?: AllocationReason[];
  /** Set when the program allows one device per family card. */
  familyCard?: string | null;
}

/** Who was served on a family card in this run. */
export interface ServedSibling {
  applicationId: string;
  studentId: string;
  schoolId: string;
}

export interface SchoolPlanInput {
  schoolId?: string;
  candidates: Candidate[];
  /** In-stock device ids at the school, in the order they are handed out. */
  devices: string[];
  /** Null when the program sets no quota for the school. */
  quota: number | null;
  /** Applications of this program already allocated or fulfilled at the school. */
  alreadyAllocated: number;
  /**
   * Family cards already served in this run (at schools planned before this one). Shared and
   * updated, so siblings in one run, at one school or two, get one device between them.
   */
  servedFamilyCards?: Map<string, ServedSibling>;
}

export interface SchoolPlan {
  allocated: { applicationId: string; studentId: string; deviceId: string; priority: number }[];
  waiting: { applicationId: string; studentId: string; priority: number; reasons: AllocationReason[] }[];
  ineligible: { applicationId: string; studentId: string; reasons: AllocationReason[] }[];
}

/**
 * Who gets a device at one school, decided only by its inputs: eligible pending applications in
 * priority order (highest first), ties broken by who applied first, then by application id;
 * as many as there are devices and quota left. The same inputs always give the same plan, and
 * every application not allocated says why.
 */
export function planSchool(input: SchoolPlanInput): SchoolPlan {
  const ordered = [...input.candidates].sort(
    (a, b) => b.priority - a.priority || a.appliedAt.localeCompare(b.appliedAt) || a.applicationId.localeCompare(b.applicationId),
  );
  const served = input.servedFamilyCards ?? new Map<string, ServedSibling>();
  const quotaLeft = input.quota === null ? Infinity : Math.max(0, input.quota - input.alreadyAllocated);
  const places = Math.min(input.devices.length, quotaLeft);
  const plan: SchoolPlan = { allocated: [], waiting: [], ineligible: [] };
  for (const c of ordered) {
    // A sibling served earlier in this run makes the rest of the family ineligible, in queue order.
    const sibling = c.familyCard ? served.get(c.familyCard) : undefined;
    if (!c.eligible) {
      plan.ineligible.push({ applicationId: c.applicationId, studentId: c.studentId, reasons: c.ineligibleBecause ?? [] });
    } else if (sibling) {
      plan.ineligible.push({ applicationId: c.applicationId, studentId: c.studentId, reasons: [siblingServed(sibling)] });
    } else if (plan.allocated.length < places) {
      plan.allocated.push({ applicationId: c.applicationId, studentId: c.studentId, deviceId: input.devices[plan.allocated.length], priority: c.priority });
      if (c.familyCard) served.set(c.familyCard, { applicationId: c.applicationId, studentId: c.studentId, schoolId: input.schoolId ?? '' });
    } else {
      plan.waiting.push({ applicationId: c.applicationId, studentId: c.studentId, priority: c.priority, reasons: [noPlace(input, quotaLeft, plan.allocated.length)] });
    }
  }
  return plan;
}

function siblingServed(sibling: ServedSibling): AllocationReason {
  const params = { siblingApplicationId: sibling.applicationId, siblingStudentId: sibling.studentId };
  return { code: 'family_card_served_in_run', params: sibling.schoolId ? { ...params, atSchoolId: sibling.schoolId } : params };
}

/** The quota when it is what ran out first, else the stock. */
function noPlace(input: SchoolPlanInput, quotaLeft: number, allocatedInRun: number): AllocationReason {
  if (input.quota !== null && quotaLeft <= input.devices.length) {
    return { code: 'quota_exhausted', params: { quota: input.quota, alreadyAllocated: input.alreadyAllocated, allocatedInRun } };
  }
  return { code: 'no_device_available', params: { stock: input.devices.length, allocatedInRun } };
}
