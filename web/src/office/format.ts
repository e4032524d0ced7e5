import { i18n } from '../i18n';

/**
 * Numbers as the operator reads them (Indonesian: 1.234 and 45,5%), money in whole rupiah, and
 * files the API answered saved under a name that says what they are.
 */
const locale = () => (i18n.language === 'en' ? 'en-GB' : 'id-ID');

export const count = (n: number) => new Intl.NumberFormat(locale()).format(n);
export const rupiah = (n: number) => `Rp ${count(n)}`;
/** A share the API computed (0-1, 4 decimals), as a percentage with one decimal; "–" when none is eligible. */
export const share = (s: number | null | undefined) =>
  s === null || s === undefined ? '–' : new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(s);
export const dateTime = (iso: string) => new Date(iso).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });

/** Saves a file the API answered (called with `parseAs: 'blob'`) under `name`. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Today in the city's time zone (WIB), YYYY-MM-DD: the date the API's reports use. */
export const todayWib = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

/** A fresh Idempotency-Key for one create or change the operator asked for. */
export const idempotencyKey = () => crypto.randomUUID();

/** A report asked for as JSON (the operation may also answer CSV, so its type says both). */
export function json<T>(data: T | string): T {
  if (typeof data === 'string') throw new Error('the report answered text, not JSON');
  return data;
}
