import type { components } from './schema';

type Problem = components['schemas']['ProblemResponse'];
export type FieldError = components['schemas']['FieldErrorResponse'];
export type RuleOutcome = components['schemas']['RuleOutcomeResponse'];

/**
 * A problem+json answer, thrown by every call that failed. The console shows `code` (and each
 * field error's `code`) through its own catalogue, falling back to the text the API already wrote
 * in the operator's language (Accept-Language); it never shows the JSON itself.
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly params: Record<string, string | number>;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly rules: RuleOutcome[];

  constructor(status: number, body: Partial<Problem> & { rules?: RuleOutcome[] }) {
    super(body.detail ?? body.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = body.code ?? 'server_error';
    this.params = body.params ?? {};
    this.detail = body.detail ?? '';
    this.errors = body.errors ?? [];
    this.rules = body.rules ?? [];
  }

  /** The field errors for one field (dotted paths match their prefix: `guardianConsent.phone`). */
  forField(field: string): FieldError[] {
    return this.errors.filter((e) => e.field === field || e.field.startsWith(field + '.'));
  }
}

/** No answer at all: the network is down or the server unreachable. The desk queues the action. */
export class NetworkDown extends Error {
  constructor(cause: unknown) {
    super('network', { cause });
  }
}

export function isNetworkDown(error: unknown): error is NetworkDown {
  return error instanceof NetworkDown;
}
