import { type EligibilityCode, type Language, type Params, translate } from '../../i18n/i18n.js';
import type { RuleOutcome } from './eligibility.js';

/**
 * A rule outcome as stored (application snapshots, loan warnings). Rows written before reasons
 * became message codes hold only the English `reason`.
 */
export interface StoredRuleOutcome {
  rule: string;
  code?: EligibilityCode;
  params?: Params;
  reason?: string;
}

/**
 * Reasons already put into words: every check answers a dozen of them, from a few codes with
 * small params (grades, rupiah), and i18next's interpolation was 8% of an eligibility check's CPU
 * (docs/benchmarks.md "Round two"). Cleared when full, so odd params cannot grow it.
 */
const worded = new Map<string, string>();
const WORDED_MAX = 10_000;

function word(language: Language, code: EligibilityCode, params: Params): string {
  const key = `${language}\u0000${code}\u0000${JSON.stringify(params)}`;
  let reason = worded.get(key);
  if (reason === undefined) {
    reason = translate(language, `eligibility.${code}`, params);
    if (worded.size >= WORDED_MAX) worded.clear();
    worded.set(key, reason);
  }
  return reason;
}

/** The reason of an outcome, as its code, params and words in the language of the answer. */
export function reasonOf(outcome: StoredRuleOutcome, language: Language): { code: EligibilityCode; params: Params; reason: string } {
  if (outcome.code) {
    const params = outcome.params ?? {};
    return { code: outcome.code, params, reason: word(language, outcome.code, params) };
  }
  // A reason recorded in English before codes existed: shown as recorded.
  const reason = outcome.reason ?? '';
  return { code: 'recorded', params: { reason }, reason };
}

/** An evaluated rule, ready for an answer. */
export const renderRuleOutcome = (outcome: StoredRuleOutcome & Pick<RuleOutcome, 'rule' | 'passed' | 'severity'>, language: Language) => ({
  rule: outcome.rule,
  passed: outcome.passed,
  severity: outcome.severity,
  ...reasonOf(outcome, language),
});
