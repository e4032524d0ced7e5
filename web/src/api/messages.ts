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

export function fieldMessage(t: TFunction, error: FieldError): string {
  return t(`field.${error.code}`, { ...error.params, defaultValue: error.message });
}

/** The messages of the field errors for `field`, or none. */
export function fieldMessages(t: TFunction, error: unknown, field: string): string[] {
  return error instanceof ApiProblem ? error.forField(field).map((e) => fieldMessage(t, e)) : [];
}
