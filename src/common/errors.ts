import type { RuleOutcome } from '../programs/eligibility/eligibility.js';
import { type FieldCode, type ImportCode, type Language, type MessageKey, type Params, type ProblemCode, translate } from '../i18n/i18n.js';

/**
 * Typed domain errors. Services throw these; `ProblemFilter` maps each type to an HTTP status in
 * one table, so no service knows about HTTP. No words are written here: an error carries a `code`
 * from the message catalogue (src/i18n/locales) with its `params`, and the filter writes them in
 * the language the client asked for (docs/api.md, "Adding an error").
 */
export type ProblemType =
  | 'validation-failed'
  | 'bad-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'conflict'
  | 'stale-version'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'business-rule'
  | 'idempotency-key-reused'
  | 'request-timeout'
  | 'too-many-requests'
  | 'unavailable';

/** A catalogue message and the values of its placeholders, written out only when answering. */
export interface Message {
  key: MessageKey;
  params: Params;
}

/** One invalid field, or one bad cell of an imported CSV file (with its `line`). */
export interface FieldError {
  field: string;
  message: Message;
  /** CSV imports: the line of the file where the row starts (the header is line 1). */
  line?: number;
  /** CSV imports: the cell as sent (shortened), unless it is personal data. */
  value?: string;
}

export const fieldError = (field: string, code: FieldCode, params: Params = {}): FieldError => ({ field, message: { key: `field.${code}`, params } });
export const importError = (line: number, field: string, code: ImportCode, params: Params = {}, value?: string): FieldError & { line: number } => ({
  line,
  field,
  message: { key: `import.${code}`, params },
  ...(value === undefined ? {} : { value }),
});

/** One entry of a problem's `errors`, written out. */
export interface RenderedFieldError {
  field: string;
  code: string;
  params: Params;
  message: string;
  line?: number;
  value?: string;
}

/** Writes a catalogue message in a language, as `{ code, params, message }`. */
export function renderMessage(message: Message, language: Language): { code: string; params: Params; message: string } {
  return { code: message.key.slice(message.key.indexOf('.') + 1), params: message.params, message: translate(language, message.key, message.params) };
}

export function renderFieldError({ field, message, line, value }: FieldError, language: Language): RenderedFieldError {
  // `{{field}}` in a message names the field; it is not repeated in `params`.
  const words = renderMessage({ key: message.key, params: { field, ...message.params } }, language);
  return { ...(line === undefined ? {} : { line }), field, code: words.code, params: message.params, message: words.message, ...(value === undefined ? {} : { value }) };
}

/** A CSV cell's error, written out: its line stays required. */
export const renderRowError = (error: FieldError & { line: number }, language: Language) => ({ ...renderFieldError(error, language), line: error.line });

export interface ProblemExtra {
  errors?: FieldError[];
  /** Every rule's outcome, for a `not_eligible` refusal. */
  rules?: RuleOutcome[];
  retryAfterSeconds?: number;
  [extension: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly type: ProblemType,
    readonly code: ProblemCode,
    readonly params: Params = {},
    readonly extra: ProblemExtra = {},
  ) {
    // English in logs and stack traces; clients get their own language from the filter.
    super(translate('en', `problem.${code}`, params));
    this.name = 'DomainError';
  }
}

export type NotFoundCode = Extract<ProblemCode, `${string}_not_found`>;

export const notFound = (code: NotFoundCode, params: Params = {}) => new DomainError('not-found', code, params);
export const forbidden = (code: ProblemCode, params: Params = {}) => new DomainError('forbidden', code, params);
export const conflict = (code: ProblemCode, params: Params = {}, extra: ProblemExtra = {}) => new DomainError('conflict', code, params, extra);
/** A business rule refused the request (422). */
export const refused = (code: ProblemCode, params: Params = {}, extra: ProblemExtra = {}) => new DomainError('business-rule', code, params, extra);
/** 400 listing every invalid field. */
export const invalid = (errors: FieldError[], code: ProblemCode = 'invalid_request') => new DomainError('validation-failed', code, {}, { errors });
/** 400 for a single invalid field: `invalidField('dueDate', 'not_after', { date })`. */
export const invalidField = (field: string, code: FieldCode, params: Params = {}) => invalid([fieldError(field, code, params)]);
