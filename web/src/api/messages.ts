import type { TFunction } from 'i18next';
import { ApiProblem, isNetworkDown, type FieldError } from './problem';

/**
 * What an operator reads for a failure: the console's own wording for a code when it has one,
 * else the text the API wrote in the language the console asked for. Never the JSON.
 */
export function problemMessage(t: TFunction, error: unknown): string {
  if (isNetworkDown(error)) return t('problem.network');
  if (error instanceof ApiProblem) {
    // A status in the params is a code (`on_loan`): give the console's word for it too.
    const status = error.params.status;
    const statusText = typeof status === 'string' ? t(`device.status.${status}`, { defaultValue: status }) : undefined;
    return t(`problem.${error.code}`, { ...error.params, statusText, defaultValue: error.detail || t('problem.generic') });
  }
  return t('problem.generic');
}

/**
 * A field error, shown next to its field: the API's text names the field by its path
 * (`guardianConsent.phone harus ...`), which an operator does not need to read there.
 */
export function fieldMessage(t: TFunction, error: FieldError): string {
  const text = t(`field.${error.code}`, { ...error.params, field: error.field, defaultValue: error.message });
  const own = text.startsWith(error.field + ' ') ? text.slice(error.field.length + 1) : text;
  return own.charAt(0).toUpperCase() + own.slice(1);
}

/** The messages of the field errors for `field`, or none. */
export function fieldMessages(t: TFunction, error: unknown, field: string): string[] {
  return error instanceof ApiProblem ? error.forField(field).map((e) => fieldMessage(t, e)) : [];
}
