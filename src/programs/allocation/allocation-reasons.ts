import { type AllocationCode, type EligibilityCode, type Language, type Params, translate } from '../../i18n/i18n.js';
import type { RuleName, RuleOutcome } from '../eligibility/eligibility.js';

/**
 * Why an application was not allocated in a run, as a code of the message catalogue and its
 * params (language-neutral, as the run stores it). Either a failed blocking eligibility rule
 * (`rule`, with the `eligibility.*` code its outcome has: `grade_outside`, `charges_exceed`, ...),
 * or what only a run decides (`allocation.*`):
 * - `moved_school`: the student now studies at another school (`currentSchoolId`);
 * - `family_card_served_in_run`: a sibling on the same family card got a device earlier in this
 *   run (`siblingApplicationId`, `siblingStudentId`, `atSchoolId`);
 * - `quota_exhausted`: the school's quota is used up (`quota`, `alreadyAllocated`, `allocatedInRun`);
 * - `no_device_available`: no in-stock device left at the school (`stock`, `allocatedInRun`).
 */
export type AllocationReason = { rule: RuleName; code: EligibilityCode; params: Params } | { rule?: undefined; code: AllocationCode; params: Params };

/** A failed blocking rule as a reason: the rule, and its outcome's code and params. */
export const ruleReason = (outcome: RuleOutcome): AllocationReason => ({ rule: outcome.rule, code: outcome.code, params: outcome.params });

export const movedSchool = (currentSchoolId: string): AllocationReason => ({ code: 'moved_school', params: { currentSchoolId } });

/** A reason, ready for an answer: its words in the language of the answer. */
export function renderAllocationReason(reason: AllocationReason, language: Language) {
  const message = reason.rule ? translate(language, `eligibility.${reason.code}`, reason.params) : translate(language, `allocation.${reason.code}`, reason.params);
  return { ...(reason.rule ? { rule: reason.rule } : {}), code: reason.code, params: reason.params, message };
}
