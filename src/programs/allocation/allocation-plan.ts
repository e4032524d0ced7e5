export interface Candidate {
  applicationId: string;
  studentId: string;
  priority: number;
  appliedAt: string;
  eligible: boolean;
  /** Set when the program allows one device per family card. */
  familyCard?: string | null;
}

export interface SchoolPlanInput {
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
  servedFamilyCards?: Set<string>;
}

export interface SchoolPlan {
  allocated: { applicationId: string; studentId: string; deviceId: string; priority: number }[];
  waiting: { applicationId: string; studentId: string; priority: number }[];
  ineligible: { applicationId: string; studentId: string }[];
}

/**
 * Who gets a device at one school, decided only by its inputs: eligible pending applications in
 * priority order (highest first), ties broken by who applied first, then by application id;
 * as many as there are devices and quota left. The same inputs always give the same plan.
 */
export function planSchool(input: SchoolPlanInput): SchoolPlan {
  const ordered = [...input.candidates].sort(
    (a, b) => b.priority - a.priority || a.appliedAt.localeCompare(b.appliedAt) || a.applicationId.localeCompare(b.applicationId),
  );
  const served = input.servedFamilyCards ?? new Set<string>();
  const quotaLeft = input.quota === null ? Infinity : Math.max(0, input.quota - input.alreadyAllocated);
  const places = Math.min(input.devices.length, quotaLeft);
  const plan: SchoolPlan = { allocated: [], waiting: [], ineligible: [] };
  for (const c of ordered) {
    // A sibling served earlier in this run makes the rest of the family ineligible, in queue order.
    const familyServed = !!c.familyCard && served.has(c.familyCard);
    if (!c.eligible || familyServed) {
      plan.ineligible.push({ applicationId: c.applicationId, studentId: c.studentId });
    } else if (plan.allocated.length < places) {
      plan.allocated.push({ applicationId: c.applicationId, studentId: c.studentId, deviceId: input.devices[plan.allocated.length], priority: c.priority });
      if (c.familyCard) served.add(c.familyCard);
    } else {
      plan.waiting.push({ applicationId: c.applicationId, studentId: c.studentId, priority: c.priority });
    }
  }
  return plan;
}
