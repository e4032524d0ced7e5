import { currentLanguage, type EligibilityCode, type Language, type Params, translate } from '../../i18n/i18n.js';
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

/** The reason of an outcome, as its code, params and words in the language of the answer. */
export function reasonOf(outcome: StoredRuleOutcome, language: Language = currentLanguage()): { code: EligibilityCode; params: Params; reason: string } {
  if (outcome.code) {
    const params = outcome.params ?? {};
    return { code: outcome.code, params, reason: translate(language, `eligibility.${outcome.code}`, params) };
  }
  // A reason recorded in English before codes existed: shown as recorded.
  const reason = outcome.reason ?? '';
  return { code: 'recorded', params: { reason }, reason };
}

/** An evaluated rule, ready for an answer. */
export const renderRuleOutcome = (outcome: StoredRuleOutcome & Pick<RuleOutcome, 'rule' | 'passed' | 'severity'>, language: Language = currentLanguage()) => ({
  rule: outcome.rule,
  passed: outcome.passed,
  severity: outcome.severity,
  ...reasonOf(outcome, language),
});
